"""A request's cost, bounded before anything runs: no small document may fan out over the graph.

Depth, token and alias limits bound a document's size, not its work: 30 aliases of
`organization(id) { services(first: 100) { edges { node { organization { services(first: 100) … } } } } }`
pass all three and ask for a million records. So every operation is costed, as large public GraphQL
APIs do with a node limit, from its document and variables before execution:

- a field with a resolver of its own (every top-level field, `Organization.services`, …: each is at
  least one database read) costs 1 for every time it will run;
- a field taking `first` returns up to `first` records (its default when not given), and everything
  selected inside it runs that many times over; the record count is added to the cost.

So `services(first: 20) { edges { node { organization { services(first: 5) { totalCount } } } } }`
costs 1 + 20 (the page) + 20 × (1 + 5) = 141. Costs add up over the operation's fields and aliases,
fragments included. Introspection (`__schema`, `__type`) is free: it reads no data. An operation over
MAX_COST is refused with an error naming the limit and its cost; nothing runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.extensions import SchemaExtension

MAX_COST = 2000
"""The most an operation may cost (see the module docstring). A front-line page of 100 results with
their organizations costs ~200; the directory's organization page with 50 services ~60."""


class _Costing:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode], variables: Any) -> None:
        self.schema, self.fragments, self.variables = schema, fragments, variables

    def fields(self, selection_set: SelectionSetNode | None, seen: frozenset[str] = frozenset(),
               ) -> Iterator[FieldNode]:
        """The fields of a selection set, those of its fragments included (a fragment cycle is not followed:
        validation refuses those anyway)."""
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self.fields(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    yield from self.fields(fragment.selection_set, seen | {selection.name.value})

    def cost(self, parent: GraphQLObjectType, selection_set: SelectionSetNode | None, times: int) -> int:
        """What the fields selected on `parent` cost when it occurs `times` times."""
        total = 0
        for node in self.fields(selection_set):
            name = node.name.value
            definition = parent.fields.get(name)
            if name.startswith("__") or definition is None:
                continue
            strawberry_field = (definition.extensions or {}).get("strawberry-definition")
            if strawberry_field is not None and getattr(strawberry_field, "base_resolver", None) is not None:
                total += times
            inner = times
            if "first" in definition.args:
                first = get_argument_values(definition, node, self.variables).get("first")
                records = max(0, first) if isinstance(first, int) else 0
                inner = times * records
                total += inner
            named = get_named_type(definition.type)
            if isinstance(named, GraphQLObjectType) and node.selection_set is not None:
                total += self.cost(named, node.selection_set, inner)
        return total


def operation_cost(schema: GraphQLSchema, operation: OperationDefinitionNode,
                   fragments: dict[str, FragmentDefinitionNode], variables: Any) -> int:
    """The operation's cost with these variable values (as graphql-core's `get_variable_values` coerced them)."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    return _Costing(schema, fragments, variables).cost(root, operation.selection_set, 1)


def _operation(document: Any, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


def too_costly(cost: int) -> str:
    return (f"Query too costly: it could read up to {cost:,} records and lists (the limit is {MAX_COST:,}). "
            "Ask for smaller pages (`first`) or fewer nested lists, and page on with `after`.")


class CostLimit(SchemaExtension):
    """Refuses an operation that costs more than MAX_COST, before it runs."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        refused = context.result is not None  # (an earlier extension refused the request already)
        operation = _operation(document, context.operation_name) if document is not None and not refused else None
        if operation is not None:
            schema = context.schema._schema
            coerced = get_variable_values(schema, operation.variable_definitions or (), context.variables or {})
            if document is not None and not isinstance(coerced, list):  # (errors: execution reports them)
                fragments = {d.name.value: d for d in document.definitions
                             if isinstance(d, FragmentDefinitionNode)}
                cost = operation_cost(schema, operation, fragments, coerced)
                if cost > MAX_COST:
                    context.result = GraphQLExecutionResult(data=None, errors=[GraphQLError(too_costly(cost))])
        yield
