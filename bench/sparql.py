"""Throughput of ``/sparql`` against ``oxigraph serve-read-only`` on the same data, in one run.

    .venv/bin/python -m bench.sparql [--practices 100000] [--seed 1] [--duration 10]
                                     [--connections 8] [--app web|full]
                                     [--baseline REF] [--queries 'point lookup,2-hop join']
                                     [--workdir /tmp/graphsvc-bench]

Steps: generate the synthetic dataset (``graphsvc generate``), bulk-load it with the ontology and
seeds into an embedded store, copy that store for Oxigraph's own server, start both servers on
loopback ports, check that each of the five queries gives the same number of results on both,
then load each server with the same requests (HTTP GET, one query per request, the same
``Accept`` header) and print requests per second, ours / Oxigraph's. Fast queries run under
``wrk`` for a fixed time; a query whose single request takes over :data:`SLOW` seconds is timed
over a fixed number of requests instead. Rounds alternate between the servers. Finally, time a
full streamed N-Triples export. The dataset and the stores are kept in ``--workdir`` and reused.

Each query is measured twice:

- **repeated**: every request sends the same text, as an application or a guide's example does;
  our result cache answers all but the first (Oxigraph's server has none);
- **distinct**: every request ends with a comment of its own (``# r<thread>-<n>``), so no two
  texts are equal and every request is parsed, inspected and evaluated: no cache of ours helps.
  The fast queries are also sent, in this mode, to :mod:`bench.floor_endpoint` (uvicorn and
  pyoxigraph with nothing else, on a read-only view of Oxigraph's copy): what any Python server
  here pays per request, the floor under our figures.

``--baseline REF`` also serves the same data with the service as it was at git commit ``REF``
(checked out into ``--workdir``, run with this environment), measured in the same rounds: the
cost or gain of every change since, on this machine, in this run. ``--queries`` picks queries by
name (comma-separated).

``--app full`` (the default) runs ``graphsvc serve``; ``--app web`` serves the researcher-facing
routes alone, with the application's middleware and the same handlers, without the read model and
the recommendation index that ``graphsvc serve`` builds at start-up.

This prints figures; it asserts nothing. Both servers share the machine with the load generator."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bench.common import BIN, free_port, log, prepare_stores, stopping
from graphsvc.settings import Settings

__all__ = ["QUERIES", "main", "named_resources"]

PREFIXES = """PREFIX pes: <https://w3id.org/graphsvc/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
JSON_RESULTS = "application/sparql-results+json"
NTRIPLES = "application/n-triples"

QUERIES: dict[str, tuple[str, str]] = {
    "point lookup": (
        "SELECT ?p ?o WHERE { <PRACTICE_42> ?p ?o }",
        JSON_RESULTS,
    ),
    "2-hop join": (
        "SELECT ?practice ?title WHERE { "
        "?pes dct:spatial <http://publications.europa.eu/resource/authority/country/SWE> . "
        "?practice prov:wasAttributedTo ?pes ; dct:title ?title }",
        JSON_RESULTS,
    ),
    "aggregate": (
        "SELECT ?theme (COUNT(?practice) AS ?practices) WHERE { "
        "?practice a pes:GoodPractice ; dct:subject ?theme } GROUP BY ?theme ORDER BY DESC(?practices)",
        JSON_RESULTS,
    ),
    "CONSTRUCT": (
        "CONSTRUCT { ?practice dct:title ?title ; dct:subject ?theme } WHERE { "
        "?practice prov:wasAttributedTo <PES_001> ; "
        "dct:title ?title ; dct:subject ?theme }",
        NTRIPLES,
    ),
    "full-text-like FILTER": (
        "SELECT ?practice ?title WHERE { ?practice a pes:GoodPractice ; dct:title ?title "
        'FILTER(CONTAINS(LCASE(?title), "toolkit 99")) }',
        JSON_RESULTS,
    ),
}
"""The measured queries. ``<PRACTICE_42>`` and ``<PES_001>`` stand for the 42nd practice and the
first PES of the generated dataset, whose IRIs depend on its seed and size
(:func:`named_resources`)."""


def named_resources(store_dir: Path) -> dict[str, str]:
    """The IRIs the queries name, read from the prepared store (before any server opens it)."""
    store = pyoxigraph.Store.read_only(str(store_dir))
    try:
        found = {}
        for placeholder, pattern in (
            (
                "PRACTICE_42",
                '?x a pes:GoodPractice FILTER(REGEX(STR(?x), "synthetic-[0-9]+-0*42$"))',
            ),
            ("PES_001", '?x skos:altLabel "ES001"'),
        ):
            solutions = store.query(
                f"{PREFIXES}SELECT ?x WHERE {{ {pattern} }} LIMIT 1",
                use_default_graph_as_union=True,
            )
            assert isinstance(solutions, pyoxigraph.QuerySolutions)
            rows = list(solutions)
            if not rows:
                raise SystemExit(f"the dataset in {store_dir} has no resource for {placeholder}")
            found[placeholder] = rows[0]["x"].value
        return found
    finally:
        del store


def naming(queries: dict[str, tuple[str, str]], iris: dict[str, str]) -> dict[str, tuple[str, str]]:
    """``queries`` with their placeholders replaced by ``iris``."""
    named = {}
    for name, (text, accept) in queries.items():
        for placeholder, iri in iris.items():
            text = text.replace(f"<{placeholder}>", f"<{iri}>")
        named[name] = (text, accept)
    return named


@dataclass
class Figure:
    query: str
    mode: str  # "repeated" or "distinct"
    results: int
    ours_rps: float
    oxigraph_rps: float
    ours_latency_ms: float
    oxigraph_latency_ms: float
    ours_errors: int
    oxigraph_errors: int
    closed_loop: bool = False
    floor_rps: float | None = None
    baseline_rps: float | None = None
    baseline_latency_ms: float | None = None

    @property
    def ratio(self) -> float:
        return self.ours_rps / self.oxigraph_rps if self.oxigraph_rps else float("nan")


def listens(pid: int, port: int) -> bool:
    """Whether process ``pid`` itself holds the socket listening on loopback ``port``.

    A server that starts slowly binds late, and a free port may be taken meanwhile by someone
    else's server: answering the probe is not enough.
    """
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    fds = Path(f"/proc/{pid}/fd")
    with contextlib.suppress(OSError):
        return any(os.readlink(fd) in inodes for fd in fds.iterdir())
    return False


def wait_for(
    url: str, process: subprocess.Popen[bytes], port: int, what: str, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with status {process.returncode}")
        if listens(process.pid, port):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, timeout=5).status_code == 200:
                    return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not answer within {timeout:g} s")


@contextlib.contextmanager
def server(
    command: list[str], env: dict[str, str], port: int, probe: str, what: str, timeout: float
) -> Iterator[float]:
    """Run ``command`` until the block ends; yields the seconds it took to answer ``probe``."""
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    with stopping(process):
        started = time.perf_counter()
        wait_for(probe, process, port, what, timeout)
        ready = time.perf_counter() - started
        log(f"{what} ready in {ready:.1f} s")
        yield ready


def count_results(url: str, query: str, accept: str) -> tuple[int, float]:
    """(results, seconds) of one request."""
    started = time.perf_counter()
    response = httpx.get(url, params={"query": query}, headers={"Accept": accept}, timeout=120)
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    if accept == NTRIPLES:
        return len(response.text.strip().splitlines()), elapsed
    return len(response.json()["results"]["bindings"]), elapsed


SLOW = 0.5
"""Seconds per request above which a fixed number of requests is timed instead of running wrk
for a fixed time (a time window counts no request that outlasts it)."""
SLOW_REQUESTS = 8
SLOW_CONCURRENCY = 2


SLOW_MIN_SECONDS = 3.0
"""A closed loop also runs for at least this long, so that fast answers are counted by many."""


def closed_loop(
    url: str, accept: str, distinct: bool = False, min_seconds: float = SLOW_MIN_SECONDS
) -> tuple[float, float, int]:
    """(requests per second, mean latency in ms, failures) of at least :data:`SLOW_REQUESTS`
    requests over at least :data:`SLOW_MIN_SECONDS`, :data:`SLOW_CONCURRENCY` at a time."""
    import concurrent.futures

    started = time.perf_counter()

    def worker(number: int) -> list[tuple[float, bool]]:
        results: list[tuple[float, bool]] = []
        with httpx.Client(timeout=600, headers={"Accept": accept}) as client:
            while (
                len(results) * SLOW_CONCURRENCY < SLOW_REQUESTS
                or time.perf_counter() - started < min_seconds
            ):
                target = f"{url}%0A%23%20r{number}-{len(results)}" if distinct else url
                begun = time.perf_counter()
                response = client.get(target)
                results.append((time.perf_counter() - begun, response.status_code == 200))
        return results

    with concurrent.futures.ThreadPoolExecutor(SLOW_CONCURRENCY) as pool:
        results = [r for rs in pool.map(worker, range(SLOW_CONCURRENCY)) for r in rs]
    wall = time.perf_counter() - started
    latency = sum(r[0] for r in results) / len(results) * 1000
    return len(results) / wall, latency, sum(1 for r in results if not r[1])


_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_LATENCY = re.compile(r"Latency\s+([\d.]+)(us|ms|s)")
_ERRORS = re.compile(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*timeout (\d+)")


DISTINCT_SCRIPT = """
local counter = 0
local id = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  id = wrk.thread:get("id")
end
function request()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "%0A%23%20r" .. id .. "-" .. counter)
end
"""
"""wrk script that appends ``\n# r<thread>-<n>`` to the query of each request."""


def wrk(
    url: str, accept: str, duration: int, connections: int, distinct: bool = False
) -> tuple[float, float, int]:
    """(requests per second, mean latency in ms, failed requests) of ``wrk`` on ``url``."""
    script: list[str] = []
    if distinct:
        path = Path(os.environ.get("TMPDIR", "/tmp")) / "graphsvc-bench-distinct.lua"
        path.write_text(DISTINCT_SCRIPT)
        script = ["-s", str(path)]
    output = subprocess.run(
        [
            "wrk",
            *script,
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "--timeout",
            "60s",
            "--latency",
            "-H",
            f"Accept: {accept}",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(_RPS.search(output).group(1))  # type: ignore[union-attr]
    value, unit = _LATENCY.search(output).groups()  # type: ignore[union-attr]
    latency = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = sum(int(n) for match in _ERRORS.finditer(output) for n in match.groups() if n)
    return rps, latency, errors


ROUNDS = 2


def _combine(runs: list[tuple[float, float, int]]) -> tuple[float, float, int]:
    """Mean throughput and latency of equal-length runs, total failures."""
    return (
        sum(r[0] for r in runs) / len(runs),
        sum(r[1] for r in runs) / len(runs),
        sum(r[2] for r in runs),
    )


def time_export(base: str) -> tuple[float, int]:
    started = time.perf_counter()
    size = 0
    with httpx.stream("GET", f"{base}/export/nt", timeout=600) as response:
        response.raise_for_status()
        for chunk in response.iter_raw():
            size += len(chunk)
    return time.perf_counter() - started, size


def serve_web(data_dir: Path, port: int) -> None:
    """The researcher-facing routes alone, with the application's middleware, on the store in
    ``data_dir``: the same ``/sparql`` handlers without the GraphQL API, the read model and the
    recommendation index, whose start-up dominates at 100k practices."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware

    from graphsvc.http.guards import guard_middleware
    from graphsvc.http.timeouts import uvicorn_options
    from graphsvc.services import Services
    from graphsvc.store import open_store
    from graphsvc.web import PublicCors, ServiceApp, direct_routes, web_routes
    from graphsvc.web.http import PUBLIC_PATHS
    from graphsvc.web.state import close_web_state, open_web_state

    settings = Settings.from_env().with_overrides(data_dir=data_dir, store="oxigraph")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        services = Services(settings=settings, store=open_store(settings))
        app.state.services = services
        await open_web_state(app.state)
        try:
            yield
        finally:
            await close_web_state(app.state)
            services.close()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    app = ServiceApp(
        routes=[Route("/healthz", healthz), *web_routes(settings)],
        middleware=[
            Middleware(PublicCors),
            Middleware(CORSMiddleware, allow_origins=[], allow_methods=["GET", "POST"]),
        ],
        lifespan=lifespan,
        direct=direct_routes(),
        outer=guard_middleware(settings, PUBLIC_PATHS),
    )
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        **uvicorn_options(settings),
    )


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["serve-web"]:
        serve_web(Path(argv[1]), int(argv[2]))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.sparql", description=__doc__)
    parser.add_argument("--practices", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per query")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/graphsvc-bench"))
    parser.add_argument(
        "--startup-timeout", type=float, default=3600, help="seconds to wait for each server"
    )
    parser.add_argument(
        "--app",
        choices=("web", "full"),
        default="full",
        help="the whole service (`graphsvc serve`, the default) or the web routes alone",
    )
    parser.add_argument(
        "--baseline", metavar="REF", help="also measure the service as of this git commit"
    )
    parser.add_argument("--queries", help="comma-separated names of the queries to run")
    parser.add_argument(
        "--slow-seconds",
        type=float,
        default=SLOW_MIN_SECONDS,
        help="shortest closed loop for a query over half a second",
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (apt-get install -y wrk)")
    queries = QUERIES
    if args.queries:
        names = [name.strip() for name in args.queries.split(",")]
        unknown = set(names) - set(QUERIES)
        if unknown:
            raise SystemExit(f"unknown queries {sorted(unknown)}; known: {sorted(QUERIES)}")
        queries = {name: QUERIES[name] for name in names}
    args.workdir.mkdir(parents=True, exist_ok=True)
    names = ("ours", "oxigraph", "baseline") if args.baseline else ("ours", "oxigraph")
    dirs, quads = prepare_stores(args.workdir, args.practices, args.seed, names)
    ours_dir, theirs_dir = dirs["ours"], dirs["oxigraph"] / "store"
    queries = naming(queries, named_resources(theirs_dir))

    ours_port, theirs_port = free_port(), free_port()
    ours_url = f"http://127.0.0.1:{ours_port}"
    theirs_url = f"http://127.0.0.1:{theirs_port}"
    env = {
        **os.environ,
        "GRAPHSVC_DATA_DIR": str(ours_dir),
        "GRAPHSVC_STORE": "oxigraph",
        "GRAPHSVC_LOAD_SEEDS": "false",
        "GRAPHSVC_SPARQL_TIMEOUT": "60",
        # the per-client limits stay on, so their check is measured, but never refuse the load
        # generator, which is one client with many connections
        "GRAPHSVC_WEB_RATE_PER_ADDRESS": "1e9",
        "GRAPHSVC_WEB_BURST_PER_ADDRESS": "1000000000",
        "GRAPHSVC_WEB_CONCURRENCY_PER_ADDRESS": "100000",
        "GRAPHSVC_SPARQL_WORKERS_PER_CLIENT": "100000",
    }
    if args.app == "full":
        ours_cmd = [
            str(BIN / "graphsvc"),
            "serve",
            "--port",
            str(ours_port),
            "--no-seed",
            "--no-access-log",
        ]
    else:
        ours_cmd = [
            sys.executable,
            "-m",
            "bench.sparql",
            "serve-web",
            str(ours_dir),
            str(ours_port),
        ]
    floor_port = free_port()
    floor_url = f"http://127.0.0.1:{floor_port}"
    floor_cmd = [sys.executable, "-m", "bench.floor_endpoint", str(theirs_dir), str(floor_port)]
    theirs_cmd = [
        str(BIN / "oxigraph"),
        "serve-read-only",
        "--location",
        str(theirs_dir),
        "--bind",
        f"127.0.0.1:{theirs_port}",
        "--union-default-graph",
    ]
    baseline_port = free_port()
    baseline_url = f"http://127.0.0.1:{baseline_port}"
    baseline: contextlib.AbstractContextManager[object] = contextlib.nullcontext()
    if args.baseline:
        source = checkout(args.baseline, args.workdir)
        baseline_env = {
            **env,
            "GRAPHSVC_DATA_DIR": str(dirs["baseline"]),
            "PYTHONPATH": str(source),  # its graphsvc package before the installed one
        }
        baseline_cmd = [
            sys.executable,
            "-c",
            "import sys; from graphsvc.cli import main; sys.exit(main())",
            "serve",
            "--port",
            str(baseline_port),
            "--no-seed",
            "--no-access-log",
        ]
        baseline = server(
            baseline_cmd,
            baseline_env,
            baseline_port,
            f"{baseline_url}/healthz",
            f"graphsvc at {args.baseline}",
            args.startup_timeout,
        )
    figures: list[Figure] = []
    probe = f"{theirs_url}/query?query=ASK%7B%7D"
    with (
        baseline,
        server(
            ours_cmd, env, ours_port, f"{ours_url}/healthz", "graphsvc", args.startup_timeout
        ) as ours_up,
        server(
            theirs_cmd, dict(os.environ), theirs_port, probe, "oxigraph", args.startup_timeout
        ) as theirs_up,
        server(
            floor_cmd,
            dict(os.environ),
            floor_port,
            f"{floor_url}/sparql?query=ASK%7B%7D",
            "floor",
            args.startup_timeout,
        ),
    ):
        for name, (query, accept) in queries.items():
            text = PREFIXES + query
            ours_n, ours_s = count_results(f"{ours_url}/sparql", text, accept)
            theirs_n, theirs_s = count_results(f"{theirs_url}/query", text, accept)
            slow = max(ours_s, theirs_s) > SLOW
            if ours_n != theirs_n:
                raise SystemExit(f"{name}: {ours_n} results here, {theirs_n} from Oxigraph")
            encoded = quote(text, safe="")
            how = (
                f"{SLOW_REQUESTS}+ requests, {SLOW_CONCURRENCY} at a time"
                if slow
                else f"wrk -c{args.connections} for {args.duration} s"
            )
            log(f"{name}: {ours_n} results; each server and mode {ROUNDS} x {how}")
            ours_url_q = f"{ours_url}/sparql?query={encoded}"
            theirs_url_q = f"{theirs_url}/query?query={encoded}"
            floor_url_q = f"{floor_url}/sparql?query={encoded}"
            baseline_url_q = f"{baseline_url}/sparql?query={encoded}"
            for mode in ("repeated", "distinct"):
                distinct = mode == "distinct"
                ours_runs: list[tuple[float, float, int]] = []
                theirs_runs: list[tuple[float, float, int]] = []
                floor_runs: list[tuple[float, float, int]] = []
                baseline_runs: list[tuple[float, float, int]] = []
                for round_ in range(ROUNDS):  # alternate, so that a noisy neighbour hits all
                    pair = [(ours_url_q, ours_runs), (theirs_url_q, theirs_runs)]
                    if distinct and not slow:
                        pair.append((floor_url_q, floor_runs))
                    if args.baseline:
                        pair.append((baseline_url_q, baseline_runs))
                    for url, runs in pair if round_ % 2 == 0 else reversed(pair):
                        if slow:
                            runs.append(closed_loop(url, accept, distinct, args.slow_seconds))
                        else:
                            runs.append(wrk(url, accept, args.duration, args.connections, distinct))
                ours, theirs = _combine(ours_runs), _combine(theirs_runs)
                figures.append(
                    Figure(
                        name,
                        mode,
                        ours_n,
                        ours[0],
                        theirs[0],
                        ours[1],
                        theirs[1],
                        ours[2],
                        theirs[2],
                        slow,
                        _combine(floor_runs)[0] if floor_runs else None,
                        _combine(baseline_runs)[0] if baseline_runs else None,
                        _combine(baseline_runs)[1] if baseline_runs else None,
                    )
                )
                log(f"  {mode}: {ours[0]:.1f} vs {theirs[0]:.1f} req/s")
        export_seconds, export_bytes = time_export(ours_url)

    print(f"our server: {'graphsvc serve' if args.app == 'full' else 'the web routes alone'}")
    print(
        f"dataset: {args.practices} practices, {quads} quads; wrk -t2 -c{args.connections} "
        f"-d{args.duration}s x {ROUNDS} per query, mode and server, alternating (* queries over "
        f"{SLOW:g} s: {SLOW_REQUESTS}+ requests over {SLOW_MIN_SECONDS:g}+ s, "
        f"{SLOW_CONCURRENCY} at a time, x {ROUNDS}); {os.cpu_count()} CPUs shared by all"
    )
    print(
        "repeated: the same text in every request; distinct: a comment of its own in each, "
        "so every request is parsed and evaluated"
    )
    print(
        "floor: uvicorn + pyoxigraph and nothing else (bench/floor_endpoint.py), distinct mode, "
        "fast queries"
    )
    print(
        f"{'query':<24}{'mode':<10}{'results':>8}{'ours req/s':>12}{'oxigraph':>10}{'ratio':>9}"
        f"{'ours ms':>9}{'oxi ms':>8}{'floor':>10}{'floor/oxi':>10}"
        + (f"{'baseline':>10}{'ours/base':>10}{'base ms':>9}" if args.baseline else "")
    )
    if args.baseline:
        print(f"baseline: graphsvc serve as of {args.baseline}, same data, same rounds")
    for f in figures:
        flag = (
            ""
            if f.ours_errors == f.oxigraph_errors == 0
            else f"  (non-2xx: {f.ours_errors} ours, {f.oxigraph_errors} oxigraph)"
        )
        print(
            f"{f.query + ('*' if f.closed_loop else ''):<24}{f.mode:<10}{f.results:>8}"
            f"{f.ours_rps:>12.2f}{f.oxigraph_rps:>10.2f}"
            f"{f.ratio:>8.0%} {f.ours_latency_ms:>8.2f}{f.oxigraph_latency_ms:>8.2f}"
            + (
                f"{f.floor_rps:>10.1f}{f.floor_rps / f.oxigraph_rps:>10.0%}"
                if f.floor_rps
                else f"{'':>20}"
            )
            + (
                f"{f.baseline_rps:>10.1f}{f.ours_rps / f.baseline_rps:>10.0%}"
                f"{f.baseline_latency_ms or 0:>9.2f}"
                if f.baseline_rps
                else ""
            )
            + flag
        )
    print(
        f"full N-Triples export (/export/nt): {export_bytes / 1e6:.1f} MB in "
        f"{export_seconds:.2f} s ({export_bytes / 1e6 / export_seconds:.1f} MB/s)"
    )
    report = {
        "practices": args.practices,
        "quads": quads,
        "figures": [asdict(f) | {"ratio": f.ratio} for f in figures],
        "export_nt_seconds": export_seconds,
        "export_nt_bytes": export_bytes,
        "startup_seconds": {"graphsvc": ours_up, "oxigraph": theirs_up},
    }
    (args.workdir / "results.json").write_text(json.dumps(report, indent=2))
    return 0


def checkout(ref: str, workdir: Path) -> Path:
    """The project's source tree at git commit ``ref``, checked out once under ``workdir``."""
    root = Path(__file__).resolve().parents[1]
    commit = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--verify", f"{ref}^{{commit}}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    target = workdir / f"source-{commit[:12]}"
    if not (target / "graphsvc").is_dir():
        shutil.rmtree(target, ignore_errors=True)
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", "--format=tar", commit],
            check=True,
            capture_output=True,
        ).stdout
        target.mkdir(parents=True)
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


if __name__ == "__main__":
    sys.exit(main())
