"""``graphsvc evaluate``: the offline hold-out evaluation of the recommendations.

Runs :func:`graphsvc.recommend.evaluate.evaluate` on a generated dataset (event hold-out) and on the
ontology and seeds (theme hold-out), plus the diversity of the intact lists of each, and prints
Markdown tables with 95% bootstrap intervals (``docs/recommendations.md`` explains the protocol).
The seeds are read from the files, not from a store.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TYPE_CHECKING

from graphsvc.cli.common import Subparsers, settings_from_args
from graphsvc.cli.generate import _positive

if TYPE_CHECKING:  # the evaluation needs numpy, scipy and networkx: imported when it runs
    from graphsvc.recommend.evaluate import Evaluation
    from graphsvc.recommend.source import GraphSource

__all__ = ["PROTOCOLS", "register", "seed_source", "synthetic_source"]

PROTOCOLS = ("event", "theme", "intact")
"""The values of :class:`graphsvc.recommend.evaluate.Protocol` (a test holds them equal), spelt
out so that ``graphsvc evaluate --help`` does not import the evaluation."""


def register(subparsers: Subparsers) -> None:
    ev = subparsers.add_parser(
        "evaluate",
        help="offline evaluation: hit@10, MRR, nDCG@10 and diversity of every method",
        description="Hide links of practices and check whether the hidden neighbours come back,"
        " for the baselines (random, most-popular, theme-overlap, shared-features,"
        " co-presentation, factorisation) and the pagerank, similarity, hybrid and default"
        " (diversified) recommenders; every figure with a 95%% bootstrap interval.",
    )
    ev.add_argument("--practices", type=_positive, default=10_000, metavar="N")
    ev.add_argument("--seed", type=int, default=2, metavar="S", help="generator seed (default 2)")
    ev.add_argument("--queries", type=_positive, default=300, metavar="Q")
    ev.add_argument(
        "--synthetic-protocol",
        choices=PROTOCOLS,
        default="event",
        help="hold-out on the generated data (default event; the seeds always use theme)",
    )
    ev.add_argument("--no-seeds", action="store_true", help="skip the seed data")
    ev.add_argument("--no-synthetic", action="store_true", help="skip the generated data")
    ev.set_defaults(func=evaluate_command)


def synthetic_source(practices: int, seed: int) -> GraphSource:
    """A generated dataset with the ontology's concepts, as the read model would hold it."""
    from graphsvc.model.records import Country, Region, TargetGroup, Theme
    from graphsvc.recommend.source import RecordSet
    from graphsvc.synthetic import generate_dataset

    ds = generate_dataset(practices, seed)
    c = ds.concepts
    rs = RecordSet(practices=ds.practices, pes=ds.pes, events=ds.events, networks=ds.networks)
    rs.themes = {
        t: Theme(iri=t, labels={"en": c.labels[t]}, broader=c.broader.get(t, ())) for t in c.themes
    }
    rs.target_groups = {g: TargetGroup(iri=g, labels={"en": c.labels[g]}) for g in c.target_groups}
    rs.countries = {
        k: Country(iri=k, labels={"en": c.labels[k]}, region=c.country_region.get(k))
        for k in c.countries
    }
    rs.regions = {r: Region(iri=r, labels={"en": c.labels[r]}) for r in c.regions}
    return rs


def seed_source(args: argparse.Namespace) -> GraphSource:
    """The read model of the ontology and the seeds, parsed into a throw-away memory store."""
    from graphsvc.model.readmodel import build_read_model
    from graphsvc.store import OxigraphStore
    from graphsvc.store.base import Changeset
    from graphsvc.store.loading import check_files, ontology_and_seed_targets

    settings = settings_from_args(args)
    store = OxigraphStore(None)
    try:
        targets = ontology_and_seed_targets(settings.ontology_dir, settings.seeds_dir)
        store.apply(Changeset(add=check_files(targets, validate=False)))
        return build_read_model(store)
    finally:
        store.close()


def evaluate_command(args: argparse.Namespace) -> int:
    from graphsvc.recommend.evaluate import Protocol, evaluate
    from graphsvc.recommend.evaluate_report import markdown_report

    results: dict[str, Evaluation] = {}
    started = time.perf_counter()
    if not args.no_synthetic:
        source = synthetic_source(args.practices, args.seed)
        protocol = Protocol(args.synthetic_protocol)
        name = f"generated {args.practices:,} (seed {args.seed}), {protocol} hold-out"
        results[name] = evaluate(source, protocol, queries=args.queries, seed=0)
        if protocol is not Protocol.INTACT:
            name = f"generated {args.practices:,} (seed {args.seed}), intact lists"
            results[name] = evaluate(source, Protocol.INTACT, queries=args.queries, seed=0)
    if not args.no_seeds:
        seeds = seed_source(args)
        results["seeds, theme hold-out"] = evaluate(
            seeds, Protocol.THEME, queries=args.queries, seed=0
        )
        results["seeds, intact lists"] = evaluate(
            seeds, Protocol.INTACT, queries=args.queries, seed=0
        )
    if not results:
        print("graphsvc evaluate: nothing to do (both data sets skipped)", file=sys.stderr)
        return 2
    try:
        print("\n\n".join(markdown_report(n, ev) for n, ev in results.items()), flush=True)
    except BrokenPipeError:  # e.g. piped into `head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    print(f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0
