"""``graphsvc generate``: write a synthetic dataset for benchmarks and the evaluation."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from graphsvc.cli.common import Subparsers
from graphsvc.errors import InputError
from graphsvc.synthetic import generate_dataset, write_dataset

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
    started = time.perf_counter()
    dataset = generate_dataset(args.practices, args.seed, pes=args.pes)
    if args.output is None:
        try:
            write_dataset(dataset, sys.stdout.buffer, args.format)
            sys.stdout.buffer.flush()
        except BrokenPipeError:  # e.g. piped into `head`
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if args.output.is_dir():
        raise InputError(f"{args.output}: is a directory; give a file name")
    write_dataset(dataset, args.output, args.format)
    print(
        f"wrote {len(dataset.practices)} practices, {len(dataset.pes)} PES, "
        f"{len(dataset.events)} events into graph {dataset.graph} "
        f"to {args.output} in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0
