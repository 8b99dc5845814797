"""Load test: 60 s of the benchmark mix against ``graphsvc serve --workers 2``, loopback only.

    .venv/bin/python -m bench.loadtest [--practices 10000] [--duration 60] [--connections 16]
                                       [--workers 2] [--workdir /tmp/graphsvc-bench-scaling]

The mix, cycled by one wrk Lua script: the typical front-end GraphQL query (half the requests,
200 distinct pairs), SPARQL point lookups of distinct practices (a quarter) and ``/id/…`` of
distinct practices as Turtle (a quarter). While it runs, writes go on: a practice is created,
changed and deleted through the service every second, so the workers follow each other's
changes under load. Prints throughput and the p50/p99 latency; exits non-zero if any request
failed (a non-2xx answer, a socket error or a timeout): the one thing it asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx

from bench.common import BIN, free_port, log, prepare_stores
from bench.graphql import QUERY, server, wait_for
from bench.scaling import _LIMITS_OFF

__all__ = ["main"]

_PERCENTILE = re.compile(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}
_COUNTS = re.compile(r"(\d+) requests in")
_ERRORS = re.compile(
    r"Non-2xx or 3xx responses: (\d+)|Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
)


def mix_script(path: Path, pairs: list[tuple[str, str]]) -> Path:
    requests = []
    for i, (practice, theme) in enumerate(pairs):
        body = json.dumps({"query": QUERY, "variables": {"id": practice, "theme": theme}})
        requests.append(("POST", "/graphql", body))
        if i % 2 == 0:
            query = f"SELECT ?p ?o WHERE {{ <{practice}> ?p ?o }}"
            requests.append(("GET", "/sparql?" + urlencode({"query": query}, quote_via=quote), ""))
        else:
            requests.append(("GET", "/id/" + practice.split("/id/", 1)[1], ""))
    entries = ",\n".join(
        f"  {{ {json.dumps(m)}, {json.dumps(t)}, {json.dumps(b)} }}" for m, t, b in requests
    )
    path.write_text(
        f"local requests = {{\n{entries}\n}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #requests + 1\n"
        "  local r = requests[i]\n"
        "  if r[1] == 'POST' then\n"
        "    return wrk.format('POST', r[2], { ['Content-Type'] = 'application/json' }, r[3])\n"
        "  end\n"
        "  return wrk.format('GET', r[2], { ['Accept'] = 'text/turtle, application/sparql-results+json' })\n"
        "end\n"
    )
    return path


def _writer(base: str, token: str, stop: threading.Event, failures: list[str]) -> int:
    create = """mutation C($i: CreatePracticeInput!) { createPractice(input: $i) {
      __typename ... on PracticeCreated { id } } }"""
    update = """mutation U($id: ID!, $i: UpdatePracticeInput!) { updatePractice(id: $id, input: $i) {
      __typename } }"""
    delete = "mutation D($id: ID!) { deletePractice(id: $id) { __typename } }"
    headers = {"Authorization": f"Bearer {token}"}
    done = 0
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        while not stop.wait(1.0):
            practice = {
                "title": [{"lang": "en", "text": f"Load test practice {done}"}],
                "themes": ["youth-guarantee"],
                "country": "DEU",
                "pes": "https://w3id.org/graphsvc/id/pes/deu-ba",
                "date": "2024",
                "sources": ["https://example.org/load"],
            }
            answer = client.post("/graphql", json={"query": create, "variables": {"i": practice}})
            result = answer.json().get("data", {}).get("createPractice") or {}
            if result.get("__typename") != "PracticeCreated":
                failures.append(answer.text[:300])
                continue
            iri = result["id"]
            changed = {"title": [{"lang": "en", "text": f"Load test practice {done} (changed)"}]}
            for query, variables in ((update, {"id": iri, "i": changed}), (delete, {"id": iri})):
                answer = client.post("/graphql", json={"query": query, "variables": variables})
                if answer.status_code != 200 or "errors" in answer.json():
                    failures.append(answer.text[:300])
            done += 1
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__)
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/graphsvc-bench-scaling"))
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (apt-get install -y wrk)")
    args.workdir.mkdir(parents=True, exist_ok=True)
    dirs, quads = prepare_stores(args.workdir, args.practices, args.seed, ("load",))
    # each run writes: it serves a copy, so that every run starts from the same prepared store
    data = args.workdir / "load-run"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(dirs["load"], data)
    try:
        return _run(args, data, quads)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def _run(args: argparse.Namespace, data: Path, quads: int) -> int:
    from graphsvc.edit.auth import TokenRegistry, tokens_path
    from graphsvc.settings import Settings

    _, token = TokenRegistry(tokens_path(Settings(data_dir=data))).create("admin", "load")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(BIN / "graphsvc"), "serve", "--port", str(port), "--no-access-log"]
    command += ["--workers", str(args.workers)]
    env = {**os.environ, **_LIMITS_OFF, "GRAPHSVC_DATA_DIR": str(data)}
    with server(command, env) as process:
        wait_for(f"{base}/healthz", process, "graphsvc serve")
        sample = httpx.post(
            f"{base}/sparql",
            data={
                "query": "SELECT ?p ?t WHERE { ?p a pes:GoodPractice ; dct:subject ?t } LIMIT 2000"
            },
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        ).json()["results"]["bindings"]
        pairs = [(row["p"]["value"], row["t"]["value"]) for row in sample][::10][:200]
        script = mix_script(args.workdir / "mix.lua", pairs)
        stop, failures = threading.Event(), list[str]()
        writes: list[int] = []
        writer = threading.Thread(
            target=lambda: writes.append(_writer(base, token, stop, failures)), daemon=True
        )
        writer.start()
        log(f"{args.duration} s of the mix with {args.workers} workers, writes every second")
        started = time.perf_counter()
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{args.connections}",
                f"-d{args.duration}s",
                "--timeout",
                "10s",
                "--latency",
                "-s",
                str(script),
                base,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        stop.set()
        writer.join(timeout=60)
        elapsed = time.perf_counter() - started
    percentiles = {int(k): float(v) * _UNIT[u] for k, v, u in _PERCENTILE.findall(output)}
    total = int(_COUNTS.search(output).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for m in _ERRORS.finditer(output) for n in m.groups() if n)
    print(
        f"dataset: {args.practices} practices ({quads} quads); {args.workers} workers; "
        f"wrk -t2 -c{args.connections} -d{args.duration}s on loopback; {os.cpu_count()} CPUs"
    )
    print(
        f"mix: GraphQL typical query 1/2, SPARQL point lookup 1/4, /id Turtle 1/4; "
        f"{total} requests, {total / elapsed:.0f} req/s"
    )
    print(
        f"latency p50 {percentiles[50]:.1f} ms, p90 {percentiles[90]:.1f} ms, "
        f"p99 {percentiles[99]:.1f} ms"
    )
    print(f"writes meanwhile: {writes[0] if writes else 0} create+update+delete cycles")
    print(f"errors: {errors} failed requests, {len(failures)} failed writes")
    for failure in failures[:5]:
        print(f"  {failure}")
    return 1 if errors or failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
