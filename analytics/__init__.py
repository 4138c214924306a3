"""Planner analytics: pure computations over plain rows read from the graph (no engine, no Cypher).

`network` (agency-tie metrics), `silos` (unlinked overlap, sector gaps), `accessibility` (2SFCA and
E2SFCA), `flows` (referral flows), `suppression` (small-count suppression). The API reads the rows
through `services.planning_reads` and hands them here; definitions are in docs/analytics.md.
"""
