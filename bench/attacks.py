"""How fast ``/healthz`` answers while the attacks of ``tests/security`` run, against idle.

    .venv/bin/python -m bench.attacks [--seconds 5] [--attackers 4]

Starts ``graphsvc serve`` on the seed data, then for each attack sends it from ``--attackers``
clients for ``--seconds`` while one client asks ``/healthz`` in a loop on a connection of its
own, and prints the health probes' median, p99 and maximum latency next to the same probes with
no attack (measured in the same run, first and last). The per-client limits are raised so that
the attacks reach the code they aim at instead of being turned away with 429.

This prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import httpx

from bench.common import BIN, free_port, log, stopping

__all__ = ["ATTACKS", "main"]

MIB = 1 << 20
CARTESIAN = "?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l"


def _sparql(text: str) -> Callable[[httpx.Client], object]:
    body = text.encode()
    return lambda client: client.post(
        "/sparql", content=body, headers={"Content-Type": "application/sparql-query"}
    )


def _graphql(query: str) -> Callable[[httpx.Client], object]:
    return lambda client: client.post("/graphql", json={"query": query})


def _fragment_bomb(levels: int) -> str:
    fragments = "".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}\n" for i in range(levels)
    )
    return "query Q { ...F0 }\n" + fragments + f"fragment F{levels} on Query {{ __typename }}\n"


ATTACKS: dict[str, Callable[[httpx.Client], object]] = {
    "SPARQL 1 MiB of parentheses": _sparql("ASK { FILTER(" + "(" * (MIB - 64) + "true) }"),
    "SPARQL 1 MiB unterminated escaped string": _sparql(
        "ASK { ?s ?p '" + "a\\'" * ((MIB - 64) // 3)
    ),
    "SPARQL 1 MiB of escapes": _sparql("ASK { ?s ?p '" + "\\u0041" * ((MIB - 64) // 6) + "' }"),
    "SPARQL 5,000 nested parentheses": _sparql("ASK { FILTER(" + "(" * 5000 + ")" * 5000 + ") }"),
    "SPARQL cartesian COUNT (killed at deadline)": _sparql(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ {CARTESIAN} }}"
    ),
    "SPARQL SERVICE glued to a prefixed name": _sparql(
        "PREFIX ex: <http://127.0.0.1:9/>\nSELECT * WHERE { SERVICEex:x { ?s ?p ?o } }"
    ),
    "GraphQL fragments spread twice, 40 levels": _graphql(_fragment_bomb(40)),
    "GraphQL 40 aliased introspections": _graphql(
        "{"
        + " ".join(f"i{i}: __schema {{ types {{ name fields {{ name }} }} }}" for i in range(40))
        + "}"
    ),
}


def probe(base: str, seconds: float) -> list[float]:
    """Latencies in ms of ``/healthz`` asked in a loop for ``seconds``."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    with httpx.Client(base_url=base, timeout=30) as client:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            client.get("/healthz").raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.005)
    return latencies


def under_attack(
    base: str, attack: Callable[[httpx.Client], object], attackers: int, seconds: float
) -> tuple[list[float], int]:
    """(health latencies, attack requests sent) while ``attackers`` clients repeat ``attack``."""
    # attackers in processes of their own, so that they do not slow the probe's interpreter
    context = multiprocessing.get_context("fork")
    stop = context.Event()
    sent = context.Value("i", 0)

    def attacker() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while not stop.is_set():
                attack(client)
                with sent.get_lock():
                    sent.value += 1

    processes = [context.Process(target=attacker) for _ in range(attackers)]
    for process in processes:
        process.start()
    time.sleep(0.3)  # the attack is under way before the probes start
    try:
        latencies = probe(base, seconds)
    finally:
        stop.set()
        for process in processes:
            process.join()
    return latencies, int(sent.value)


def summary(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"{len(ordered):>6}{statistics.median(ordered):>9.1f}{p99:>9.1f}{ordered[-1]:>9.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.attacks", description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--attackers", type=int, default=4)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ,
            "GRAPHSVC_DATA_DIR": data,
            "GRAPHSVC_SPARQL_TIMEOUT": "2",
            "GRAPHSVC_WEB_RATE_PER_ADDRESS": "1e9",
            "GRAPHSVC_WEB_BURST_PER_ADDRESS": "1000000000",
            "GRAPHSVC_WEB_CONCURRENCY_PER_ADDRESS": "100000",
            "GRAPHSVC_SPARQL_WORKERS_PER_CLIENT": "100000",
            "GRAPHSVC_RATE_PER_ADDRESS": "1e9",
            "GRAPHSVC_BURST_PER_ADDRESS": "1000000000",
        }
        command = [str(BIN / "graphsvc"), "serve", "--port", str(port), "--no-access-log"]
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        with stopping(process):
            _wait(base, process)
            rows = [("no attack (before)", probe(base, args.seconds), 0)]
            for name, attack in ATTACKS.items():
                log(f"attack: {name}")
                latencies, sent = under_attack(base, attack, args.attackers, args.seconds)
                rows.append((name, latencies, sent))
            rows.append(("no attack (after)", probe(base, args.seconds), 0))
    print(
        f"graphsvc serve on the seed data; {args.attackers} attacking clients, "
        f"{args.seconds:g} s per attack; /healthz latency in ms; {os.cpu_count()} CPUs shared"
    )
    print(f"{'attack':<46}{'sent':>6}{'probes':>6}{'median':>9}{'p99':>9}{'max':>9}")
    for name, latencies, sent in rows:
        print(f"{name:<46}{sent:>6}{summary(latencies)}")
    return 0


def _wait(base: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(1200):
        if process.poll() is not None:
            raise SystemExit(f"graphsvc serve exited with status {process.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("graphsvc serve did not start within 120 s")


if __name__ == "__main__":
    sys.exit(main())
