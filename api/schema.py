"""The GraphQL schema: types and thin resolvers over the query catalogue."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.context import Context
from api.limits import schema_extensions
from graph.errors import NotFound
from queries import reads


@strawberry.type(description="An organization that provides services.")
class Organization:
    id: strawberry.ID
    name: str


@strawberry.type(description="A service: what an organization offers to residents (HSDS `service`).")
class Service:
    id: strawberry.ID = strawberry.field(description="The HSDS id, stable and shared with the HSDS API.")
    name: str
    organization: Organization | None


@strawberry.type
class Query:
    @strawberry.field(description="How many services the graph holds.")
    def service_count(self, info: Info[Context, None]) -> int:
        return reads.service_count(info.context.db)

    @strawberry.field(description="One service by its HSDS id, or null if there is none.")
    def service(self, info: Info[Context, None], id: strawberry.ID) -> Service | None:
        try:
            found = reads.service_by_id(info.context.db, id=str(id))
        except NotFound:
            return None
        org = (
            Organization(id=strawberry.ID(found.organization_id), name=found.organization_name or "")
            if found.organization_id else None
        )
        return Service(id=strawberry.ID(found.id), name=found.name, organization=org)


schema = strawberry.Schema(query=Query, extensions=schema_extensions())
