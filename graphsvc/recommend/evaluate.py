"""Offline evaluation: hide some of a practice's links and see whether the hidden neighbours return.

Protocols (:class:`Protocol`):

- ``event``: a query practice presented at events whose other practices exist loses all its event
  links; the *hidden neighbours* are the practices co-presented at those events.
- ``theme``: a query practice with two or more themes loses one of them (every such pair of a
  practice and a theme is a query); the hidden neighbours are the other practices on that theme.

For every query the hidden links are removed from the index (an incremental update, exactly as a
write would do it), the methods rank all other practices, and the links are put back. Nothing a
method sees mentions the hidden links, so nothing leaks. Metrics over the top of the ranking: hit@k
(a hidden neighbour among the first ``k``), MRR (reciprocal rank of the first hidden neighbour in
the first 100, else 0) and nDCG@k with binary relevance.

Methods: three baselines — ``random``, ``most-popular`` (weighted degree in the projection) and
``theme-overlap`` (number of shared themes) — and the index's ``pagerank``, ``similarity`` and
``hybrid``. Ties are broken by the same fixed IRI hash as the index, and queries are drawn with a
seeded generator, so a run is reproducible.

Complexity: O(queries x methods x cost of one ranking). Example::

    >>> table = evaluate(source, Protocol.EVENT, queries=200, seed=0)     # doctest: +SKIP
    >>> print(markdown_table({"synthetic, event hold-out": table}))        # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import enum
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from graphsvc.errors import InputError
from graphsvc.recommend.features import Signal
from graphsvc.recommend.index import RecommendationIndex, Strategy
from graphsvc.recommend.projection import NodeKind
from graphsvc.recommend.source import GraphSource, RecordSet

__all__ = [
    "BASELINES",
    "METHODS",
    "Metrics",
    "Protocol",
    "evaluate",
    "markdown_table",
]

BASELINES = ("random", "most-popular", "theme-overlap")
METHODS = (*BASELINES, Strategy.PAGERANK.value, Strategy.SIMILARITY.value, Strategy.HYBRID.value)
DEPTH = 100  # ranks looked at for MRR


class Protocol(enum.StrEnum):
    EVENT = "event"
    THEME = "theme"


@dataclass(frozen=True, slots=True)
class Metrics:
    queries: int
    hit: float
    mrr: float
    ndcg: float


@dataclass(frozen=True, slots=True)
class _Query:
    practice: str
    hidden: frozenset[str]  # the hidden neighbours
    held_out: object  # the practice record without the hidden links


def _queries(
    source: GraphSource, protocol: Protocol, limit: int, rng: random.Random
) -> list[_Query]:
    practices = source.practices
    by_event: dict[str, set[str]] = {}
    by_theme: dict[str, set[str]] = {}
    for p in practices.values():
        for e in p.events:
            by_event.setdefault(e, set()).add(p.iri)
        for t in p.themes:
            by_theme.setdefault(t, set()).add(p.iri)
    out: list[_Query] = []
    for iri in sorted(practices):
        p = practices[iri]
        if protocol is Protocol.EVENT:
            hidden = set().union(*(by_event[e] for e in p.events)) - {iri} if p.events else set()
            if hidden:
                out.append(_Query(iri, frozenset(hidden), dataclasses.replace(p, events=())))
        elif len(p.themes) >= 2:
            for theme in sorted(p.themes):
                hidden = by_theme[theme] - {iri}
                if hidden:
                    kept = tuple(t for t in p.themes if t != theme)
                    held = dataclasses.replace(p, themes=kept)
                    out.append(_Query(iri, frozenset(hidden), held))
    if len(out) > limit:
        out = sorted(rng.sample(out, limit), key=lambda q: q.practice)
    return out


def _metrics(ranked: Sequence[str], hidden: frozenset[str], k: int) -> tuple[float, float, float]:
    hit = float(any(r in hidden for r in ranked[:k]))
    mrr = next((1.0 / i for i, r in enumerate(ranked[:DEPTH], start=1) if r in hidden), 0.0)
    dcg = sum(1.0 / math.log2(i + 1) for i, r in enumerate(ranked[:k], start=1) if r in hidden)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(hidden), k) + 1))
    return hit, mrr, dcg / ideal


def _baseline(index: RecommendationIndex, name: str, iri: str, rng: random.Random) -> list[str]:
    node = index.node_id(iri, NodeKind.PRACTICE, "practice")
    size = index.adjacency.size
    alive = index.alive_practices()
    alive[node] = False
    if name == "random":
        ids = np.flatnonzero(alive)
        chosen = rng.sample(range(len(ids)), min(DEPTH, len(ids)))
        return [index.iri_of(int(ids[c])) for c in chosen]
    if name == "most-popular":
        score = index.adjacency.degree[:size].copy()
    else:  # theme overlap: how many themes the two practices share
        score = np.zeros(size)
        for signal, theme in index.features.features(node):
            if signal is Signal.THEME:
                score[index.features.posting((signal, theme))[:]] += 1.0
        score = score[:size]
    return [index.iri_of(i) for i in index.top(score, alive, DEPTH)]


def evaluate(
    source: GraphSource,
    protocol: Protocol | str,
    *,
    queries: int = 300,
    seed: int = 0,
    k: int = 10,
    methods: Sequence[str] = METHODS,
    index_factory: Callable[[GraphSource], RecommendationIndex] = RecommendationIndex,
) -> dict[str, Metrics]:
    """Run the hold-out ``protocol`` on ``source`` (which is not changed); metrics per method."""
    protocol = Protocol(protocol)
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise InputError(f"unknown methods {sorted(unknown)}; use {', '.join(METHODS)}")
    rng = random.Random(seed)
    work = RecordSet.of(source)
    chosen = _queries(work, protocol, queries, rng)
    if not chosen:
        raise InputError(f"no practice qualifies for the {protocol} hold-out")
    index = index_factory(work)
    sums = {m: [0.0, 0.0, 0.0] for m in methods}
    for query in chosen:
        original = work.practices[query.practice]
        work.practices[query.practice] = query.held_out  # type: ignore[assignment]
        index.update_practice(query.practice)
        for method in methods:
            if method in BASELINES:
                ranked = _baseline(index, method, query.practice, rng)
            else:
                found = index.related(query.practice, DEPTH, method, explain=False)
                ranked = [r.iri for r in found]
            for i, value in enumerate(_metrics(ranked, query.hidden, k)):
                sums[method][i] += value
        work.practices[query.practice] = original
        index.update_practice(query.practice)
    n = len(chosen)
    return {m: Metrics(n, s[0] / n, s[1] / n, s[2] / n) for m, s in sums.items()}


def markdown_table(results: Mapping[str, Mapping[str, Metrics]], k: int = 10) -> str:
    """One row per method, three columns (hit@k, MRR, nDCG@k) per dataset; best in bold."""
    names = list(results)
    header = (
        "| method | " + " | ".join(f"{name}: hit@{k} | MRR | nDCG@{k}" for name in names) + " |"
    )
    rule = "|---|" + "---:|" * (3 * len(names))
    lines = [header, rule]
    methods = [m for m in METHODS if all(m in r for r in results.values())]
    best = {
        (name, col): max(getattr(results[name][m], col) for m in methods)
        for name in names
        for col in ("hit", "mrr", "ndcg")
    }
    for m in methods:
        cells = []
        for name in names:
            for col in ("hit", "mrr", "ndcg"):
                value = getattr(results[name][m], col)
                text = f"{value:.3f}"
                cells.append(f"**{text}**" if value == best[(name, col)] else text)
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    counts = ", ".join(f"{name}: {next(iter(results[name].values())).queries}" for name in names)
    lines.append("")
    lines.append(f"Queries — {counts}.")
    return "\n".join(lines)
