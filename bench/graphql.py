"""Throughput of ``/graphql`` for a typical front-end query against a plain Starlette endpoint.

    .venv/bin/python -m bench.graphql [--practices 10000] [--seed 1] [--duration 10]
                                      [--connections 4] [--pairs 200] [--cache-size 2000]
                                      [--workdir /tmp/graphsvc-bench-graphql]

The query (:data:`QUERY`) fetches a practice with its themes, PES, country and region, plus the
first 20 practices of one of its themes with their PES and country, cursors and page info: what
a practice page of a front end shows. Steps:

1. generate the synthetic dataset (``graphsvc generate``) and bulk-load it, with the ontology and
   seeds, into an embedded store; copy the store for the plain endpoint (a store has one owner);
2. start, one after the other and each in its own process with one uvicorn worker, the plain
   endpoint (:mod:`bench.plain_endpoint`), ``graphsvc serve`` without its result cache, and
   ``graphsvc serve`` with it; rate limits are off, every other setting is the default;
3. check that ``/graphql`` and the plain endpoint answer the same JSON for every request sent;
4. load each with ``wrk`` for ``--duration`` seconds: POST ``/graphql`` (``application/json``
   body, variables) or GET ``/typical``, cycling through ``--pairs`` (practice, theme) pairs;
5. print requests per second, the ratio to the plain endpoint and the latency percentiles.

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
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx

from graphsvc.settings import Settings
from graphsvc.store import OxigraphStore
from graphsvc.store.loading import load_ontology_and_seeds

__all__ = ["QUERY", "Figure", "main"]

BIN = Path(sys.executable).parent
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


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run(command: list[str | Path]) -> None:
    subprocess.run([str(c) for c in command], check=True, stdout=subprocess.DEVNULL)


def prepare(workdir: Path, practices: int, seed: int) -> tuple[Path, Path, int]:
    """(graphsvc's data dir, the plain endpoint's data dir, quads); built once per parameters."""
    tag = f"p{practices}-s{seed}"
    ours, plain = workdir / f"graphql-{tag}", workdir / f"plain-{tag}"
    done = workdir / f"{tag}.json"
    if done.is_file() and (ours / "store").is_dir() and (plain / "store").is_dir():
        return ours, plain, int(json.loads(done.read_text())["quads"])
    shutil.rmtree(ours, ignore_errors=True)
    shutil.rmtree(plain, ignore_errors=True)
    dump = workdir / f"synthetic-{tag}.nq.gz"
    if not dump.is_file():
        log(f"generating {practices} practices (seed {seed})")
        run(
            [
                BIN / "graphsvc",
                "generate",
                "--practices",
                str(practices),
                "--seed",
                str(seed),
                "-o",
                dump,
            ]
        )
    log("bulk-loading the synthetic dataset, the ontology and the seeds")
    run([BIN / "graphsvc", "--data-dir", ours, "--store", "oxigraph", "load", "--bulk", dump])
    store = OxigraphStore(ours / "store")
    settings = Settings()
    load_ontology_and_seeds(store, settings.ontology_dir, settings.seeds_dir)
    quads = len(store)
    store.close()
    shutil.copytree(ours / "store", plain / "store")
    done.write_text(json.dumps({"quads": quads}))
    return ours, plain, quads


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


@contextlib.contextmanager
def server(command: list[str], env: dict[str, str], probe: str, what: str) -> Iterator[None]:
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        started = time.perf_counter()
        wait_for(probe, process, what)
        log(f"{what} ready in {time.perf_counter() - started:.1f} s")
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.graphql", description=__doc__)
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per server")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--pairs", type=int, default=200, help="distinct requests to cycle")
    parser.add_argument("--cache-size", type=int, default=2_000, help="result cache entries")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/graphsvc-bench-graphql"))
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (apt-get install -y wrk)")
    args.workdir.mkdir(parents=True, exist_ok=True)
    ours_dir, plain_dir, quads = prepare(args.workdir, args.practices, args.seed)

    plain_port = free_port()
    plain_url = f"http://127.0.0.1:{plain_port}"
    plain_cmd = [
        str(BIN / "python"),
        "-m",
        "bench.plain_endpoint",
        "--data-dir",
        str(plain_dir),
        "--port",
        str(plain_port),
    ]
    figures: list[Figure] = []
    with server(plain_cmd, dict(os.environ), f"{plain_url}/healthz", "plain endpoint"):
        pairs = [
            (str(p), str(t))
            for p, t in httpx.get(
                f"{plain_url}/sample", params={"n": args.pairs, "seed": args.seed}, timeout=60
            ).json()
        ]
        plain_script = lua_script(
            args.workdir / "plain.lua", "GET", [(plain_target(p, t), "") for p, t in pairs]
        )
        graphql_script = lua_script(
            args.workdir / "graphql.lua",
            "POST",
            [("/graphql", graphql_body(p, t)) for p, t in pairs],
        )
        log(f"plain endpoint: loading for {args.duration} s")
        figures.append(
            wrk("plain Starlette", plain_url, plain_script, args.duration, args.connections)
        )

        for name, cache_size in (
            ("GraphQL, no result cache", 0),
            ("GraphQL, result cache", args.cache_size),
        ):
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            env = {
                **os.environ,
                "GRAPHSVC_DATA_DIR": str(ours_dir),
                "GRAPHSVC_STORE": "oxigraph",
                "GRAPHSVC_LOAD_SEEDS": "false",
                "GRAPHSVC_RATE_PER_ADDRESS": "0",
                "GRAPHSVC_RATE_PER_TOKEN": "0",
                "GRAPHSVC_RESULT_CACHE_SIZE": str(cache_size),
            }
            command = [str(BIN / "graphsvc"), "serve", "--port", str(port), "--no-seed"]
            with server(command, env, f"{url}/healthz", f"graphsvc ({name})"):
                check_same_answers(url, plain_url, pairs)
                log(f"{name}: same JSON as the plain endpoint for {len(pairs)} requests; loading")
                figures.append(
                    wrk(name, f"{url}/graphql", graphql_script, args.duration, args.connections)
                )

    plain = figures[0]
    print(
        f"dataset: {args.practices} practices ({quads} quads); {len(pairs)} distinct requests "
        f"cycled; wrk -t1 -c{args.connections} -d{args.duration}s per server; one uvicorn "
        f"worker each; {os.cpu_count()} CPUs shared with wrk"
    )
    print(
        f"{'server':<28}{'req/s':>9}{'ratio':>7}{'p50 ms':>8}{'p75 ms':>8}{'p90 ms':>8}{'p99 ms':>8}"
    )
    for f in figures:
        flag = "" if f.errors == 0 else f"  ({f.errors} errors!)"
        print(
            f"{f.name:<28}{f.rps:>9.1f}{f.rps / plain.rps:>6.0%} {f.p50_ms:>7.2f} {f.p75_ms:>7.2f}"
            f" {f.p90_ms:>7.2f} {f.p99_ms:>7.2f}{flag}"
        )
    report = {
        "practices": args.practices,
        "quads": quads,
        "connections": args.connections,
        "duration": args.duration,
        "pairs": len(pairs),
        "figures": [asdict(f) | {"ratio": f.rps / plain.rps} for f in figures],
    }
    (args.workdir / "results.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
