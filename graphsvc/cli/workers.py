"""``graphsvc serve --workers N``: one dataset served by N processes.

The parent binds the listening socket and starts N worker processes that accept on it (each one
the whole application: read model, recommendation index, GraphQL, SPARQL, feeds). They share one
store:

* ``oxigraph`` (embedded, the default): RocksDB admits one process, so the parent seeds the store
  if it is empty and then starts ``oxigraph serve`` on it, on a free loopback port, and owns it;
  the workers use it as a remote store (docs/scaling.md says why this design and what it costs);
* ``sparql``: the workers use the remote store itself; the parent seeds it if it is empty;
* ``memory``: refused, as a store in memory cannot be shared.

A write through any worker is committed with the next revision number (commits are serialised
across the workers by a file lock in the data directory), and every worker follows the revisions
(:class:`graphsvc.feed.follow.ChangeFeed`), so it is visible through all of them within
``GRAPHSVC_FEED_POLL_INTERVAL`` plus the refresh time.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from multiprocessing.process import BaseProcess
from pathlib import Path

import httpx

from graphsvc.errors import ConfigurationError, StoreError
from graphsvc.settings import Settings

__all__ = ["owned_oxigraph_server", "oxigraph_binary", "serve_workers"]

log = logging.getLogger(__name__)


def oxigraph_binary() -> Path:
    """The ``oxigraph`` command installed beside this Python (the ``oxigraph`` package)."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.exists():
        return beside
    found = shutil.which("oxigraph")
    if found is None:
        raise ConfigurationError(
            "GRAPHSVC_WORKERS",
            "several workers over the embedded store need the `oxigraph` command "
            "(pip install oxigraph)",
        )
    return Path(found)


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, params={"query": "ASK {}"}, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def owned_oxigraph_server(location: Path, timeout: float = 60.0) -> Iterator[str]:
    """Run ``oxigraph serve`` on the store at ``location`` on a loopback port; yields its base
    URL, stops it (which flushes and unlocks the store) on exit."""
    port = _free_port("127.0.0.1")
    process = subprocess.Popen(
        [
            str(oxigraph_binary()),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while not _answers(f"{base}/query"):
            if process.poll() is not None:
                err = process.stderr.read().decode(errors="replace") if process.stderr else ""
                raise StoreError(f"oxigraph serve on {location} exited: {err.strip()[-500:]}")
            if time.monotonic() > deadline:
                raise StoreError(f"oxigraph serve on {location} did not answer in {timeout:.0f} s")
            time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def _seed(settings: Settings) -> None:
    """Load the ontology and seeds into an empty store, once, before any worker starts."""
    from graphsvc.store import open_store
    from graphsvc.store.loading import load_ontology_and_seeds
    from graphsvc.store.verdicts import Verdicts

    if not settings.load_seeds:
        return
    store = open_store(settings)
    try:
        if store.is_empty():
            report = load_ontology_and_seeds(
                store,
                settings.ontology_dir,
                settings.seeds_dir,
                verdicts=Verdicts.at(settings.cache_dir),
            )
            log.info("loaded %d quads of ontology and seeds", report.quads)
    finally:
        store.close()


def _listen(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _worker(settings: Settings, sockets: list[socket.socket], access_log: bool) -> None:
    """One worker process: the whole application, accepting on ``sockets``."""
    import uvicorn

    from graphsvc.app import create_app
    from graphsvc.http.timeouts import uvicorn_options

    config = uvicorn.Config(
        create_app(settings),
        log_level="info",
        access_log=access_log,
        **uvicorn_options(settings),
    )
    uvicorn.Server(config).run(sockets=sockets)


def serve_workers(settings: Settings, *, access_log: bool, worker_ports: int | None) -> int:
    """Serve ``settings.workers`` processes on one port; ``worker_ports``: worker ``i`` also
    listens on ``worker_ports + i`` (to reach one worker: health checks, tests)."""
    if settings.store == "memory":
        raise ConfigurationError(
            "GRAPHSVC_WORKERS", "a store in memory cannot be shared: use oxigraph or sparql"
        )
    with contextlib.ExitStack() as stack:
        if settings.store == "oxigraph":
            _seed(settings)
            base = stack.enter_context(owned_oxigraph_server(settings.store_path))
            settings = settings.with_overrides(
                store="sparql", sparql_query_url=f"{base}/query", sparql_update_url=f"{base}/update"
            )
            log.info("oxigraph serve owns %s at %s", settings.store_path, base)
        else:
            _seed(settings)
        settings = settings.with_overrides(load_seeds=False)
        shared = _listen(settings.host, settings.port)
        stack.callback(shared.close)
        context = multiprocessing.get_context("spawn")
        processes: list[BaseProcess] = []
        for i in range(settings.workers):
            sockets = [shared]
            if worker_ports is not None:
                own = _listen(settings.host, worker_ports + i)
                stack.callback(own.close)
                sockets.append(own)
            process = context.Process(
                target=_worker, args=(settings, sockets, access_log), name=f"graphsvc-worker-{i}"
            )
            process.start()
            processes.append(process)
        return _supervise(processes)
    return 0  # unreachable: the block returns


def _supervise(processes: list[BaseProcess]) -> int:
    """Wait for a signal or for a worker to end; then stop every worker (SIGTERM, then kill)."""
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopping and all(p.is_alive() for p in processes):
            time.sleep(0.2)
        failed = not stopping
        for process in processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
        if failed:
            log.error("a worker stopped: the service stops")
            return 1
        return 0
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
