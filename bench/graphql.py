"""Throughput of ``/graphql`` for a typical front-end query against a plain Starlette endpoint.

    .venv/bin/python -m bench.graphql [--practices 10000] [--seed 1] [--duration 10]
                                      [--rounds 3] [--connections 4] [--pairs 200]
                                      [--cache-size 2000]
                                      [--workdir /tmp/graphsvc-bench-graphql]

The query (:data:`QUERY`) fetches a practice with its themes, PES, country and region, plus the
first 20 practices of one of its themes with their PES and country, cursors and page info: what
a practice page of a front end shows. Steps:

1. generate the synthetic dataset (``graphsvc generate``) and bulk-load it, with the ontology and
   seeds, into an embedded store; copy the store for the plain endpoint (a store has one owner);
2. start, each in its own process with one uvicorn worker and its own copy of the store, the
   plain endpoint (:mod:`bench.plain_endpoint`), ``graphsvc serve`` without its result cache
   and ``graphsvc serve`` with it; no access logs, no rate limits, every other setting is the
   default;
3. check that ``/graphql`` and the plain endpoint answer the same JSON for every request sent;
4. load each with ``wrk`` for ``--duration`` seconds, the servers in turn, ``--rounds`` times
   (the machine may be busy with other work; rounds spread that over all three): POST
   ``/graphql`` (``application/json`` body, variables) or GET ``/typical``, cycling through
   ``--pairs`` (practice, theme) pairs;
5. print the medians of the rounds: requests per second, the ratio to the plain endpoint and
   the latency percentiles, and the throughput of each round.

With the result cache the pairs repeat every ``--pairs`` requests, so after the first round every
answer is a cache hit: that figure is the cost of the HTTP and GraphQL layers around a cached
result, not of executing the query. The figure without the cache is the cost of execution.

This prints figures; it asserts nothing. The servers share the machine with the load generator.
"""

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
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx

from bench.common import BIN, free_port, log, prepare_stores, stopping

__all__ = ["QUERY", "Figure", "main"]

ROOT = Path(__file__).resolve().parent.parent

QUERY = """query PracticePage($id: ID!, $theme: ID!) {
  practice(id: $id) {
    id
    title
    abstract
    date
    year
    themes { nodes { id label } }
    pes { id label }
    country { id label }
    region { id label }
  }
  practices(filter: { themes: [$theme] }, first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id title year pes { label } country { label } } }
  }
}"""


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    rps: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    errors: int


SERVERS = ("plain", "graphql", "graphql-cached")
"""The three servers; each has its own copy of the store (an embedded store has one owner)."""


def wait_for(url: str, process: subprocess.Popen[bytes], what: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with status {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not answer within {timeout:g} s")


def server(
    command: list[str], env: dict[str, str]
) -> contextlib.AbstractContextManager[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return stopping(process)


def lua_script(path: Path, method: str, requests: list[tuple[str, str]]) -> Path:
    """A wrk script that cycles through ``requests`` ((path, body) pairs)."""
    entries = ",\n".join(
        f"  {{ {json.dumps(target)}, {json.dumps(body)} }}" for target, body in requests
    )
    headers = '{ ["Content-Type"] = "application/json" }' if method == "POST" else "{}"
    path.write_text(
        f"local requests = {{\n{entries}\n}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #requests + 1\n"
        "  local r = requests[i]\n"
        f'  return wrk.format("{method}", r[1], {headers}, r[2] ~= "" and r[2] or nil)\n'
        "end\n"
    )
    return path


_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_PERCENTILE = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_ERRORS = re.compile(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*timeout (\d+)")
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(name: str, url: str, script: Path, duration: int, connections: int) -> Figure:
    output = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(_RPS.search(output).group(1))  # type: ignore[union-attr]
    p = {int(k): float(v) * _UNIT[u] for k, v, u in _PERCENTILE.findall(output)}
    errors = sum(int(n) for match in _ERRORS.finditer(output) for n in match.groups() if n)
    return Figure(name, rps, p[50], p[75], p[90], p[99], errors)


def graphql_body(practice: str, theme: str) -> str:
    return json.dumps({"query": QUERY, "variables": {"id": practice, "theme": theme}})


def plain_target(practice: str, theme: str) -> str:
    return "/typical?" + urlencode({"id": practice, "theme": theme})


def check_same_answers(graphql_url: str, plain_url: str, pairs: list[tuple[str, str]]) -> None:
    with httpx.Client(timeout=60) as client:
        for practice, theme in pairs:
            ours = client.post(
                f"{graphql_url}/graphql",
                content=graphql_body(practice, theme),
                headers={"Content-Type": "application/json"},
            ).json()
            plain = client.get(plain_url + plain_target(practice, theme)).json()
            if ours != plain:
                raise SystemExit(f"different answers for {practice}, {theme}:\n{ours}\n{plain}")
            if ours["data"]["practice"] is None or not ours["data"]["practices"]["edges"]:
                raise SystemExit(f"an empty answer for {practice}, {theme}: {ours}")


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.graphql", description=__doc__)
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per server")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of load, servers in turn")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--pairs", type=int, default=200, help="distinct requests to cycle")
    parser.add_argument("--cache-size", type=int, default=2_000, help="result cache entries")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/graphsvc-bench-graphql"))
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (apt-get install -y wrk)")
    args.workdir.mkdir(parents=True, exist_ok=True)
    dirs, quads = prepare_stores(args.workdir, args.practices, args.seed, SERVERS)

    ports = {name: free_port() for name in SERVERS}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
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
        **{
            name: [
                str(BIN / "graphsvc"),
                "serve",
                "--port",
                str(ports[name]),
                "--no-seed",
                "--no-access-log",
            ]
            for name in SERVERS[1:]
        },
    }
    labels = {
        "plain": "plain Starlette",
        "graphql": "GraphQL, no result cache",
        "graphql-cached": "GraphQL, result cache",
    }
    environments = {"plain": dict(os.environ)}
    for name, cache_size in (("graphql", 0), ("graphql-cached", args.cache_size)):
        environments[name] = {
            **os.environ,
            "GRAPHSVC_DATA_DIR": str(dirs[name]),
            "GRAPHSVC_STORE": "oxigraph",
            "GRAPHSVC_LOAD_SEEDS": "false",
            "GRAPHSVC_RATE_PER_ADDRESS": "0",
            "GRAPHSVC_RATE_PER_TOKEN": "0",
            "GRAPHSVC_RESULT_CACHE_SIZE": str(cache_size),
        }
    rounds: dict[str, list[Figure]] = {name: [] for name in SERVERS}
    with contextlib.ExitStack() as stack:
        started = time.perf_counter()
        processes = {
            name: stack.enter_context(server(commands[name], environments[name]))
            for name in SERVERS
        }
        for name in SERVERS:
            wait_for(f"{urls[name]}/healthz", processes[name], labels[name])
        log(f"three servers ready in {time.perf_counter() - started:.1f} s")
        pairs = [
            (str(p), str(t))
            for p, t in httpx.get(
                f"{urls['plain']}/sample", params={"n": args.pairs, "seed": args.seed}, timeout=60
            ).json()
        ]
        for name in SERVERS[1:]:
            check_same_answers(urls[name], urls["plain"], pairs)
        log(f"/graphql and the plain endpoint give the same JSON for all {len(pairs)} requests")
        scripts = {
            "plain": lua_script(
                args.workdir / "plain.lua", "GET", [(plain_target(p, t), "") for p, t in pairs]
            ),
            "graphql": lua_script(
                args.workdir / "graphql.lua",
                "POST",
                [("/graphql", graphql_body(p, t)) for p, t in pairs],
            ),
        }
        for number in range(1, args.rounds + 1):
            for name in SERVERS:
                log(f"round {number}: {labels[name]}, {args.duration} s")
                script = scripts["plain" if name == "plain" else "graphql"]
                target = urls[name] + ("" if name == "plain" else "/graphql")
                rounds[name].append(
                    wrk(labels[name], target, script, args.duration, args.connections)
                )

    summary = {
        name: Figure(
            labels[name],
            median([f.rps for f in figures]),
            median([f.p50_ms for f in figures]),
            median([f.p75_ms for f in figures]),
            median([f.p90_ms for f in figures]),
            median([f.p99_ms for f in figures]),
            sum(f.errors for f in figures),
        )
        for name, figures in rounds.items()
    }
    plain = summary["plain"]
    print(
        f"dataset: {args.practices} practices ({quads} quads); {len(pairs)} distinct requests "
        f"cycled; wrk -t1 -c{args.connections} -d{args.duration}s per server and round, "
        f"{args.rounds} rounds; one uvicorn worker each; {os.cpu_count()} CPUs shared with wrk"
    )
    header = f"{'server':<28}{'req/s':>9}{'ratio':>7}{'p50 ms':>8}{'p75 ms':>8}{'p90 ms':>8}"
    print(f"{header}{'p99 ms':>8}   (medians of the rounds)")
    for f in summary.values():
        flag = "" if f.errors == 0 else f"  ({f.errors} errors!)"
        print(
            f"{f.name:<28}{f.rps:>9.1f}{f.rps / plain.rps:>6.0%} {f.p50_ms:>7.2f} {f.p75_ms:>7.2f}"
            f" {f.p90_ms:>7.2f} {f.p99_ms:>7.2f}{flag}"
        )
    print(
        "rounds (req/s): "
        + "; ".join(
            f"{labels[name]}: {', '.join(f'{f.rps:.0f}' for f in figures)}"
            for name, figures in rounds.items()
        )
    )
    report = {
        "practices": args.practices,
        "quads": quads,
        "connections": args.connections,
        "duration": args.duration,
        "pairs": len(pairs),
        "median": {n: asdict(f) | {"ratio": f.rps / plain.rps} for n, f in summary.items()},
        "rounds": {n: [asdict(f) for f in figures] for n, figures in rounds.items()},
    }
    (args.workdir / "results.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
