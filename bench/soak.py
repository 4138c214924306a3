"""A chaos soak: the API under a realistic mix of clients for M minutes while its data is reloaded every two
minutes and its embedded engine is killed twice, once in the middle of a load and once in the middle of requests.

Setup, in a temporary folder: the demo city (`--services`, seed 1, with its ward areas, agency ties and referral
counts) loaded into a fresh embedded database that `safetynet db start` leaves supervised (graph/supervisor.py),
a planner key, and `safetynet serve` on it. Then, for `--minutes`:

- 8 clients, each on its own connection, ask in turn: front-line searches (60 %: `services` by need, place and
  age, as bench/search.py asks), HSDS services by id (15 %) and pages (10 %), planner questions (10 %: coverage,
  silos, the agency network, with the planner key) and malformed requests (5 %: bad JSON, a query that is not
  text, an unknown field), which must be refused (400, or a validation error and no data);
- `safetynet load hsds … --replace` of the same city every `--load-every` seconds (a load that fails is run
  again once the API answers: what an operator's schedule would do);
- the engine is killed (`kill -9`) once while the second load writes, and once, later, while only requests run.

Each answer is an outcome: ok (a malformed request refused with 400 is ok), unavailable (DATABASE_UNAVAILABLE,
or HTTP 503) or other (anything else: a 500, an unexpected error, a broken connection). Reported: requests by
outcome and kind, p50/p95 per phase (steady, loading, recovering: from a kill until /healthz answers again),
the seconds to recover after each kill, the API's and the engine's memory at the end of the warm-up and at the
end, and, last, the graph's counts and a fixed set of answers compared with a fresh load of the same data into
a new database (nothing lost, nothing half-written).

Targets (issue 19): no "other" outcome; memory growth ≤ 10 % (API and engine); the final graph and answers equal
to a fresh load's. The benchmark reports; it asserts nothing.

Run: python bench/soak.py [--minutes M] [--services N] [--load-every S] [--engine falkordb|neo4j]
Writes bench/results/soak.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import arguments  # noqa: E402 (bench/arguments.py, beside this script)
import engines  # noqa: E402
from search import _children, api_server, graphql_body, questions  # noqa: E402
from stats import ms_summary  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "soak.json"
SEED = 1
CLIENTS = 8
WARMUP_S = 20.0
MIX: Final = (("search", 0.60), ("hsds_by_id", 0.15), ("hsds_page", 0.10), ("planner", 0.10), ("malformed", 0.05))
PLANNER_QUERIES: Final = (
    "query($need: [ID!]!) { coverage(need: $need) { deserts sites regionalAverage } }",
    "{ silos(first: 5) { nodes { a { id } b { id } } } }",
    "{ agencyNetwork { nodes ties components density } }",
)
MALFORMED: Final = (b"{not json", b'{"query": "{ noSuchField }"}', b'{"query": 42}')
MEMORY_GROWTH_TARGET = 0.10


def _log(message: str) -> None:
    print(f"[soak] {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def cli(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=1800)
    if check and done.returncode != 0:
        raise RuntimeError(f"safetynet {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its live children (the workers of an API server), in MB."""
    total = 0
    for proc in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{proc}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


@dataclass
class City:
    data: Path
    planning: Path
    service_ids: list[str]
    top_need: str


def make_city(root: Path, services: int) -> City:
    from demo.generator import generate_demo
    from demo.planning import write_planning_files
    from demo.taxonomy import NEED_TERMS

    data = root / "data"
    generate_demo(data, services=services, seed=SEED)
    planning = write_planning_files(data, seed=SEED)
    with (data / "services.csv").open(encoding="utf-8") as handle:
        ids = [line.split(",", 1)[0] for line in handle.read().splitlines()[1:]]
    return City(data, planning.folder, ids, next(t.id for t in NEED_TERMS if not t.parent_id))


def load_city(env: dict[str, str], city: City) -> float:
    """The city's four datasets, as `safetynet demo` loads them; seconds the services load took."""
    started = time.perf_counter()
    cli(env, "load", "hsds", str(city.data), "--dataset-id", "demo", "--replace")
    took = time.perf_counter() - started
    cli(env, "load", "areas", str(city.planning / "areas.geojson"), "--dataset-id", "demo-areas", "--kind", "ward",
        "--replace")
    cli(env, "load", "ties", str(city.planning / "ties.csv"), "--dataset-id", "demo-ties", "--replace")
    cli(env, "load", "referrals", str(city.planning / "referrals.csv"), "--dataset-id", "demo-referrals", "--replace")
    return took


# ---------------------------------------------------------------- requests


@dataclass
class Answer:
    at: float  # seconds since the soak began
    seconds: float
    kind: str
    outcome: str  # ok | unavailable | other
    detail: str = ""


def _graphql_outcome(status: int, body: Any) -> tuple[str, str]:
    if status == 503:
        return "unavailable", "503"
    if not isinstance(body, dict):
        return "other", f"{status}: not a JSON object"
    codes = {str((e.get("extensions") or {}).get("code")) for e in body.get("errors") or [] if isinstance(e, dict)}
    if "DATABASE_UNAVAILABLE" in codes:
        return "unavailable", "DATABASE_UNAVAILABLE"
    if status != 200 or codes:
        return "other", f"{status} {sorted(codes)}"
    return "ok", ""


class Mix:
    """One client's requests, drawn from MIX with its own seeded generator."""

    def __init__(self, city: City, planner_key: str, seed: int) -> None:
        self.rng = random.Random(seed)
        self.city, self.key = city, planner_key
        self.searches = questions(300, seed=seed)

    def ask(self, client: Any) -> tuple[str, str, str]:
        """(kind, outcome, detail) of one request."""
        kind = self.rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]
        if kind == "search":
            response = client.post("/graphql", json=graphql_body(self.rng.choice(self.searches)))
            return (kind, *_graphql_outcome(response.status_code, _json(response)))
        if kind == "planner":
            query = self.rng.choice(PLANNER_QUERIES)
            response = client.post("/graphql", json={"query": query, "variables": {"need": [self.city.top_need]}},
                                   headers={"Authorization": f"Bearer {self.key}"})
            return (kind, *_graphql_outcome(response.status_code, _json(response)))
        if kind == "malformed":  # refused: 400 (not JSON, no query), or a validation error with no data
            response = client.post("/graphql", content=self.rng.choice(MALFORMED),
                                   headers={"Content-Type": "application/json"})
            body = _json(response)
            refused = response.status_code == 400 or (
                response.status_code == 200 and isinstance(body, dict) and body.get("errors") and not body.get("data"))
            if refused:
                return kind, "ok", ""
            return kind, "unavailable" if response.status_code == 503 else "other", str(response.status_code)
        path = (f"/hsds/services/{self.rng.choice(self.city.service_ids)}" if kind == "hsds_by_id"
                else f"/hsds/services?page={self.rng.randint(1, 20)}&per_page=20")
        response = client.get(path)
        if response.status_code == 200:
            return kind, "ok", ""
        return kind, "unavailable" if response.status_code == 503 else "other", str(response.status_code)


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


# ---------------------------------------------------------------- the soak


@dataclass
class Soak:
    base: str
    env: dict[str, str]
    city: City
    data_dir: Path
    planner_key: str
    started: float = field(default_factory=time.monotonic)
    answers: list[Answer] = field(default_factory=list)
    loads: list[dict[str, Any]] = field(default_factory=list)
    kills: list[dict[str, Any]] = field(default_factory=list)
    health: list[tuple[float, int]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    loading: threading.Event = field(default_factory=threading.Event)

    def now(self) -> float:
        return time.monotonic() - self.started

    def engine_pid(self) -> int | None:
        from graph import local_server

        state = local_server.read_state(self.data_dir)
        return int(state["pid"]) if state else None

    def client_loop(self, k: int) -> None:
        import httpx

        mix = Mix(self.city, self.planner_key, SEED + k)
        with httpx.Client(base_url=self.base, timeout=60) as client:
            while not self.stop.is_set():
                at = self.now()
                t = time.perf_counter()
                try:
                    kind, outcome, detail = mix.ask(client)
                except httpx.HTTPError as exc:
                    kind, outcome, detail = "transport", "other", f"{type(exc).__name__}: {exc}"
                self.answers.append(Answer(at, time.perf_counter() - t, kind, outcome, detail))

    def probe_loop(self) -> None:
        import httpx

        with httpx.Client(base_url=self.base, timeout=10) as client:
            while not self.stop.wait(0.2):
                try:
                    self.health.append((self.now(), client.get("/healthz").status_code))
                except httpx.HTTPError:
                    self.health.append((self.now(), 0))

    def load_once(self, kill_after_s: float | None = None) -> dict[str, Any]:
        """One `load hsds --replace`; with `kill_after_s`, the engine is killed that long into it."""
        self.loading.set()
        record: dict[str, Any] = {"at": round(self.now(), 1)}
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "cli", "load", "hsds", str(self.city.data), "--dataset-id",
                                 "demo", "--replace"], cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        if kill_after_s is not None:
            time.sleep(kill_after_s)
            if proc.poll() is None:
                self.kill("mid-load")
            else:
                _log("the load ended before the kill: the engine is killed after it instead")
        output, _ = proc.communicate(timeout=1800)
        record.update(seconds=round(time.perf_counter() - started, 1), exit=proc.returncode,
                      tail=output.strip().splitlines()[-1:] if output else [])
        if proc.returncode != 0:  # an operator's schedule runs it again once the API answers
            self.wait_healthy()
            again = cli(self.env, "load", "hsds", str(self.city.data), "--dataset-id", "demo", "--replace",
                        check=False)
            record["retry_exit"] = again.returncode
        self.loading.clear()
        return record

    def wait_healthy(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not (self.health and self.health[-1][1] == 200):
            time.sleep(0.2)

    def kill(self, when: str) -> None:
        pid = self.engine_pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGKILL)
        self.kills.append({"when": when, "at": round(self.now(), 2), "pid": pid})
        _log(f"killed the engine (pid {pid}) {when}")

    def recovery_s(self) -> list[float | None]:
        """Per kill: seconds until /healthz answered 200 again."""
        out: list[float | None] = []
        for kill in self.kills:
            after = [t for t, status in self.health if t > kill["at"] and status == 200]
            out.append(round(after[0] - kill["at"], 2) if after else None)
        return out

    def phase(self, at: float, recovering: list[tuple[float, float]], loading: list[tuple[float, float]]) -> str:
        if any(a <= at <= b for a, b in recovering):
            return "recovering"
        if any(a <= at <= b for a, b in loading):
            return "loading"
        return "steady"


def fixed_answers(base: str, city: City, planner_key: str) -> dict[str, Any]:
    """The same questions asked of two graphs: searches, HSDS documents, a planner question (timestamps and
    request ids left out)."""
    import httpx

    out: dict[str, Any] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for i, q in enumerate(questions(12, seed=99)):
            out[f"search {i}"] = client.post("/graphql", json=graphql_body(q)).json()
        for sid in city.service_ids[:: max(1, len(city.service_ids) // 8)][:8]:
            out[f"hsds {sid}"] = client.get(f"/hsds/services/{sid}").json()
        out["coverage"] = client.post("/graphql", json={"query": PLANNER_QUERIES[0],
                                                        "variables": {"need": [city.top_need]}},
                                      headers={"Authorization": f"Bearer {planner_key}"}).json()
    return out


def graph_counts(env: dict[str, str]) -> dict[str, Any]:
    stats: dict[str, Any] = json.loads(cli(env, "db", "stats", "--json").stdout)
    return stats


def fresh_baseline(root: Path, city: City, engine: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The graph's counts and the fixed answers of a fresh load of the same city into a new database."""
    env = {**os.environ, "SAFETYNET_DB": engines.uri(engine, root / "fresh"), "SAFETYNET_SUPERVISE": "false"}
    cli(env, "db", "start")
    try:
        load_city(env, city)
        key = cli(env, "keys", "add", "--role", "planner", "--name", "soak-baseline").stdout.strip()
        with api_server(env["SAFETYNET_DB"], root / "fresh-api.log") as (base, _):
            answers = fixed_answers(base, city, key)
        return graph_counts(env), answers
    finally:
        cli(env, "db", "stop", check=False)


def run(minutes: float, services: int, load_every: float, engine: str) -> dict[str, Any]:
    machine = engines.ceiling()
    _log(f"machine: {machine}")
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        root = Path(tmp)
        city = make_city(root, services)
        db_uri = engines.uri(engine, root / "soak")
        data_dir = engines.data_dir(engine, root / "soak")
        env = {**os.environ, "SAFETYNET_DB": db_uri, "SAFETYNET_SUPERVISE": "true"}
        os.environ.update({"SAFETYNET_SUPERVISE": "true"})  # the API server started below inherits it
        cli(env, "db", "start")
        try:
            _log(f"loading the demo city ({services:,} services)")
            first_load_s = load_city(env, city)
            key = cli(env, "keys", "add", "--role", "planner", "--name", "soak").stdout.strip()
            with api_server(db_uri, root / "api.log") as (base, api_pid):
                soak = Soak(base, env, city, data_dir, key)
                threads = [threading.Thread(target=soak.client_loop, args=(k,), daemon=True) for k in range(CLIENTS)]
                prober = threading.Thread(target=soak.probe_loop, daemon=True)
                for thread in [prober, *threads]:
                    thread.start()
                _log(f"warming up for {WARMUP_S:g} s")
                time.sleep(WARMUP_S)
                memory_start = {"api_mb": rss_mb(api_pid), "engine_mb": rss_mb(soak.engine_pid() or 0)}
                end = soak.now() + minutes * 60
                next_load, loads_done, killed_idle = soak.now() + load_every, 0, False
                idle_kill_at = soak.now() + minutes * 60 * 0.75
                while soak.now() < end:
                    if soak.now() >= next_load:
                        loads_done += 1
                        kill_after = max(1.0, 0.6 * first_load_s) if loads_done == 2 else None
                        _log(f"load {loads_done}" + (" (the engine is killed during it)" if kill_after else ""))
                        soak.loads.append(soak.load_once(kill_after))
                        next_load += load_every
                    elif not killed_idle and soak.now() >= idle_kill_at and not soak.loading.is_set():
                        soak.kill("mid-request")
                        killed_idle = True
                    time.sleep(0.2)
                soak.wait_healthy()
                memory_end = {"api_mb": rss_mb(api_pid), "engine_mb": rss_mb(soak.engine_pid() or 0)}
                soak.stop.set()
                for thread in [prober, *threads]:
                    thread.join(timeout=120)
                _log("the soak is over: the graph and a fixed set of answers")
                answers = fixed_answers(base, city, key)
            counts = graph_counts(env)
        finally:
            cli(env, "db", "stop", check=False)
        _log("a fresh load of the same city into a new database, for comparison")
        fresh_counts, fresh_answers = fresh_baseline(root, city, engine)
    return summarise(soak, memory_start, memory_end, counts, fresh_counts, answers, fresh_answers, machine,
                     minutes, services, load_every, engine)


def summarise(soak: Soak, memory_start: dict[str, float], memory_end: dict[str, float], counts: dict[str, Any],
              fresh_counts: dict[str, Any], answers: dict[str, Any], fresh_answers: dict[str, Any],
              machine: dict[str, Any], minutes: float, services: int, load_every: float, engine: str
              ) -> dict[str, Any]:
    recovery = soak.recovery_s()
    recovering = [(k["at"], k["at"] + (r if r is not None else 1e9)) for k, r in zip(soak.kills, recovery,
                                                                                       strict=True)]
    loading = [(ld["at"], ld["at"] + ld["seconds"]) for ld in soak.loads]
    measured = [a for a in soak.answers if a.at >= WARMUP_S]
    by_phase: dict[str, list[Answer]] = defaultdict(list)
    for a in measured:
        by_phase[soak.phase(a.at, recovering, loading)].append(a)
    outcomes = Counter(a.outcome for a in measured)
    others = Counter(f"{a.kind}: {a.detail}" for a in measured if a.outcome == "other")
    growth = {name: round(memory_end[name] / memory_start[name] - 1, 3) if memory_start[name] else None
              for name in memory_start}
    same_answers = [name for name in answers if answers[name] != fresh_answers.get(name)]
    return {
        "benchmark": "soak", "engine": engine, "minutes": minutes, "services": services, "load_every_s": load_every,
        "clients": CLIENTS, "mix": dict(MIX), "machine": machine,
        "requests": len(measured), "outcomes": dict(outcomes), "other_errors": dict(others.most_common(20)),
        "by_kind": {kind: dict(Counter(a.outcome for a in measured if a.kind == kind))
                    for kind in sorted({a.kind for a in measured})},
        "phases": {name: {"requests": len(items), **ms_summary([a.seconds for a in items if a.outcome == "ok"])}
                   for name, items in sorted(by_phase.items())},
        "loads": soak.loads, "kills": [{**k, "recovered_s": r} for k, r in zip(soak.kills, recovery, strict=True)],
        "memory_after_warmup": memory_start, "memory_at_end": memory_end, "memory_growth": growth,
        "graph_counts": counts, "graph_counts_equal_fresh_load": counts == fresh_counts,
        "answers_compared": len(answers), "answers_differing_from_fresh_load": same_answers,
        "verdicts": {
            "no_other_errors": outcomes.get("other", 0) == 0,
            "memory_growth_within_10_percent": all(g is not None and g <= MEMORY_GROWTH_TARGET
                                                   for g in growth.values()),
            "same_graph_and_answers_as_a_fresh_load": counts == fresh_counts and not same_answers,
            "recovered_after_every_kill": len(soak.kills) == 2 and all(r is not None for r in recovery),
        },
    }


def show(result: dict[str, Any]) -> None:
    print(f"chaos soak: {result['minutes']:g} min, {result['services']:,} services on {result['engine']}, "
          f"{result['clients']} clients, a --replace load every {result['load_every_s']:g} s")
    print(f"requests {result['requests']:,}: " + ", ".join(f"{k} {v:,}" for k, v in sorted(result["outcomes"].items())))
    print("phase | requests | ok p50 / p95 ms")
    print("--- | --- | ---")
    for name, p in result["phases"].items():
        print(f"{name} | {p['requests']:,} | {p.get('p50_ms', '–')} / {p.get('p95_ms', '–')}")
    for kill in result["kills"]:
        print(f"engine killed {kill['when']} at {kill['at']:.0f} s: answering again after {kill['recovered_s']} s")
    for load in result["loads"]:
        print(f"load at {load['at']:.0f} s: {load['seconds']} s, exit {load['exit']}"
              + (f", run again: exit {load['retry_exit']}" if "retry_exit" in load else ""))
    print(f"memory after warm-up → end: API {result['memory_after_warmup']['api_mb']} → "
          f"{result['memory_at_end']['api_mb']} MB, engine {result['memory_after_warmup']['engine_mb']} → "
          f"{result['memory_at_end']['engine_mb']} MB (growth {result['memory_growth']})")
    print(f"graph counts equal a fresh load's: {result['graph_counts_equal_fresh_load']}; answers differing from a "
          f"fresh load's: {result['answers_differing_from_fresh_load'] or 'none'} of {result['answers_compared']}")
    if result["other_errors"]:
        print(f"other errors: {result['other_errors']}")
    for name, ok in result["verdicts"].items():
        print(f"  {name}: {'met' if ok else 'NOT met'}")
    machine = result["machine"]
    print(f"machine: {machine['cores']} cores; one core runs {machine['python_loop_mips']} M Python loop steps/s; "
          f"load average {machine['load_average_1m']} at the start")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = arguments.parser(__file__, __doc__)
    parser.add_argument("--minutes", type=float, default=10.0, help="how long the soak runs (default: 10)")
    parser.add_argument("--services", type=arguments.service_count, default=2000,
                        help="services in the demo city (default: 2000)")
    parser.add_argument("--load-every", type=float, default=120.0, metavar="S",
                        help="seconds between --replace loads (default: 120)")
    engines.add_engine(parser)
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = parse_args()
    if args.engine == "both":
        raise SystemExit("the soak runs on one engine at a time: --engine falkordb or --engine neo4j")
    result = run(args.minutes, args.services, args.load_every, args.engine)
    show(result)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS}")
