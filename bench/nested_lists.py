"""Nested lists and long directory lists over real HTTP: what DataLoaders and paging in Cypher changed (issue 20).

On the demo city (N services, seed 1) in a fresh embedded FalkorDB, through the real app (`python -m cli serve`,
one process), each of these GraphQL documents is asked 100 times in turn by one keep-alive client (after a
warm-up), then by 8 clients for 10 s:

- nested: `organizations(first: 20)` with each one's first 5 services and its locations (before issue 20: four
  queries per organization; now one per list for the whole page);
- deep page: the 20 organizations after the first 2,000 by name (before: every organization read, then paged in
  Python; now SKIP/LIMIT in the query and a count apart);
- terms: `taxonomyTerms(search: "a", first: 20)`;
- the stack's ceiling in the same run: `{ __typename }` (HTTP, FastAPI and strawberry only).

Everything goes through the command line and HTTP (generate, load, serve), so the same script measures any
version of the project: `--project DIR` runs DIR's code (e.g. a `git worktree` of an older commit) with this
Python. Compare versions only within one run of the machine (alternate them), never against a figure recorded
another day.

No target of its own: issue 20 asks that behaviour be unchanged and that a nested list cost the same few queries
whatever the page size (tests/integration/test_search_api.py counts them); this measures what that is worth.

Run: python bench/nested_lists.py [--project DIR] [--label NAME] [N]   (default N: 10000)
Writes bench/results/nested_lists.json (nested_lists-NAME.json with --label NAME) and prints a table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parent))

import arguments  # noqa: E402 (bench/arguments.py, beside this script)
import engines  # noqa: E402
from search import CpuMeter, api_server, throughput_run  # noqa: E402 (bench/search.py)
from stats import ms_summary  # noqa: E402

HERE = Path(__file__).resolve().parent.parent
SEED = 1
ASKED = 100
WARMUP = 10
CLIENTS = 8
LOAD_SECONDS = 10.0
DEEP_OFFSET = 2000

NESTED: Final = """{ organizations(first: 20) { totalCount nodes { id name
  services(first: 5) { totalCount edges { node { id name } } } locations { id name } } } }"""
TERMS: Final = '{ taxonomyTerms(search: "a", first: 20) { totalCount nodes { id name } } }'
CEILING: Final = "{ __typename }"


def _cli(project: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "cli", *args], cwd=project, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _post(client: Any, query: str, variables: dict[str, Any] | None = None) -> tuple[float, int, int | None]:
    started = time.perf_counter()
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    elapsed = time.perf_counter() - started
    body = response.json() if response.status_code == 200 else {}
    ok = response.status_code == 200 and not body.get("errors") and body.get("data")
    return elapsed, response.status_code, 0 if ok else None


def _deep_cursor(client: Any) -> str:
    """The cursor just before organization DEEP_OFFSET, as the API gives it (walked there, not forged)."""
    after = None
    for _ in range(DEEP_OFFSET // 100):
        body = client.post("/graphql", json={
            "query": "query($after: String) { organizations(first: 100, after: $after) { pageInfo { endCursor } } }",
            "variables": {"after": after}}).json()
        after = body["data"]["organizations"]["pageInfo"]["endCursor"]
    assert after is not None, "the demo city has fewer organizations than DEEP_OFFSET"
    return str(after)


def measure(base: str, pids: dict[str, int]) -> dict[str, Any]:
    import httpx

    with httpx.Client(base_url=base, timeout=60) as client:
        deep = ("query($after: String) { organizations(first: 20, after: $after) { totalCount nodes { id name } } }",
                {"after": _deep_cursor(client)})
        documents = {"nested": (NESTED, None), "deep page": deep, "terms": (TERMS, None), "__typename": (CEILING, None)}
        out: dict[str, Any] = {}
        for name, (query, variables) in documents.items():
            for _ in range(WARMUP):
                _post(client, query, variables)
            cpu = CpuMeter(pids)
            answers = [_post(client, query, variables) for _ in range(ASKED)]
            sequential = {**ms_summary([a[0] for a in answers]), "cpu_ms_per_request": cpu.per_request_ms(ASKED),
                          "errors": sum(1 for a in answers if a[2] is None)}
            load = throughput_run(base, pids, [(query, variables)], clients=CLIENTS, seconds=LOAD_SECONDS,
                                  ask=lambda c, qv: _post(c, qv[0], qv[1]))
            out[name] = {"sequential": sequential, "throughput": load}
            print(f"  {name}: p50 {sequential['p50_ms']} ms, p95 {sequential['p95_ms']} ms; "
                  f"{load['requests_per_s']} req/s with {CLIENTS} clients", file=sys.stderr, flush=True)
    return out


def run(project: Path, services: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-nested-") as tmp:
        root = Path(tmp)
        data, db_uri = root / "data", engines.uri("falkordb", root)
        env = {**os.environ, "SAFETYNET_DB": db_uri, "SAFETYNET_SUPERVISE": "false"}
        _cli(project, env, "generate", "demo", str(data), "--services", str(services), "--seed", str(SEED))
        _cli(project, env, "db", "start")
        try:
            _cli(project, env, "load", "hsds", str(data), "--dataset-id", "bench")
            database_pid = engines.server_pid("falkordb", root)
            assert database_pid is not None
            os.environ["SAFETYNET_SUPERVISE"] = "false"
            with api_server(db_uri, root / "api.log", cwd=project) as (base, api_pid):
                return measure(base, {"api": api_pid, "database": database_pid})
        finally:
            _cli(project, env, "db", "stop")


def _commit(project: Path) -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=project, capture_output=True, text=True)
    return found.stdout.strip() or "unknown"


def main() -> None:
    parser = arguments.parser(__file__, __doc__)
    parser.add_argument("services", nargs="?", type=arguments.service_count, default=10_000, metavar="N",
                        help="how many services the demo city has (default: 10000)")
    parser.add_argument("--project", type=Path, default=HERE, help="the project checkout whose code is measured")
    parser.add_argument("--label", default="", help="a name for this run's results file")
    args = parser.parse_args()
    project = args.project.resolve()
    ceiling = engines.ceiling()
    load_average = os.getloadavg()
    print(f"{args.services:,} services, code of {project} ({_commit(project)})", file=sys.stderr, flush=True)
    results = run(project, args.services)
    record = {"services": args.services, "project": str(project), "commit": _commit(project),
              "machine_ceiling": ceiling, "load_average_at_start": [round(x, 2) for x in load_average],
              "results": results}
    print(f"| document | p50 ms | p95 ms | API CPU ms/request | req/s ({CLIENTS} clients) | errors |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        s, t = r["sequential"], r["throughput"]
        print(f"| {name} | {s['p50_ms']} | {s['p95_ms']} | {s['cpu_ms_per_request']['api']} | "
              f"{t['requests_per_s']} | {s['errors'] + t['graphql_errors'] + t['non_200']} |")
    out = HERE / "bench" / "results" / f"nested_lists{'-' + args.label if args.label else ''}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2), encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
