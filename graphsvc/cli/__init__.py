"""The ``graphsvc`` command.

Each module in :data:`COMMAND_MODULES` contributes sub-commands through ``register(subparsers)``;
a command is a function ``(args) -> int`` stored as ``func``. User errors print one clear message
and exit with status 2; nothing prints a stack trace.

Building the parser imports every command module, so a command module imports nothing heavy at
its top: a command imports the store, the validator, the recommendations or the web application
when it runs, and ``graphsvc --help`` starts in a tenth of a second.
"""

from __future__ import annotations

import argparse
import importlib
import os
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
    "graphsvc.cli.backup",
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
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bars on stderr (default: only when stderr is a terminal)",
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
        sys.stdout.flush()
    except BrokenPipeError:
        return _reader_went_away()
    except GraphsvcError as exc:
        print(f"graphsvc {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file or directory the command had to read or write
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"graphsvc {args.command}: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return status


def _reader_went_away() -> int:
    """Standard output was a pipe whose reader closed it (``graphsvc export | head``): stop
    quietly, as ``cat`` does, without Python's complaint when it flushes at exit."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 141  # 128 + SIGPIPE, what a shell reports for a command a pipe stopped


if __name__ == "__main__":
    sys.exit(main())
