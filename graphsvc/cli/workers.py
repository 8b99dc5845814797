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

The workers are forked from one process that has imported the application, as gunicorn's
``--preload`` does, so the imports (about 1.5 s of CPU) are paid once instead of once per worker:

* the parent seeds, owns ``oxigraph serve``, binds the sockets, and starts a **launcher** with
  multiprocessing's ``spawn``: a fresh interpreter, which holds none of what the parent opened
  (seeding the embedded store leaves RocksDB's background threads running in the parent, and
  ``graphsvc serve`` may have imported the metrics before choosing their multiprocess mode);
* the launcher imports the application and builds it (``create_app``: routes and settings only;
  the store, read model and index open in each worker's lifespan), then forks the workers and
  supervises them. Forking is safe there because at that moment the launcher has **no Python
  thread but its main one** (checked: otherwise it spawns each worker instead, as before),
  **no store, no event loop and no client connection open** (it never opens one), and its only
  other thread is OpenBLAS's pool (imported with numpy), which OpenBLAS stops before a fork and
  starts again on demand in the child (``pthread_atfork``). A worker closes the inherited
  sockets that belong to the other workers and takes back the default signal handlers, which
  uvicorn then replaces with its own.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from graphsvc.errors import ConfigurationError, StoreError
from graphsvc.settings import Settings

if TYPE_CHECKING:
    import uvicorn

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


def _accepts(port: int) -> bool:
    """Whether something accepts TCP connections on the loopback ``port`` (cheaper to ask than
    an HTTP request, which builds a client with its TLS context each time)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def owned_oxigraph_server(location: Path, timeout: float = 60.0) -> Iterator[str]:
    """Run ``oxigraph serve`` on the store at ``location`` on a loopback port; yields its base
    URL once it answers a query, stops it (which flushes and unlocks the store) on exit."""
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
        # it opens the store in a few tens of milliseconds: look often, with a bare connect,
        # and ask a query once it listens
        while not (_accepts(port) and _answers(f"{base}/query")):
            if process.poll() is not None:
                err = process.stderr.read().decode(errors="replace") if process.stderr else ""
                raise StoreError(f"oxigraph serve on {location} exited: {err.strip()[-500:]}")
            if time.monotonic() > deadline:
                raise StoreError(f"oxigraph serve on {location} did not answer in {timeout:.0f} s")
            time.sleep(0.01)
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


def serve_workers(settings: Settings, *, access_log: bool, worker_ports: int | None) -> int:
    """Serve ``settings.workers`` processes on one port; ``worker_ports``: worker ``i`` also
    listens on ``worker_ports + i`` (to reach one worker: health checks, tests)."""
    if settings.store == "memory":
        raise ConfigurationError(
            "GRAPHSVC_WORKERS", "a store in memory cannot be shared: use oxigraph or sparql"
        )
    with contextlib.ExitStack() as stack:
        _seed(settings)
        if settings.store == "oxigraph":
            base = stack.enter_context(owned_oxigraph_server(settings.store_path))
            settings = settings.with_overrides(
                store="sparql", sparql_query_url=f"{base}/query", sparql_update_url=f"{base}/update"
            )
            log.info("oxigraph serve owns %s at %s", settings.store_path, base)
        settings = settings.with_overrides(load_seeds=False)
        shared = _listen(settings.host, settings.port)
        stack.callback(shared.close)
        own: list[socket.socket] = []
        if worker_ports is not None:
            for i in range(settings.workers):
                own.append(_listen(settings.host, worker_ports + i))
                stack.callback(own[-1].close)
        launcher = multiprocessing.get_context("spawn").Process(
            target=_launch, args=(settings, shared, own, access_log), name="graphsvc-workers"
        )
        return _run_launcher(launcher)
    return 0  # unreachable: the block returns


def _run_launcher(launcher: BaseProcess) -> int:
    """Start the launcher and wait for it; SIGINT and SIGTERM are passed on to it (it stops the
    workers). The launcher and its workers are a process group of their own: should the
    launcher end without stopping them (killed), its workers are stopped here."""

    def forward(signum: int, frame: object) -> None:
        if launcher.pid is not None and launcher.exitcode is None:
            os.kill(launcher.pid, signal.SIGTERM)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        launcher.start()
        launcher.join()
    finally:
        if launcher.pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(launcher.pid, signal.SIGTERM)  # none left after a normal stop
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0 if launcher.exitcode == 0 else 1


def _launch(
    settings: Settings, shared: socket.socket, own: list[socket.socket], access_log: bool
) -> None:
    """The launcher process: import and build the application once, fork the workers from it,
    supervise them; exits 1 when a worker stopped on its own (the module docstring says why
    forking is safe here)."""
    os.setpgid(0, 0)  # a group of its own, which the parent can stop whatever becomes of this one
    import uvicorn

    from graphsvc.app import create_app
    from graphsvc.http.timeouts import uvicorn_options

    config = uvicorn.Config(
        create_app(settings),
        log_level="info",
        access_log=access_log,
        **uvicorn_options(settings),
    )
    config.load()  # uvicorn's protocol modules, imported here once
    fork_safe = threading.active_count() == 1
    if not fork_safe:
        log.warning("threads are running in the launcher: the workers start by spawn")
    gc.collect()
    gc.freeze()  # the preloaded objects stay on pages shared with the workers
    stopping = False
    processes: list[BaseProcess] = []

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        _terminate(processes)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    for i in range(settings.workers):
        if stopping:
            break
        sockets = [shared, *own[i : i + 1]]
        name = f"graphsvc-worker-{i}"
        process: BaseProcess
        if fork_safe:
            others = [s for s in own if s not in sockets]
            process = multiprocessing.get_context("fork").Process(
                target=_forked_worker, args=(config, sockets, others), name=name
            )
        else:
            process = multiprocessing.get_context("spawn").Process(
                target=_spawned_worker, args=(settings, sockets, access_log), name=name
            )
        process.start()
        processes.append(process)
    sys.exit(_supervise(processes, lambda: stopping))


def _forked_worker(
    config: uvicorn.Config, sockets: list[socket.socket], others: list[socket.socket]
) -> None:
    """A worker forked from the launcher: the application it built, on ``sockets``."""
    import uvicorn

    for signum in (signal.SIGINT, signal.SIGTERM):  # uvicorn installs its own while it runs
        signal.signal(signum, signal.SIG_DFL)
    for sock in others:  # another worker's port: closed here, so it is free when that one ends
        sock.close()
    uvicorn.Server(config).run(sockets=sockets)


def _spawned_worker(settings: Settings, sockets: list[socket.socket], access_log: bool) -> None:
    """A worker in a fresh interpreter: imports and builds the whole application itself."""
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


def _terminate(processes: list[BaseProcess]) -> None:
    for process in processes:
        if process.is_alive() and process.pid is not None:
            os.kill(process.pid, signal.SIGTERM)


def _supervise(processes: list[BaseProcess], stopping: Callable[[], bool]) -> int:
    """Wait until a worker ends (all of them, when ``stopping()``: the signal handler has asked
    them to stop); then stop every worker (SIGTERM, then kill)."""
    if processes:
        multiprocessing.connection.wait([p.sentinel for p in processes])
    failed = not stopping()
    _terminate(processes)
    for process in processes:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
            process.join()
    if failed:
        log.error("a worker stopped: the service stops")
        return 1
    return 0
