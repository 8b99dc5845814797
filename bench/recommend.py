"""Recommendation latency, index build, communities, paths and memory at 10k and 100k practices.

``python -m bench.recommend [--sizes 10000 100000] [--queries 300]``. Each size runs in its own
process, so its peak memory (``ru_maxrss``) is its own. Per size, on data from
``graphsvc generate`` (seed 1):

- index build (arrays, features, text postings, portfolios, Louvain communities, the context
  graph of the explanation paths), and, measured again on their own with ``tracemalloc``: the
  Louvain communities (time and the memory they allocate at peak) and a copy of the context graph
  the paths walk (time and memory);
- ``related`` latency (k=10, with explanations) p50 and p99 of wall time over ``--queries``
  random practices after a warm-up, and the p50 of the thread's CPU time (less sensitive to other
  processes on a shared machine), for: the default list (hybrid with the text signal, diversified),
  the same with filters (other PES only, the query's WAPES region, 2010 onwards), the undiversified
  hybrid, and the pagerank and similarity strategies;
- an explanation path per (query, item) pair, and the cluster list;
- the baseline in the same process: ``networkx.pagerank(G, personalization={p: 1})`` per request
  on the NetworkX projection of the same data (a handful of samples: it takes seconds at 100k);
- ``update_practice`` latency (the freshness path) and peak resident memory.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from graphsvc.model.records import Practice

__all__ = ["main", "measure"]

BASELINE_SAMPLES = {10_000: 10, 100_000: 3}
WARM_UP = 20


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _timed(calls: list[Callable[[], object]]) -> tuple[float, float, float]:
    """p50 and p99 of wall time and p50 of CPU time over ``calls`` after the warm-up."""
    times, cpu = [], []
    for i, call in enumerate(calls):
        c0, t0 = time.thread_time(), time.perf_counter()
        call()
        if i >= WARM_UP:
            times.append(time.perf_counter() - t0)
            cpu.append(time.thread_time() - c0)
    return statistics.median(times), _pct(times, 0.99), statistics.median(cpu)


def _traced(work: Callable[[], object]) -> tuple[float, float]:
    """Seconds and peak MiB that ``work`` allocates (``tracemalloc`` slows it: time separately)."""
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    gc.collect()
    tracemalloc.start()
    try:
        work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return seconds, peak / 2**20


def measure(practices: int, queries: int, seed: int = 1) -> dict[str, Any]:
    """Run every measurement for one size in this process; the figures as a dict."""
    import networkx as nx

    from graphsvc.cli.evaluate import synthetic_source
    from graphsvc.recommend import communities
    from graphsvc.recommend.filters import Filters
    from graphsvc.recommend.index import RecommendationIndex
    from graphsvc.recommend.projection import build_projection

    started = time.perf_counter()
    source = synthetic_source(practices, seed)
    generated = time.perf_counter() - started
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    index = RecommendationIndex(source)
    build = time.perf_counter() - started
    rss_index = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    state = index.state
    louvain_s, louvain_mib = _traced(lambda: communities.detect(state.adjacency, state.kind))
    context = state.context_graph
    copy_s, copy_mib = _traced(lambda: nx.Graph(context))
    clusters_s = _timed_once(lambda: communities.clusters(state))
    rng = random.Random(0)
    iris = sorted(source.practices)
    region_of = state.places.pes_region
    out: dict[str, Any] = {
        "practices": practices,
        "nodes": index.adjacency.size,
        "context_nodes": context.number_of_nodes(),
        "context_edges": context.number_of_edges(),
        "communities": len({int(c) for c in state.community if c >= 0}),
        "clusters": len(communities.clusters(state)),
        "generate_s": generated,
        "build_s": build,
        "louvain_s": louvain_s,
        "louvain_mib": louvain_mib,
        "context_copy_s": copy_s,
        "context_copy_mib": copy_mib,
        "clusters_s": clusters_s,
        "index_rss_mib": (rss_index - rss_before) / 1024,
    }

    def filters_for(iri: str) -> Filters:
        pes = source.practices[iri].pes
        region = region_of.get(pes) if pes else None
        return Filters(
            regions=frozenset({region}) if region else frozenset(),
            year_from=2010,
            other_pes_only=True,
        )

    variants: dict[str, Callable[[str], object]] = {
        "default": lambda iri: index.related(iri, 10),
        "filtered": lambda iri: index.related(iri, 10, filters=filters_for(iri)),
        "undiversified": lambda iri: index.related(iri, 10, diversify=False),
        "pagerank": lambda iri: index.related(iri, 10, "pagerank", diversify=False),
        "similarity": lambda iri: index.related(iri, 10, "similarity", diversify=False),
    }
    for name, run in variants.items():
        sample = [rng.choice(iris) for _ in range(queries + WARM_UP)]
        p50, p99, cpu = _timed([partial(run, i) for i in sample])
        out[f"{name}_p50"], out[f"{name}_p99"], out[f"{name}_cpu_p50"] = p50, p99, cpu
    pairs = []
    for iri in [rng.choice(iris) for _ in range(queries + WARM_UP)]:
        found = index.related(iri, 10, explain=False)
        if found:
            pairs.append((iri, found[-1].iri))
    p50, p99, _ = _timed([partial(index.path, a, b) for a, b in pairs])
    out["path_p50"], out["path_p99"] = p50, p99
    graph = build_projection(source)
    out["edges"] = graph.number_of_edges()
    baseline = []
    for iri in [rng.choice(iris) for _ in range(BASELINE_SAMPLES.get(practices, 5))]:
        t0 = time.perf_counter()
        nx.pagerank(graph, alpha=0.85, personalization={iri: 1.0}, weight="weight")
        baseline.append(time.perf_counter() - t0)
    del graph
    out["networkx_median"] = statistics.median(baseline)
    out["networkx_samples"] = len(baseline)
    updates = []
    records = cast("dict[str, Practice]", source.practices)  # a RecordSet's dict, edited here
    for iri in [rng.choice(iris) for _ in range(200)]:
        old = records[iri]
        records[iri] = dataclasses.replace(old, themes=old.themes[::-1][:1])
        t0 = time.perf_counter()
        index.update_practice(iri)
        updates.append(time.perf_counter() - t0)
        records[iri] = old
        index.update_practice(iri)
    out["update_p50"] = statistics.median(updates)
    out["update_p99"] = _pct(updates, 0.99)
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _timed_once(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


_VARIANTS = {
    "default": "default (hybrid + text, diversified)",
    "filtered": "with filters (other PES, region, 2010-)",
    "undiversified": "hybrid, undiversified",
    "pagerank": "pagerank, undiversified",
    "similarity": "similarity, undiversified",
}


def _report(r: dict[str, Any]) -> None:
    n = r["practices"]
    print(f"\n== {n:,} practices: {r['nodes']:,} nodes, {r['edges']:,} edges")
    print(f"  generate            {r['generate_s']:.1f} s (not part of the build)")
    print(
        f"  index build         {r['build_s']:.1f} s (arrays, features, text, portfolios, "
        f"communities, context graph); the index added {r['index_rss_mib']:.0f} MiB RSS"
    )
    print(
        f"  Louvain communities {r['louvain_s']:.2f} s, {r['louvain_mib']:.0f} MiB allocated at "
        f"peak; {r['communities']} communities, {r['clusters']} clusters of practices "
        f"(cluster list {_ms(r['clusters_s'])})"
    )
    print(
        f"  path context graph  {r['context_nodes']:,} nodes, {r['context_edges']:,} edges; a "
        f"copy takes {r['context_copy_s']:.2f} s and {r['context_copy_mib']:.1f} MiB"
    )
    for name, label in _VARIANTS.items():
        p50, p99, cpu = r[f"{name}_p50"], r[f"{name}_p99"], r[f"{name}_cpu_p50"]
        print(
            f"  related k=10 {label:<42} p50 {_ms(p50):>9}   p99 {_ms(p99):>9}"
            f"   (CPU p50 {_ms(cpu)})"
        )
    print(f"  explanation path    p50 {_ms(r['path_p50'])}   p99 {_ms(r['path_p99'])}")
    base = r["networkx_median"]
    print(
        f"  nx.pagerank per request  median {_ms(base)} ({r['networkx_samples']} samples): "
        f"default related p50 is {base / r['default_p50']:.0f}x faster, pagerank p50 "
        f"{base / r['pagerank_p50']:.0f}x"
    )
    print(f"  update_practice     p50 {_ms(r['update_p50'])}   p99 {_ms(r['update_p99'])}")
    print(f"  peak memory         {r['peak_rss_mib']:.0f} MiB RSS for the whole process")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.recommend", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process: one size
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one, args.queries)))
        return 0
    print("recommendations: related(k=10) latency vs per-request nx.pagerank, build, memory")
    print(f"  load average before the run: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    for size in args.sizes:
        child = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.recommend",
                "--one",
                str(size),
                "--queries",
                str(args.queries),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            print(child.stderr, file=sys.stderr)
            return child.returncode
        _report(json.loads(child.stdout.strip().splitlines()[-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
