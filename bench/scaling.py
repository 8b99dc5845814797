"""Throughput with one and two workers, side by side, in one run.

    .venv/bin/python -m bench.scaling [--practices 10000] [--seed 1] [--duration 10]
                                      [--connections 16] [--workdir /tmp/graphsvc-bench-scaling]

Builds the synthetic dataset once (``bench.common.prepare_stores``), then serves it in turn, one
server at a time on loopback, each from its own copy of the store:

* ``graphsvc serve`` (one worker, the embedded store in the process);
* ``graphsvc serve --workers 2`` (two workers over the ``oxigraph serve`` the service starts on
  its store; docs/scaling.md);
* the references: the plain Starlette endpoint computing the typical GraphQL query's JSON
  (``bench.plain_endpoint``), ``oxigraph serve-read-only`` for SPARQL, and the floor under any
  Python SPARQL endpoint here (``bench.floor_endpoint``: uvicorn and pyoxigraph, one process).

Workloads (wrk, ``--connections`` connections): the typical front-end GraphQL query over 200
distinct (practice, theme) pairs; the SPARQL point lookup and 2-hop join of ``bench.sparql``, in
distinct mode (every request's text differs, so no cache helps). Prints requests per second,
the ratio of two workers to one, and the ratio to the reference. The load generator shares the
machine's cores with the servers. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from bench.common import BIN, free_port, log, prepare_stores
from bench.graphql import graphql_body, lua_script, median, plain_target, server, wait_for
from bench.graphql import wrk as wrk_script
from bench.sparql import JSON_RESULTS, PREFIXES, QUERIES, count_results, named_resources, naming
from bench.sparql import wrk as wrk_sparql

__all__ = ["main"]

NAMES = ("one", "two", "plain", "oxigraph")
SPARQL = ("point lookup", "2-hop join")
_LIMITS_OFF = {
    "GRAPHSVC_RATE_PER_ADDRESS": "0",
    "GRAPHSVC_RATE_PER_TOKEN": "0",
    "GRAPHSVC_WEB_RATE_PER_ADDRESS": "1e9",
    "GRAPHSVC_WEB_BURST_PER_ADDRESS": "1000000000",
    "GRAPHSVC_WEB_CONCURRENCY_PER_ADDRESS": "100000",
    "GRAPHSVC_SPARQL_WORKERS_PER_CLIENT": "100000",
    "GRAPHSVC_SPARQL_TIMEOUT": "60",
    "GRAPHSVC_LOAD_SEEDS": "false",
    "GRAPHSVC_RESULT_CACHE_SIZE": "0",  # every GraphQL request executes
}


def _sparql_url(base: str, query: str) -> str:
    return f"{base}?query={quote(PREFIXES + query, safe='')}"


def _taken(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def visibility(data_dir: Path, ports: int, workers: int, writes: int = 20) -> list[float]:
    """Seconds from each acknowledged create through worker 0 to the practice being answered
    by worker 1's GraphQL."""
    from graphsvc.edit.auth import TokenRegistry, tokens_path
    from graphsvc.settings import Settings

    _, token = TokenRegistry(tokens_path(Settings(data_dir=data_dir))).create("admin", "bench")
    create = """mutation C($i: CreatePracticeInput!) { createPractice(input: $i) {
      ... on PracticeCreated { id } } }"""
    read = "query($id: ID!) { practice(id: $id) { id } }"
    delays = []
    with (
        httpx.Client(base_url=f"http://127.0.0.1:{ports}", timeout=30) as writer,
        httpx.Client(base_url=f"http://127.0.0.1:{ports + workers - 1}", timeout=30) as reader,
    ):
        for n in range(writes):
            practice = {
                "title": [{"lang": "en", "text": f"Freshness probe {n}"}],
                "themes": ["youth-guarantee"],
                "country": "DEU",
                "pes": "https://w3id.org/graphsvc/id/pes/deu-ba",
                "date": "2024",
                "sources": ["https://example.org/probe"],
            }
            answer = writer.post(
                "/graphql",
                json={"query": create, "variables": {"i": practice}},
                headers={"Authorization": f"Bearer {token}"},
            )
            iri = answer.json()["data"]["createPractice"]["id"]
            acknowledged = time.perf_counter()
            while True:
                found = reader.post("/graphql", json={"query": read, "variables": {"id": iri}})
                if found.json()["data"]["practice"] is not None:
                    break
                time.sleep(0.005)
            delays.append(time.perf_counter() - acknowledged)
    return delays


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scaling", description=__doc__)
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per figure")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="rounds; medians are printed")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/graphsvc-bench-scaling"))
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (apt-get install -y wrk)")
    args.workdir.mkdir(parents=True, exist_ok=True)
    dirs, quads = prepare_stores(args.workdir, args.practices, args.seed, NAMES)
    queries = naming(QUERIES, named_resources(dirs["oxigraph"] / "store"))
    runs: dict[tuple[str, str], list[float]] = {}
    errors = 0

    def graphql_load(url: str, script: Path, key: tuple[str, str]) -> None:
        nonlocal errors
        figure = wrk_script(key[1], url, script, args.duration, args.connections)
        runs.setdefault(key, []).append(figure.rps)
        errors += figure.errors
        log(f"{key[0]} / {key[1]}: {figure.rps:.0f} req/s")

    def sparql_load(endpoint: str, key: str, config: str) -> None:
        nonlocal errors
        rps, _, failed = wrk_sparql(
            _sparql_url(endpoint, queries[key][0]),
            JSON_RESULTS,
            args.duration,
            args.connections,
            True,
        )
        runs.setdefault((key, config), []).append(rps)
        errors += failed
        log(f"{key} / {config}: {rps:.0f} req/s")

    ports = {name: free_port() for name in ("plain", "oxigraph", "floor", "one", "two")}
    own = free_port()
    while any(_taken(own + i) for i in range(2)):
        own = free_port()
    store_of = {name: str(dirs[name] / "store") for name in ("oxigraph", "plain")}
    commands = {
        "plain": [
            str(BIN / "python"),
            "-m",
            "bench.plain_endpoint",
            "--data-dir",
            str(dirs["plain"]),
            "--port",
            str(ports["plain"]),
        ],
        "oxigraph": [
            str(BIN / "oxigraph"),
            "serve-read-only",
            "--union-default-graph",  # as /sparql: the default graph is the union of all
            "--location",
            store_of["oxigraph"],
            "--bind",
            f"127.0.0.1:{ports['oxigraph']}",
        ],
        # the floor reads Oxigraph's copy read-only, beside Oxigraph's read-only server
        "floor": [
            sys.executable,
            "-m",
            "bench.floor_endpoint",
            store_of["oxigraph"],
            str(ports["floor"]),
        ],
        "one": [str(BIN / "graphsvc"), "serve", "--port", str(ports["one"]), "--no-access-log"],
        "two": [
            str(BIN / "graphsvc"),
            "serve",
            "--port",
            str(ports["two"]),
            "--no-access-log",
            "--workers",
            "2",
            "--worker-ports",
            str(own),
        ],
    }
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    health = {
        "plain": "/healthz",
        "oxigraph": "/query?query=ASK%7B%7D",
        "floor": "/?query=ASK%7B%7D",
        "one": "/healthz",
        "two": "/healthz",
    }
    with contextlib.ExitStack() as stack:
        started = time.perf_counter()
        for name, command in commands.items():
            env = dict(os.environ)
            if name in ("one", "two"):
                env |= {**_LIMITS_OFF, "GRAPHSVC_DATA_DIR": str(dirs[name])}
            process = stack.enter_context(server(command, env))
            wait_for(urls[name] + health[name], process, name)
        for _ in range(20):  # every worker has answered once before the load starts
            with contextlib.suppress(httpx.HTTPError):
                httpx.post(f"{urls['two']}/graphql", json={"query": "{ __typename }"}, timeout=60)
        log(f"five servers ready in {time.perf_counter() - started:.1f} s")
        sample = httpx.get(f"{urls['plain']}/sample", params={"n": 200, "seed": args.seed})
        pairs = [(str(p), str(t)) for p, t in sample.json()]
        plain_lua = lua_script(
            args.workdir / "plain.lua", "GET", [(plain_target(p, t), "") for p, t in pairs]
        )
        graphql_lua = lua_script(
            args.workdir / "graphql.lua",
            "POST",
            [("/graphql", graphql_body(p, t)) for p, t in pairs],
        )
        for key in SPARQL:  # the same answers everywhere, or the figures compare nothing
            counts = {
                name: count_results(url, PREFIXES + queries[key][0], JSON_RESULTS)[0]
                for name, url in (
                    ("oxigraph", f"{urls['oxigraph']}/query"),
                    ("floor", f"{urls['floor']}/"),
                    ("one", f"{urls['one']}/sparql"),
                    ("two", f"{urls['two']}/sparql"),
                )
            }
            if len(set(counts.values())) != 1 or not counts["oxigraph"]:
                raise SystemExit(f"{key}: different or empty answers {counts}")
            log(f"{key}: {counts['oxigraph']} results from every server")
        for number in range(1, args.rounds + 1):  # rounds alternate between the servers
            log(f"round {number}")
            graphql_load(
                urls["plain"] + "/typical", plain_lua, ("typical GraphQL query", "reference")
            )
            for name, config in (("one", "1 worker"), ("two", "2 workers")):
                graphql_load(
                    f"{urls[name]}/graphql", graphql_lua, ("typical GraphQL query", config)
                )
            for key in SPARQL:
                sparql_load(f"{urls['oxigraph']}/query", key, "reference")
                for name, config in (("one", "1 worker"), ("two", "2 workers")):
                    sparql_load(f"{urls[name]}/sparql", key, config)
            sparql_load(f"{urls['floor']}/", "point lookup", "floor")
        freshness = visibility(dirs["two"], own, 2)
    figures = {key: median(values) for key, values in runs.items()}

    print(
        f"dataset: {args.practices} practices ({quads} quads); wrk -c{args.connections} "
        f"-d{args.duration}s per figure, medians of {args.rounds} rounds alternating between "
        f"the servers; {os.cpu_count()} CPUs shared with wrk; one run"
    )
    print(
        f"{'workload':<24}{'1 worker':>10}{'2 workers':>11}{'scaling':>9}"
        f"{'reference':>11}{'2w/ref':>8}{'1w/ref':>8}"
    )
    for workload in ("typical GraphQL query", *SPARQL):
        one, two = figures[(workload, "1 worker")], figures[(workload, "2 workers")]
        ref = figures[(workload, "reference")]
        print(
            f"{workload:<24}{one:>10.0f}{two:>11.0f}{two / one:>8.2f}x"
            f"{ref:>11.0f}{two / ref:>8.2f}{one / ref:>8.2f}"
        )
    floor_rps = figures[("point lookup", "floor")]
    print(
        f"floor (uvicorn + pyoxigraph, one process) on the point lookup: {floor_rps:.0f} req/s, "
        f"{floor_rps / figures[('point lookup', 'reference')]:.2f} of Oxigraph's server"
    )
    print("references: plain Starlette endpoint (GraphQL), oxigraph serve-read-only (SPARQL)")
    delays = sorted(freshness)
    print(
        f"a write through worker 0 read through worker 1 (GraphQL), {len(delays)} writes: "
        f"median {delays[len(delays) // 2] * 1000:.0f} ms, max {delays[-1] * 1000:.0f} ms"
    )
    print(f"failed requests: {errors}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
