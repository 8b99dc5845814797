"""``graphsvc serve``: run the service with uvicorn."""

from __future__ import annotations

import argparse
import errno
import socket
from typing import TYPE_CHECKING

from graphsvc.cli.common import Subparsers, settings_from_args
from graphsvc.errors import ConfigurationError

if TYPE_CHECKING:
    from graphsvc.settings import Settings

__all__ = ["ensure_port_free", "preflight", "register"]


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("serve", help="start the HTTP service")
    parser.add_argument("--host", help="interface to bind (env GRAPHSVC_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="TCP port (env GRAPHSVC_PORT, default 8000)")
    parser.add_argument(
        "--no-seed", action="store_true", help="do not load seeds into an empty store"
    )
    parser.add_argument(
        "--no-access-log",
        action="store_true",
        help="no JSON access log line per request (env GRAPHSVC_ACCESS_LOG=false)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="processes serving one dataset (env GRAPHSVC_WORKERS, default 1; docs/scaling.md)",
    )
    parser.add_argument(
        "--worker-ports",
        type=int,
        metavar="BASE",
        help="with --workers: worker i also listens on port BASE+i (to reach one worker)",
    )
    parser.set_defaults(func=serve)


def serve(args: argparse.Namespace) -> int:
    settings = settings_from_args(args).with_overrides(host=args.host, port=args.port)
    if args.no_seed:
        settings = settings.with_overrides(load_seeds=False)
    if args.workers is not None:
        settings = settings.with_overrides(workers=args.workers)
    if getattr(args, "no_access_log", False):
        settings = settings.with_overrides(access_log=False)
    ensure_port_free(settings.host, settings.port)  # before anything is opened or loaded
    # several workers: the parent seeds while their launcher imports the application
    preflight(settings.validate(), seed=settings.workers == 1)
    if settings.workers > 1:
        from graphsvc.cli.workers import serve_workers
        from graphsvc.http.multiproc import use_multiprocess_metrics

        use_multiprocess_metrics(settings.data_dir / "metrics")  # /metrics sums the workers
        # the JSON access log of graphsvc.http.observe replaces uvicorn's
        return serve_workers(settings, access_log=False, worker_ports=args.worker_ports)
    # the application and uvicorn are imported once the checks above have passed
    import uvicorn

    from graphsvc.app import create_app
    from graphsvc.http.timeouts import uvicorn_options

    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=False,  # the JSON access log of graphsvc.http.observe replaces uvicorn's
        **uvicorn_options(settings),  # header and body time-outs
    )
    return 0


def ensure_port_free(host: str, port: int) -> None:
    """Fail at once when another process listens on ``host:port``, rather than after the
    store has opened and the data has loaded."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = "in use by another process" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise ConfigurationError(
                "GRAPHSVC_PORT", f"cannot listen on {host}:{port}: {reason}"
            ) from None


def preflight(settings: Settings, *, seed: bool = True) -> None:
    """Fail with a one-line error before uvicorn starts, not with a traceback from the lifespan.

    Checks that the store opens (an on-disk store may be locked by another process) and, when
    the service would seed an empty store and ``seed``, seeds it here: the ontology and seeds
    are parsed, judged and written once, and the application opens a seeded store. A store in
    memory lives in the application's process: the files are only checked here.
    """
    from graphsvc.store import open_store
    from graphsvc.store.loading import (
        check_files,
        load_ontology_and_seeds,
        ontology_and_seed_targets,
    )
    from graphsvc.store.verdicts import Verdicts

    verdicts = Verdicts.at(settings.cache_dir)
    store = open_store(settings)
    try:
        seeding = seed and settings.load_seeds and store.is_empty()
        if seeding and settings.store != "memory":
            load_ontology_and_seeds(
                store, settings.ontology_dir, settings.seeds_dir, verdicts=verdicts
            )
            return
    finally:
        store.close()
    if seeding:
        targets = ontology_and_seed_targets(settings.ontology_dir, settings.seeds_dir)
        check_files(targets, verdicts=verdicts)
