"""``graphsvc serve``: run the service with uvicorn."""

from __future__ import annotations

import argparse

from graphsvc.cli.common import Subparsers, settings_from_args

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("serve", help="start the HTTP service")
    parser.add_argument("--host", help="interface to bind (env GRAPHSVC_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="TCP port (env GRAPHSVC_PORT, default 8000)")
    parser.add_argument(
        "--no-seed", action="store_true", help="do not load seeds into an empty store"
    )
    parser.set_defaults(func=serve)


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from graphsvc.app import create_app

    settings = settings_from_args(args).with_overrides(host=args.host, port=args.port)
    if args.no_seed:
        settings = settings.with_overrides(load_seeds=False)
    app = create_app(settings.validate())
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    return 0
