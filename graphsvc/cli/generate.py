"""``graphsvc generate``: write a synthetic dataset for benchmarks and the evaluation."""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

from graphsvc.cli.common import BarPhases, CountingWriter, Subparsers, progress_shown
from graphsvc.errors import InputError

if TYPE_CHECKING:
    from graphsvc.synthetic import SyntheticDataset

__all__ = ["register"]


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not positive")
    return value


def register(subparsers: Subparsers) -> None:
    gen = subparsers.add_parser(
        "generate",
        help="write a synthetic dataset (PES, practices, events) into its own named graph",
        description="Write a realistic synthetic dataset that keeps the ontology's concepts: about"
        " 150 PES in the 5 WAPES regions, skewed theme popularity, topical clusters and events"
        " linking practices. The same --practices and --seed give the same bytes. Load it with"
        " `graphsvc load FILE --no-validate` (or --bulk for big files).",
    )
    gen.add_argument("--practices", type=_positive, required=True, metavar="N")
    gen.add_argument("--seed", type=int, default=0, metavar="S")
    gen.add_argument("--pes", type=_positive, default=150, metavar="N", help="default 150")
    gen.add_argument(
        "-o",
        "--output",
        type=Path,
        help="output file: .nq or .trig, optionally .gz (default stdout)",
    )
    gen.add_argument("--format", choices=("nq", "trig"), help="format (default: from -o, else nq)")
    gen.set_defaults(func=generate_command)


def generate_command(args: argparse.Namespace) -> int:
    from graphsvc.synthetic import generate_dataset, write_dataset

    started = time.perf_counter()
    with BarPhases("generate", progress_shown(args)) as phases:
        tick = phases.start("generating", args.practices, "practice")
        dataset = generate_dataset(args.practices, args.seed, pes=args.pes)
        tick(args.practices)
        if args.output is None:
            writing = phases.start("writing", None, "B")
            try:
                write_dataset(dataset, _counted(sys.stdout.buffer, writing), args.format)
                sys.stdout.buffer.flush()
            except BrokenPipeError:  # e.g. piped into `head`
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        if args.output.is_dir():
            raise InputError(f"{args.output}: is a directory; give a file name")
        _write_file(dataset, args.output, args.format, phases.start("writing", None, "B"))
    print(
        f"wrote {len(dataset.practices)} practices, {len(dataset.pes)} PES, "
        f"{len(dataset.events)} events into graph {dataset.graph} "
        f"to {args.output} in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


def _counted(output: IO[bytes], tick: Callable[[int], object]) -> IO[bytes]:
    return cast(IO[bytes], CountingWriter(output, tick))


def _write_file(
    dataset: SyntheticDataset, path: Path, fmt: str | None, tick: Callable[[int], object]
) -> None:
    """Through a temporary file renamed at the end (no half-written file), counting bytes."""
    from graphsvc.store.formats import format_for_path
    from graphsvc.synthetic import write_dataset

    name = fmt or format_for_path(path).name
    if name not in ("nq", "trig"):
        raise InputError(f"{path}: use a dataset format (.nq or .trig) for named graphs")
    partial = path.with_name(f".{path.name}.partial")
    try:
        with ExitStack() as stack:
            output: IO[bytes] = stack.enter_context(partial.open("wb"))
            if path.suffix == ".gz":
                output = cast(
                    IO[bytes], stack.enter_context(gzip.GzipFile(fileobj=output, mode="wb"))
                )
            write_dataset(dataset, _counted(output, tick), name)
        partial.replace(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)
