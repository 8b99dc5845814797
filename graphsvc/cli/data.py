"""``graphsvc load | validate | export | stats``: data in and out of the store."""

from __future__ import annotations

import argparse
import gzip
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from pyoxigraph import NamedNode

from graphsvc.cli.common import Subparsers, open_cli_store, progress_bar, settings_from_args
from graphsvc.errors import ValidationError
from graphsvc.store.formats import FORMATS, format_for_name
from graphsvc.store.loading import (
    ONTOLOGY_GRAPH,
    load_files,
    ontology_files,
    parse_file,
    seed_files,
    validate_quads,
)
from graphsvc.store.stats import dataset_stats

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    load = subparsers.add_parser(
        "load", help="parse, validate and load RDF files in one transaction"
    )
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--graph", metavar="IRI", help="named graph for triples (quads keep theirs)")
    load.add_argument("--no-validate", action="store_true", help="skip SHACL validation")
    load.set_defaults(func=load_command)

    validate = subparsers.add_parser(
        "validate", help="check files (default: the ontology and seeds) against the SHACL shapes"
    )
    validate.add_argument("files", nargs="*", type=Path, metavar="FILE")
    validate.set_defaults(func=validate_command)

    export = subparsers.add_parser("export", help="write the dataset or one graph")
    export.add_argument("--format", "-f", choices=sorted(FORMATS), default="nq")
    export.add_argument("--graph", metavar="IRI", help="export only this named graph")
    export.add_argument(
        "-o", "--output", type=Path, help="output file (default stdout; .gz compresses)"
    )
    export.set_defaults(func=export_command)

    stats = subparsers.add_parser("stats", help="triples per graph and instances per class")
    stats.set_defaults(func=stats_command)


def load_command(args: argparse.Namespace) -> int:
    with open_cli_store(args) as store, progress_bar(len(args.files), "parsing") as bar:
        report = load_files(
            store,
            args.files,
            graph=args.graph,
            validate=not args.no_validate,
            progress=bar.update,
        )
    print(f"loaded {report.quads} quads from {len(report.files)} file(s)")
    for graph in report.graphs:
        print(f"  {graph}")
    return 0


def validate_command(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    ontology = NamedNode(str(ONTOLOGY_GRAPH))
    if args.files:
        files = list(args.files)
        targets: list[tuple[Path, NamedNode | None]] = [(p, None) for p in files]
    else:
        files = [*ontology_files(settings.ontology_dir), *seed_files(settings.seeds_dir)]
        targets = [(p, ontology if p.parent == settings.ontology_dir else None) for p in files]
    quads = []
    with progress_bar(len(targets), "parsing") as bar:
        for path, graph in targets:
            quads.extend(parse_file(path, graph))
            bar.update(1)
    try:
        validate_quads(quads, f"{len(files)} file(s)")
    except ValidationError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"conforms: {len(files)} file(s), {len(quads)} quads")
    return 0


def export_command(args: argparse.Namespace) -> int:
    fmt = format_for_name(args.format)
    graph = NamedNode(args.graph) if args.graph else None
    with open_cli_store(args) as store, ExitStack() as stack:
        output: IO[bytes]
        if args.output is None:
            output = sys.stdout.buffer
        elif args.output.suffix == ".gz":
            output = stack.enter_context(gzip.open(args.output, "wb"))
        else:
            output = stack.enter_context(args.output.open("wb"))
        store.dump(output, fmt.media_type, graph)
    return 0


def stats_command(args: argparse.Namespace) -> int:
    with open_cli_store(args) as store:
        stats = dataset_stats(store)
    print(f"{'triples':>10}  graph")
    for graph, count in stats.triples_per_graph:
        print(f"{count:>10}  {graph}")
    print(f"{stats.total_triples:>10}  (all graphs)")
    print()
    print(f"{'instances':>10}  class")
    for cls, count in stats.instances_per_class:
        print(f"{count:>10}  {cls}")
    if stats.empty_classes:
        print()
        print("classes of the ontology with no instance:")
        for cls in stats.empty_classes:
            print(f"  {cls}")
    return 0
