"""The ``graphsvc`` command.

Each module in :data:`COMMAND_MODULES` contributes sub-commands through ``register(subparsers)``;
a command is a function ``(args) -> int`` stored as ``func``. User errors print one clear message
and exit with status 2; nothing prints a stack trace.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from graphsvc import __version__
from graphsvc.errors import GraphsvcError

__all__ = ["COMMAND_MODULES", "build_parser", "main"]

COMMAND_MODULES = (
    "graphsvc.cli.serve",
    "graphsvc.cli.data",
    "graphsvc.cli.tokens",
    "graphsvc.cli.generate",
    "graphsvc.cli.evaluate",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="graphsvc",
        description="Knowledge graph of public employment services: serve, load, validate, export.",
    )
    parser.add_argument("--version", action="version", version=f"graphsvc {__version__}")
    parser.add_argument(
        "--data-dir", help="directory of the embedded store (env GRAPHSVC_DATA_DIR, default ./data)"
    )
    parser.add_argument(
        "--store",
        choices=("oxigraph", "memory", "sparql"),
        help="store backend (env GRAPHSVC_STORE, default oxigraph)",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.func(args)
    except GraphsvcError as exc:
        print(f"graphsvc {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
