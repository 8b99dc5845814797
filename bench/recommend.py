"""Recommendation latency, index build time and peak memory at 10k and 100k practices.

``python -m bench.recommend [--sizes 10000 100000] [--queries 300]``. Each size runs in its own
process, so its peak memory (``ru_maxrss``) is its own. Per size, on data from
``graphsvc generate`` (seed 1):

- index build: the sparse arrays, features and portfolios, and the NetworkX projection;
- ``related`` latency (k=10, with explanations) for the three strategies, p50 and p99 of wall
  time over ``--queries`` random practices after a warm-up, and the p50 of the thread's CPU time
  (less sensitive to other processes on a shared machine);
- the baseline in the same process: ``networkx.pagerank(G, personalization={p: 1})`` per request
  on the same projection (a handful of samples: it takes seconds at 100k);
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
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from graphsvc.model.records import Practice

__all__ = ["main", "measure"]

BASELINE_SAMPLES = {10_000: 10, 100_000: 3}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(practices: int, queries: int, seed: int = 1) -> dict[str, Any]:
    """Run every measurement for one size in this process; the figures as a dict."""
    import networkx as nx

    from graphsvc.cli.evaluate import synthetic_source
    from graphsvc.recommend.index import RecommendationIndex

    started = time.perf_counter()
    source = synthetic_source(practices, seed)
    generated = time.perf_counter() - started
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    index = RecommendationIndex(source, with_graph=False)
    arrays = time.perf_counter() - started
    from graphsvc.recommend.projection import build_projection

    started = time.perf_counter()
    graph = build_projection(source)
    index.graph = graph
    projection = time.perf_counter() - started
    rng = random.Random(0)
    iris = sorted(source.practices)
    out: dict[str, Any] = {
        "practices": practices,
        "nodes": index.adjacency.size,
        "edges": graph.number_of_edges(),
        "generate_s": generated,
        "build_arrays_s": arrays,
        "build_projection_s": projection,
    }
    for strategy in ("hybrid", "pagerank", "similarity"):
        sample = [rng.choice(iris) for _ in range(queries + 20)]
        times, cpu = [], []
        for i, iri in enumerate(sample):
            c0, t0 = time.thread_time(), time.perf_counter()
            index.related(iri, 10, strategy)
            if i >= 20:  # warm-up
                times.append(time.perf_counter() - t0)
                cpu.append(time.thread_time() - c0)
        out[f"{strategy}_p50"] = statistics.median(times)
        out[f"{strategy}_p99"] = _pct(times, 0.99)
        out[f"{strategy}_cpu_p50"] = statistics.median(cpu)
    baseline = []
    for iri in [rng.choice(iris) for _ in range(BASELINE_SAMPLES.get(practices, 5))]:
        t0 = time.perf_counter()
        nx.pagerank(graph, alpha=0.85, personalization={iri: 1.0}, weight="weight")
        baseline.append(time.perf_counter() - t0)
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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out["peak_rss_mib"] = peak / 1024
    out["index_rss_mib"] = (peak - rss_before) / 1024
    return out


def _report(r: dict[str, Any]) -> None:
    n = r["practices"]
    print(f"\n== {n:,} practices: {r['nodes']:,} nodes, {r['edges']:,} edges")
    print(f"  generate            {r['generate_s']:.1f} s (not part of the build)")
    build = r["build_arrays_s"] + r["build_projection_s"]
    print(
        f"  index build         {build:.1f} s  (arrays, features, portfolios "
        f"{r['build_arrays_s']:.1f} s + NetworkX projection {r['build_projection_s']:.1f} s)"
    )
    for strategy in ("hybrid", "pagerank", "similarity"):
        p50, p99 = r[f"{strategy}_p50"], r[f"{strategy}_p99"]
        cpu = r[f"{strategy}_cpu_p50"]
        print(
            f"  related k=10 {strategy:<11} p50 {_ms(p50):>9}   p99 {_ms(p99):>9}"
            f"   (CPU time p50 {_ms(cpu)})"
        )
    base = r["networkx_median"]
    print(
        f"  nx.pagerank per request  median {_ms(base)} ({r['networkx_samples']} samples): "
        f"hybrid p50 is {base / r['hybrid_p50']:.0f}x faster, pagerank p50 "
        f"{base / r['pagerank_p50']:.0f}x"
    )
    print(f"  update_practice     p50 {_ms(r['update_p50'])}   p99 {_ms(r['update_p99'])}")
    print(
        f"  peak memory         {r['peak_rss_mib']:.0f} MiB RSS for the whole process "
        f"(the index and projection added {r['index_rss_mib']:.0f} MiB)"
    )


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
