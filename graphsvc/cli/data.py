"""``graphsvc load | validate | export | stats``: data in and out of the store.

Each command imports the parts of the store it uses when it runs (``stats`` and ``export`` never
load the SHACL validator), so that building the parser stays cheap.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

from graphsvc.cli.common import (
    BarPhases,
    CountingWriter,
    LazyChoices,
    Subparsers,
    open_cli_store,
    progress_bar,
    progress_shown,
    settings_from_args,
)
from graphsvc.errors import InputError, ValidationError

if TYPE_CHECKING:
    from pyoxigraph import NamedNode

    from graphsvc.store import GraphStore

__all__ = ["register"]


def _format_names() -> Sequence[str]:
    from graphsvc.store.formats import FORMATS

    return sorted(FORMATS)


def register(subparsers: Subparsers) -> None:
    load = subparsers.add_parser(
        "load", help="parse, validate and load RDF files in one transaction"
    )
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--graph", metavar="IRI", help="named graph for triples (quads keep theirs)")
    load.add_argument("--no-validate", action="store_true", help="skip SHACL validation")
    load.add_argument(
        "--bulk",
        action="store_true",
        help="big files into the embedded store: Oxigraph's bulk loader, without validation"
        " (about 5x faster), into a copy of the store that replaces it once every file loaded",
    )
    load.set_defaults(func=load_command)

    validate = subparsers.add_parser(
        "validate", help="check files (default: the ontology and seeds) against the SHACL shapes"
    )
    validate.add_argument("files", nargs="*", type=Path, metavar="FILE")
    validate.set_defaults(func=validate_command)

    export = subparsers.add_parser("export", help="write the dataset or one graph")
    export.add_argument(
        "--format",
        "-f",
        choices=LazyChoices(_format_names),
        default="nq",
        metavar="FORMAT",  # else argparse lists the choices as the parser is built
        help="one of %(choices)s (default %(default)s)",
    )
    export.add_argument("--graph", metavar="IRI", help="export only this named graph")
    export.add_argument(
        "-o", "--output", type=Path, help="output file (default stdout; .gz compresses)"
    )
    export.set_defaults(func=export_command)

    stats = subparsers.add_parser("stats", help="triples per graph and instances per class")
    stats.set_defaults(func=stats_command)


def load_command(args: argparse.Namespace) -> int:
    if args.bulk:
        return _bulk_load_command(args)
    from graphsvc.store.loading import load_files

    with (
        open_cli_store(args, command="load") as store,
        BarPhases("load", progress_shown(args)) as phases,
    ):
        report = load_files(
            store,
            args.files,
            graph=args.graph,
            validate=not args.no_validate,
            phases=phases,
            staged=True,
        )
    print(f"loaded {report.quads} quads from {len(report.files)} file(s)")
    for graph in report.graphs:
        print(f"  {graph}")
    return 0


def _bulk_load_command(args: argparse.Namespace) -> int:
    from graphsvc.store.bulk import bulk_load
    from graphsvc.store.loading import graph_node
    from graphsvc.store.oxigraph import OxigraphStore

    for path in args.files:
        if path.is_file() and path.stat().st_size == 0:
            print(f"graphsvc load: warning: {path}: the file is empty", file=sys.stderr)
    total = sum(p.stat().st_size for p in args.files if p.is_file())
    with (
        open_cli_store(args, command="load --bulk") as store,
        progress_bar(total, "bulk loading", "B", progress_shown(args)) as bar,
    ):
        if not isinstance(store, OxigraphStore):
            raise InputError("--bulk needs the embedded store (--store oxigraph or memory)")
        report = bulk_load(
            store, args.files, graph_node(args.graph) if args.graph else None, bar.update
        )
    print(f"loaded {report.added} new quads from {len(args.files)} file(s) in bulk")
    for graph in report.graphs:
        print(f"  {graph}")
    return 0


def validate_command(args: argparse.Namespace) -> int:
    from graphsvc.store.loading import check_files, ontology_and_seed_targets

    settings = settings_from_args(args)
    targets: list[tuple[Path, NamedNode | None]]
    if args.files:
        targets = [(path, None) for path in args.files]
    else:
        targets = ontology_and_seed_targets(settings.ontology_dir, settings.seeds_dir)
    with BarPhases("validate", progress_shown(args)) as phases:
        try:
            quads = check_files(targets, phases=phases)
        except ValidationError as exc:
            phases.close()
            print(exc, file=sys.stderr)
            return 1
    print(f"conforms: {len(targets)} file(s), {len(quads)} quads")
    return 0


def export_command(args: argparse.Namespace) -> int:
    from graphsvc.store.formats import format_for_name
    from graphsvc.store.loading import graph_node

    fmt = format_for_name(args.format)
    graph = graph_node(args.graph) if args.graph else None
    with (
        open_cli_store(args, read_only=True) as store,
        progress_bar(None, "exporting", "B", progress_shown(args)) as bar,
    ):
        if args.output is None:
            store.dump(
                cast(IO[bytes], CountingWriter(sys.stdout.buffer, bar.update)),
                fmt.media_type,
                graph,
            )
            sys.stdout.buffer.flush()
            return 0
        _export_to_file(store, args.output, fmt.media_type, graph, bar.update)
    return 0


def _export_to_file(
    store: GraphStore,
    path: Path,
    media_type: str,
    graph: NamedNode | None,
    tick: Callable[[int], object],
) -> None:
    """Write to a temporary file beside ``path`` and rename it: no half-written export."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with ExitStack() as stack:
            output: IO[bytes] = stack.enter_context(partial.open("wb"))
            if path.suffix == ".gz":
                compressed = stack.enter_context(gzip.GzipFile(fileobj=output, mode="wb"))
                output = cast(IO[bytes], compressed)
            store.dump(cast(IO[bytes], CountingWriter(output, tick)), media_type, graph)
        partial.replace(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)


def stats_command(args: argparse.Namespace) -> int:
    from graphsvc.store.stats import dataset_stats

    with open_cli_store(args, read_only=True) as store:
        stats = dataset_stats(store)
    print(f"{'triples':>10}  graph")
    for graph, count in stats.triples_per_graph:
        print(f"{count:>10}  {graph}")
    if stats.default_graph_triples:
        print(f"{stats.default_graph_triples:>10}  (default graph)")
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
