"""``graphsvc serve``: run the service with uvicorn."""

from __future__ import annotations

import argparse

from graphsvc.cli.common import Subparsers, settings_from_args
from graphsvc.settings import Settings
from graphsvc.store import open_store
from graphsvc.store.loading import check_files, ontology_and_seed_targets

__all__ = ["preflight", "register"]


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("serve", help="start the HTTP service")
    parser.add_argument("--host", help="interface to bind (env GRAPHSVC_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="TCP port (env GRAPHSVC_PORT, default 8000)")
    parser.add_argument(
        "--no-seed", action="store_true", help="do not load seeds into an empty store"
    )
    parser.add_argument(
        "--no-access-log", action="store_true", help="do not log a line per request"
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
    import uvicorn

    from graphsvc.app import create_app
    from graphsvc.http.timeouts import uvicorn_options

    settings = settings_from_args(args).with_overrides(host=args.host, port=args.port)
    if args.no_seed:
        settings = settings.with_overrides(load_seeds=False)
    if args.workers is not None:
        settings = settings.with_overrides(workers=args.workers)
    preflight(settings.validate())
    if settings.workers > 1:
        from graphsvc.cli.workers import serve_workers

        access_log = not getattr(args, "no_access_log", False)
        return serve_workers(settings, access_log=access_log, worker_ports=args.worker_ports)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=not getattr(args, "no_access_log", False),
        **uvicorn_options(settings),  # header and body time-outs
    )
    return 0


def preflight(settings: Settings) -> None:
    """Fail with a one-line error before uvicorn starts, not with a traceback from the lifespan.

    Checks that the store opens (an on-disk store may be locked by another process) and, when
    the app would seed an empty store, that the ontology and seeds parse and conform.
    """
    store = open_store(settings)
    try:
        empty = store.is_empty()
    finally:
        store.close()
    if settings.load_seeds and empty:
        check_files(ontology_and_seed_targets(settings.ontology_dir, settings.seeds_dir))
