"""Neo4j 5 DDL: a uniqueness constraint per label's `id`, the point index, the full-text index.

Every statement uses `IF NOT EXISTS`, so applying them at each start is idempotent.
"""

from __future__ import annotations

import re

from graph.schema.model import (
    FULLTEXT_INDEX_NAME,
    FULLTEXT_LABELS,
    FULLTEXT_PROPERTIES,
    NODE_LABELS,
    SEARCH_KEYS_INDEX_NAME,
    SEARCH_SITE_LABEL,
)


def _snake(label: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", label).lower()


def statements() -> list[str]:
    """The schema as Neo4j 5 Cypher statements, in the order to apply them."""
    out = [
        f"CREATE CONSTRAINT {_snake(label)}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        for label in NODE_LABELS
    ]
    out.append("CREATE POINT INDEX location_point IF NOT EXISTS FOR (n:Location) ON (n.point)")
    # Neo4j's range indexes take a list as one value, so `key IN x.keys` would read every search site (37,000
    # db hits per question at 10k services, by PROFILE). A full-text index with the keyword analyzer indexes each
    # element of the list as one exact term: the lookup reads only the sites of its keys (~430 db hits).
    out.append(f"CREATE FULLTEXT INDEX {SEARCH_KEYS_INDEX_NAME} IF NOT EXISTS FOR (n:{SEARCH_SITE_LABEL}) "
               "ON EACH [n.keys] OPTIONS {indexConfig: {`fulltext.analyzer`: 'keyword'}}")
    out.append(f"CREATE POINT INDEX search_site_point IF NOT EXISTS FOR (n:{SEARCH_SITE_LABEL}) ON (n.point)")
    out.append(f"CREATE INDEX search_site_dataset IF NOT EXISTS FOR (n:{SEARCH_SITE_LABEL}) ON (n.dataset)")
    out.append(f"CREATE INDEX search_site_service IF NOT EXISTS FOR (n:{SEARCH_SITE_LABEL}) ON (n.service)")
    labels = "|".join(FULLTEXT_LABELS)
    props = ", ".join(f"n.{p}" for p in FULLTEXT_PROPERTIES)
    # the English analyzer stems ("shelters" finds "shelter"), as FalkorDB's full-text index does
    out.append(f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX_NAME} IF NOT EXISTS FOR (n:{labels}) ON EACH [{props}] "
               "OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}}")
    # an index made on a graph that has data is filled in the background: wait, so no search reads it half-built
    out.append("CALL db.awaitIndexes(600)")
    return out
