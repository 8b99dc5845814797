"""CPU cost per request of the observing middleware (:mod:`graphsvc.http.observe`), in process.

    .venv/bin/python -m bench.observe_overhead [--practices 10000] [--seed 1] [--requests 1000]
                                               [--rounds 31] [--baseline REF]
                                               [--workdir /tmp/graphsvc-bench-observe]

One ``create_app`` application on the synthetic dataset (generated and bulk-loaded as in
:mod:`bench.graphql`, into a store of its own) is driven through ASGI calls, no sockets, no
server: ``--requests`` identical requests in a row, of each kind:

- **graphql**: ``POST /graphql`` with :data:`bench.graphql.QUERY` (operation ``PracticePage``)
  for one practice and theme, answered from the GraphQL result cache;
- **sparql**: ``GET /sparql`` with the point lookup of :mod:`bench.sparql`, answered from the
  SPARQL answer cache.

Each kind goes through the same application built with different outermost middleware:

- **bare**: without the observing middleware (every other layer as served);
- **observed**: as served, with :class:`graphsvc.http.observe.Observe` (access log off, as
  the throughput benchmarks run it);
- **baseline** (with ``--baseline REF``): with the ``Observe`` of ``graphsvc/http/observe.py``
  as it was at git commit ``REF``, so that the cost before and after a change is measured in
  the same run, on the same machine state.

The stacks take turns within each round (in turn forwards and backwards); a stack's figure is
the median over ``--rounds`` of the CPU time (``time.process_time``) per request, and the
middleware's cost the median of its differences to the bare stack round by round. Rate limits are off (GraphQL) or out of reach (SPARQL), as in the throughput
benchmarks. This prints figures; it asserts nothing but that every answer is a 200.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any, cast
from urllib.parse import urlencode

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Scope

from bench.common import log, prepare_stores
from bench.graphql import QUERY
from bench.sparql import JSON_RESULTS, QUERIES, named_resources, naming
from graphsvc.app import create_app
from graphsvc.http.observe import Observe
from graphsvc.settings import PROJECT_ROOT, Settings
from graphsvc.web.front import ServiceApp

__all__ = ["main"]

NAMES = ("observe",)
"""The one data directory this benchmark prepares (an embedded store has one owner)."""


def baseline_observe(ref: str) -> type[Any]:
    """The ``Observe`` class of ``graphsvc/http/observe.py`` at git commit ``ref``."""
    source = subprocess.run(
        ["git", "show", f"{ref}:graphsvc/http/observe.py"],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    spec = importlib.util.spec_from_loader("graphsvc_observe_baseline", loader=None)
    assert spec is not None
    module = ModuleType(spec.name)
    sys.modules[spec.name] = module  # dataclasses and typing look modules up by name
    exec(compile(source, f"observe.py@{ref}", "exec"), module.__dict__)
    observe: type[Any] = module.Observe
    return observe


def stacks(app: ServiceApp, baseline: type[Any] | None) -> dict[str, ASGIApp]:
    """The application's middleware stack without ``Observe``, with it, and with the
    baseline's ``Observe`` in its place (same arguments)."""
    outer = app.outer
    index = next(i for i, m in enumerate(outer) if cast(object, m.cls) is Observe)
    built: dict[str, ASGIApp] = {}
    app.outer = outer[:index] + outer[index + 1 :]
    built["bare"] = app.build_middleware_stack()
    if baseline is not None:
        middleware = outer[index]
        swapped = Middleware(cast(Any, baseline), *middleware.args, **middleware.kwargs)
        app.outer = (*outer[:index], swapped, *outer[index + 1 :])
        built["baseline"] = app.build_middleware_stack()
    app.outer = outer
    built["observed"] = app.build_middleware_stack()
    return built


def request_scope(
    app: ServiceApp, method: str, path: str, query: bytes, headers: list[Any]
) -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query,
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "app": app,
    }


class Driver:
    """Sends one request, again and again, to an ASGI application, as a server would: a fresh
    scope (and state) each time, the body in one message."""

    def __init__(self, app: ServiceApp, template: Scope, body: bytes) -> None:
        self.app = app
        self.template = template
        self.request: Message = {"type": "http.request", "body": body, "more_body": False}
        self.statuses: list[int] = []

    async def receive(self) -> Message:
        return self.request

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.statuses.append(message["status"])

    async def run(self, stack: ASGIApp, count: int) -> float:
        """CPU seconds per request over ``count`` requests through ``stack``."""
        template, receive, send = self.template, self.receive, self.send
        self.statuses.clear()
        started = time.process_time()
        for _ in range(count):
            scope = dict(template)
            scope["headers"] = list(template["headers"])
            scope["state"] = {}
            await stack(scope, receive, send)
        elapsed = time.process_time() - started
        if set(self.statuses) != {200} or len(self.statuses) != count:
            raise SystemExit(f"{template['path']}: answers {sorted(set(self.statuses))}, not 200")
        return elapsed / count


def drivers(app: ServiceApp, practice: str, theme: str, iris: dict[str, str]) -> dict[str, Driver]:
    body = json.dumps(
        {
            "query": QUERY,
            "variables": {"id": practice, "theme": theme},
            "operationName": "PracticePage",
        }
    ).encode()
    graphql = request_scope(
        app,
        "POST",
        "/graphql",
        b"",
        [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"accept", b"application/json"),
        ],
    )
    query, accept = naming(QUERIES, iris)["point lookup"]
    sparql = request_scope(
        app,
        "GET",
        "/sparql",
        urlencode({"query": query}).encode(),
        [(b"host", b"127.0.0.1:8000"), (b"accept", accept.encode())],
    )
    assert accept == JSON_RESULTS
    return {"graphql": Driver(app, graphql, body), "sparql": Driver(app, sparql, b"")}


def a_practice_and_theme(app: ServiceApp) -> tuple[str, str]:
    """A practice with a theme, as :mod:`bench.plain_endpoint` samples them (its IRIs)."""
    practices = app.state.services.read_model.practices
    iri = sorted(i for i, p in practices.items() if p.themes)[len(practices) // 2]
    return iri, sorted(practices[iri].themes)[0]


async def measure(
    app: ServiceApp,
    built: dict[str, ASGIApp],
    requests: int,
    rounds: int,
    iris: dict[str, str],
) -> dict[str, dict[str, list[float]]]:
    practice, theme = a_practice_and_theme(app)
    kinds = drivers(app, practice, theme, iris)
    for driver in kinds.values():  # fill the caches, warm every stack
        for stack in built.values():
            await driver.run(stack, 50)
    figures: dict[str, dict[str, list[float]]] = {
        kind: {name: [] for name in built} for kind in kinds
    }
    for number in range(1, rounds + 1):
        if number % 10 == 1:
            log(f"round {number} of {rounds}")
        for kind, driver in kinds.items():
            names = list(built) if number % 2 else list(reversed(built))
            for name in names:
                gc.collect()
                figures[kind][name].append(await driver.run(built[name], requests))
    return figures


async def run(
    settings: Settings, args: argparse.Namespace, iris: dict[str, str]
) -> dict[str, dict[str, list[float]]]:
    app = create_app(settings)
    assert isinstance(app, ServiceApp)
    baseline = baseline_observe(args.baseline) if args.baseline else None
    async with app.router.lifespan_context(app):
        return await measure(app, stacks(app, baseline), args.requests, args.rounds, iris)


def report(figures: dict[str, dict[str, list[float]]], describe: Callable[[str], str]) -> list[str]:
    """Per stack: the median and the least CPU time per request over the rounds; and the
    middleware's cost: the median, first and third quartile of the differences to the bare
    stack measured in the same round (load that comes and goes weighs on both alike)."""
    lines = [
        f"{'request':<10}{'stack':<12}{'median µs':>10}{'min µs':>8}"
        f"{'middleware µs':>15}{'(quartiles)':>16}"
    ]
    for kind, by_stack in figures.items():
        bare = by_stack["bare"]
        for name, values in by_stack.items():
            row = f"{kind:<10}{describe(name):<12}"
            row += f"{statistics.median(values) * 1e6:>10.1f}{min(values) * 1e6:>8.1f}"
            if name != "bare":
                extra = [(v - b) * 1e6 for v, b in zip(values, bare, strict=True)]
                low, middle, high = statistics.quantiles(extra, n=4)
                row += f"{middle:>+15.1f}{f'{low:+.1f} … {high:+.1f}':>16}"
            lines.append(row)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.observe_overhead", description=__doc__)
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=1_000, help="requests per stack and round")
    parser.add_argument("--rounds", type=int, default=31)
    parser.add_argument("--baseline", metavar="REF", help="also measure Observe as of this commit")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/graphsvc-bench-observe"))
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    dirs, quads = prepare_stores(args.workdir, args.practices, args.seed, NAMES)
    iris = named_resources(dirs["observe"] / "store")
    settings = Settings(
        data_dir=dirs["observe"],
        store="oxigraph",
        load_seeds=False,
        access_log=False,
        rate_per_address=0,
        rate_per_token=0,
        # the per-client limits of /sparql stay on, so their check is measured, out of reach
        web_rate_per_address=1e9,
        web_burst_per_address=1_000_000_000,
        web_concurrency_per_address=100_000,
    )
    started = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):
        figures = asyncio.run(run(settings, args, iris))
    log(f"measured in {time.perf_counter() - started:.0f} s")
    head = "unknown"
    with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    def describe(name: str) -> str:
        return {"baseline": f"@{args.baseline}", "observed": f"@{head}+"}.get(name, name)

    print(
        f"dataset: {args.practices} practices ({quads} quads); {args.requests} identical "
        f"requests per stack and round, {args.rounds} rounds; access log off; "
        f"{os.cpu_count()} CPUs (shared); @{head}+ is the working tree"
    )
    print("\n".join(report(figures, describe)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
