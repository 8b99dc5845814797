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
* the launcher imports the application and builds it (``create_app``: routes and settings
  only), and once the store is ready it derives the read model, the recommendation index and
  the feedback from it (:func:`graphsvc.services.build_derived`), once for all workers, which
  take them over at the revision they were built at and follow the feed from there; then it
  forks the workers and supervises them. Each worker opens its own store in its lifespan.
  Forking is safe there because at that moment the launcher has **no Python thread but its
  main one** (checked: otherwise it spawns each worker instead, which builds its own state),
  **no store, no event loop and no client connection open** (the store it derived the state
  from is closed), and its only other thread is OpenBLAS's pool (imported with numpy), which
  OpenBLAS stops before a fork and starts again on demand in the child (``pthread_atfork``).
  A worker closes the inherited
  sockets that belong to the other workers and takes back the default signal handlers, which
  uvicorn then replaces with its own.
"""

from __future__ import annotations

import contextlib
import gc
import http.client
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

from graphsvc.errors import ConfigurationError, StoreError
from graphsvc.settings import Settings

if TYPE_CHECKING:
    import uvicorn

    from graphsvc.services import Derived

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


def _answers(port: int) -> bool:
    """Whether ``oxigraph serve`` on the loopback ``port`` answers a query (asked with the
    standard library's client: an ``httpx`` client would first load a TLS context, some 0.1 s
    of CPU, for one plain HTTP request)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1.0)
    try:
        connection.request("GET", "/query?query=ASK%20%7B%7D")
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def _accepts(port: int) -> bool:
    """Whether something accepts TCP connections on the loopback ``port`` (cheaper to ask than
    an HTTP request, which builds a client with its TLS context each time)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def owned_oxigraph_server(
    location: Path, timeout: float = 60.0, port: int | None = None
) -> Iterator[str]:
    """Run ``oxigraph serve`` on the store at ``location`` on a loopback port (``port``, or a
    free one); yields its base URL once it answers a query, stops it (which flushes and unlocks
    the store) on exit."""
    port = port or _free_port("127.0.0.1")
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
        # out of the terminal's process group: a Ctrl-C reaches this process, which stops the
        # workers first and the store server after them
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        # it opens the store in a few tens of milliseconds: look often, with a bare connect,
        # and ask a query once it listens
        while not (_accepts(port) and _answers(port)):
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
    listens on ``worker_ports + i`` (to reach one worker: health checks, tests).

    The launcher starts first and imports the application while this process seeds the store
    and starts ``oxigraph serve``; it forks the workers once told the store is ready."""
    if settings.store == "memory":
        raise ConfigurationError(
            "GRAPHSVC_WORKERS", "a store in memory cannot be shared: use oxigraph or sparql"
        )
    with contextlib.ExitStack() as stack:
        shared = _listen(settings.host, settings.port)
        stack.callback(shared.close)
        own: list[socket.socket] = []
        if worker_ports is not None:
            for i in range(settings.workers):
                own.append(_listen(settings.host, worker_ports + i))
                stack.callback(own[-1].close)
        seeding, owned_port = settings, None
        if settings.store == "oxigraph":
            owned_port = _free_port("127.0.0.1")
            base = f"http://127.0.0.1:{owned_port}"
            settings = settings.with_overrides(
                store="sparql", sparql_query_url=f"{base}/query", sparql_update_url=f"{base}/update"
            )
        settings = settings.with_overrides(load_seeds=False)
        context = multiprocessing.get_context("spawn")
        ready, go = context.Pipe(duplex=False)
        launcher = context.Process(
            target=_launch,
            args=(settings, shared, own, access_log, ready),
            name="graphsvc-workers",
        )
        stopping = stack.enter_context(_launched(launcher))
        ready.close()  # the launcher's end: it sees the pipe close if this process fails
        stack.callback(go.close)
        _seed(seeding)
        if owned_port is not None:
            stack.enter_context(owned_oxigraph_server(seeding.store_path, port=owned_port))
            log.info("oxigraph serve owns %s at port %d", seeding.store_path, owned_port)
        if not stopping.requested:
            with contextlib.suppress(OSError):  # a launcher that died is reported below
                go.send(True)
        launcher.join()
        _stop_group(launcher)  # before the store server stops
        return 0 if launcher.exitcode == 0 or stopping.requested else 1
    return 0  # unreachable: the block returns


class _Stopping:
    """Whether a signal has asked the service to stop (set by a signal handler: a plain flag,
    which a handler can set without a lock)."""

    requested = False


@contextlib.contextmanager
def _launched(launcher: BaseProcess) -> Iterator[_Stopping]:
    """Start the launcher; while the block runs, SIGINT and SIGTERM are passed on to it (it
    stops the workers) and noted in the flag it yields. On exit the launcher is waited for, and
    its process group stopped: should it end without stopping its workers (killed), they stop."""
    stopping = _Stopping()

    def forward(signum: int, frame: object) -> None:
        stopping.requested = True
        if launcher.pid is not None and launcher.exitcode is None:
            os.kill(launcher.pid, signal.SIGTERM)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        launcher.start()
        yield stopping
    finally:
        if launcher.exitcode is None:  # this process failed before the launcher could fork
            launcher.terminate()
            launcher.join(timeout=30)
            if launcher.exitcode is None:
                launcher.kill()
                launcher.join()
        _stop_group(launcher)
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _stop_group(launcher: BaseProcess) -> None:
    """SIGTERM to what is left of the launcher's process group (nothing, after a normal stop)."""
    if launcher.pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(launcher.pid, signal.SIGTERM)


def _launch(
    settings: Settings,
    shared: socket.socket,
    own: list[socket.socket],
    access_log: bool,
    ready: multiprocessing.connection.Connection,
) -> None:
    """The launcher process: import and build the application once, wait until the parent says
    the store is ready (``ready``), fork the workers, supervise them; exits 1 when a worker
    stopped on its own or the parent failed (the module docstring says why forking is safe)."""
    os.setpgid(0, 0)  # a group of its own, which the parent can stop whatever becomes of this one
    import uvicorn

    from graphsvc.app import create_app
    from graphsvc.http.timeouts import uvicorn_options

    app = create_app(settings)
    config = uvicorn.Config(
        app, log_level="info", access_log=access_log, **uvicorn_options(settings)
    )
    config.load()  # uvicorn's protocol modules, imported here once
    try:
        ready.recv()
    except EOFError:  # the parent failed to seed or to start the store; it says why
        sys.exit(1)
    ready.close()
    app.state.derived = _derive(settings)
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
    app.state.derived = None  # the workers have their copies: this process needs none
    sys.exit(_supervise(processes, lambda: stopping))


def _derive(settings: Settings) -> Derived | None:
    """The read model, recommendation index and feedback, built once for all the workers
    instead of once by each (the time it takes grows with the practices). None if that fails:
    each worker then builds its own, and says what failed."""
    from graphsvc.services import build_derived

    try:
        return build_derived(settings)
    except Exception:
        log.exception("building the derived state in the launcher failed")
        return None


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
