"""Offline evaluation: hide some of a practice's links and see whether the hidden neighbours return.

Protocols (:class:`Protocol`):

- ``event``: a query practice presented at events whose other practices exist loses all its event
  links; the *hidden neighbours* are the practices co-presented at those events.
- ``theme``: a query practice with two or more themes loses one of them (every such pair of a
  practice and a theme is a query); the hidden neighbours are the other practices on that theme.
- ``intact``: nothing is hidden; queries are practices drawn at random and only the diversity
  figures are kept (the lists a member sees).

For every query the hidden links are removed from the index (an incremental update, exactly as a
write would do it), the methods rank all other practices, and the links are put back. Nothing a
method sees mentions the hidden links, so nothing leaks; the learned baseline is fitted once on the
features with every query's hidden links removed.

Per query and method (:data:`METRICS`): hit@k (a hidden neighbour among the first ``k``), MRR
(reciprocal rank of the first hidden neighbour in the first 100, else 0), nDCG@k with binary
relevance, and three diversity figures of the first ``k``: the share from the query practice's own
PES, the number of distinct PES and of distinct countries. Over all queries: catalogue coverage,
the share of the practices that appear in some top ``k``. Every figure comes with a 95% percentile
bootstrap interval over the queries (:meth:`Evaluation.estimate`; for coverage, which a resample
with repeated queries underestimates, shifted by the estimated bias); comparisons of two methods
resample the same queries for both (:meth:`Evaluation.difference`, :meth:`Evaluation.ratio`).

Methods: the baselines of :mod:`graphsvc.recommend.baselines`, the index's undiversified
``pagerank``, ``similarity`` and ``hybrid`` rankings, and ``default``: what ``related`` returns to
a caller who asks for nothing special (the diversified hybrid). Ties are broken by the index's IRI
hash, and queries and resamples are drawn with seeded generators, so a run is reproducible.

Complexity: O(queries x methods x cost of one ranking) plus O(resamples x queries x methods) for
the intervals. Example::

    >>> ev = evaluate(source, Protocol.EVENT, queries=200, seed=0)            # doctest: +SKIP
    >>> ev.estimate("hybrid", "ndcg")                                          # doctest: +SKIP
    Estimate(value=0.081, low=0.066, high=0.097)
"""

from __future__ import annotations

import dataclasses
import enum
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from graphsvc.errors import InputError
from graphsvc.model.records import Practice
from graphsvc.recommend.adjacency import FloatArray
from graphsvc.recommend.baselines import (
    BASELINES,
    CoPresentation,
    Factorisation,
    rank_baseline,
)
from graphsvc.recommend.index import RecommendationIndex, Strategy
from graphsvc.recommend.places import Places
from graphsvc.recommend.source import GraphSource, RecordSet

__all__ = [
    "BASELINES",
    "DIVERSITY",
    "METHODS",
    "METRICS",
    "QUALITY",
    "Estimate",
    "Evaluation",
    "Protocol",
    "evaluate",
]

INDEX_METHODS = (
    Strategy.PAGERANK.value,
    Strategy.SIMILARITY.value,
    Strategy.HYBRID.value,
    "default",
)
METHODS = (*BASELINES, *INDEX_METHODS)
QUALITY = ("hit", "mrr", "ndcg")
DIVERSITY = ("own_pes", "pes", "countries", "coverage")
METRICS = (*QUALITY, *DIVERSITY)
DEPTH = 100  # ranks looked at for MRR
RESAMPLES = 1000  # bootstrap resamples of the queries


class Protocol(enum.StrEnum):
    EVENT = "event"
    THEME = "theme"
    INTACT = "intact"


@dataclass(frozen=True, slots=True)
class Estimate:
    """A figure and its 95% bootstrap interval."""

    value: float
    low: float
    high: float

    def overlaps(self, other: Estimate) -> bool:
        return self.low <= other.high and other.low <= self.high


@dataclass(frozen=True, slots=True)
class _Query:
    practice: str
    hidden: frozenset[str]  # the hidden neighbours
    held_out: Practice  # the practice record without the hidden links


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
        if protocol is Protocol.INTACT:
            out.append(_Query(iri, frozenset(), p))
        elif protocol is Protocol.EVENT:
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
    if not hidden:  # nothing was hidden: no quality to measure
        return math.nan, math.nan, math.nan
    hit = float(any(r in hidden for r in ranked[:k]))
    mrr = next((1.0 / i for i, r in enumerate(ranked[:DEPTH], start=1) if r in hidden), 0.0)
    dcg = sum(1.0 / math.log2(i + 1) for i, r in enumerate(ranked[:k], start=1) if r in hidden)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(hidden), k) + 1))
    return hit, mrr, dcg / ideal


def _diversity(source: GraphSource, query: str, top: Sequence[str]) -> tuple[float, float, float]:
    """Own-PES share, distinct PES and distinct countries of a top list (0 when it is empty)."""
    if not top:
        return 0.0, 0.0, 0.0
    records = [source.practices[i] for i in top]
    own = source.practices[query].pes
    share = sum(1 for r in records if own is not None and r.pes == own) / len(records)
    pes = {r.pes for r in records if r.pes}
    countries = {r.country for r in records if r.country}
    return share, float(len(pes)), float(len(countries))


class Evaluation:
    """Per-query figures of every method on one dataset, and estimates with intervals.

    The bootstrap draws ``resamples`` multisets of the queries once (seeded) and reuses them for
    every method, so intervals of differences and ratios are paired.
    """

    def __init__(
        self,
        methods: Sequence[str],
        values: dict[str, dict[str, FloatArray]],
        tops: dict[str, list[list[str]]],
        catalogue: Sequence[str],
        *,
        resamples: int = RESAMPLES,
        seed: int = 0,
    ) -> None:
        self.methods = tuple(methods)
        self.values = values  # method -> metric -> per-query values (metrics but coverage)
        self.tops = tops  # method -> per-query top k
        self.catalogue = len(catalogue)
        self.queries = len(next(iter(tops.values()))) if tops else 0
        n = self.queries
        draws = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
        counts = np.zeros((resamples, n))
        np.add.at(counts, (np.repeat(np.arange(resamples), n), draws.ravel()), 1.0)
        self._counts = sp.csr_matrix(counts)
        position = {iri: i for i, iri in enumerate(catalogue)}
        self._shown: dict[str, sp.csr_matrix] = {}
        for method, lists in tops.items():
            rows = [q for q, top in enumerate(lists) for _ in top]
            cols = [position[i] for top in lists for i in top]
            self._shown[method] = sp.csr_matrix(
                (np.ones(len(rows)), (rows, cols)), shape=(n, max(1, self.catalogue))
            )

    def _sampled(self, method: str, metric: str) -> tuple[float, FloatArray]:
        """The figure on all queries and on each resample."""
        if metric == "coverage":
            shown = self._shown[method]
            value = float((np.asarray(shown.sum(axis=0)).ravel() > 0).sum()) / self.catalogue
            reached = self._counts @ shown  # resamples x catalogue: times each item was shown
            per = np.asarray((reached > 0).sum(axis=1), dtype=np.float64).ravel() / self.catalogue
            # a resample holds about 63% distinct queries, so its coverage is biased low: shift
            # the resamples by the estimated bias (bias-corrected percentile interval)
            return value, np.clip(per + (value - float(per.mean())), 0.0, 1.0)
        column = self.values[method][metric]
        means = np.asarray(self._counts @ column, dtype=np.float64).ravel() / self.queries
        return float(column.mean()), means

    def has(self, metric: str) -> bool:
        """Whether ``metric`` was measured (quality needs hidden links)."""
        if metric == "coverage":
            return True
        return any(not np.isnan(v[metric]).any() for v in self.values.values())

    def estimate(self, method: str, metric: str) -> Estimate:
        """``metric`` of ``method`` over all queries, with its 95% bootstrap interval."""
        value, sampled = self._sampled(method, metric)
        low, high = np.percentile(sampled, [2.5, 97.5])
        return Estimate(value, float(low), float(high))

    def difference(self, a: str, b: str, metric: str) -> Estimate:
        """``metric`` of ``a`` minus that of ``b``, with a paired 95% bootstrap interval."""
        va, sa = self._sampled(a, metric)
        vb, sb = self._sampled(b, metric)
        low, high = np.percentile(sa - sb, [2.5, 97.5])
        return Estimate(va - vb, float(low), float(high))

    def ratio(self, a: str, b: str, metric: str) -> Estimate:
        """``metric`` of ``a`` over that of ``b``, with a paired 95% bootstrap interval."""
        va, sa = self._sampled(a, metric)
        vb, sb = self._sampled(b, metric)
        ratios = sa / np.where(sb > 0, sb, np.nan)
        low, high = np.nanpercentile(ratios, [2.5, 97.5])
        return Estimate(va / vb if vb else math.nan, float(low), float(high))

    def strongest_baseline(self, metric: str = "ndcg") -> str:
        """The baseline with the best ``metric`` on all queries."""
        present = [m for m in BASELINES if m in self.methods]
        return max(present, key=lambda m: (self.estimate(m, metric).value, -present.index(m)))


RankFn = Callable[[RecommendationIndex, str], list[str]]


def _index_ranker(method: str) -> RankFn:
    if method == "default":

        def default(index: RecommendationIndex, iri: str) -> list[str]:
            return [r.iri for r in index.related(iri, DEPTH, explain=False)]

        return default

    def strategy(index: RecommendationIndex, iri: str) -> list[str]:
        found = index.related(iri, DEPTH, method, explain=False, diversify=False)
        return [r.iri for r in found]

    return strategy


def _masked_for_training(work: RecordSet, chosen: Sequence[_Query]) -> dict[str, Practice]:
    """Each query practice without all the links any of its queries hides."""
    out: dict[str, Practice] = {}
    for query in chosen:
        held = query.held_out
        prev = out.get(query.practice)
        if prev is not None:
            held = dataclasses.replace(
                held,
                themes=tuple(t for t in held.themes if t in prev.themes),
                events=tuple(e for e in held.events if e in prev.events),
            )
        out[query.practice] = held
    return out


def evaluate(
    source: GraphSource,
    protocol: Protocol | str,
    *,
    queries: int = 300,
    seed: int = 0,
    k: int = 10,
    methods: Sequence[str] = METHODS,
    resamples: int = RESAMPLES,
    index_factory: Callable[[GraphSource], RecommendationIndex] = RecommendationIndex,
) -> Evaluation:
    """Run the hold-out ``protocol`` on ``source`` (which is not changed); see the module."""
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
    places = Places.of(work)
    factorisation: Factorisation | None = None
    if "factorisation" in methods:
        masked = _masked_for_training(work, chosen)
        originals = {iri: work.practices[iri] for iri in masked}
        for iri, held in masked.items():
            work.practices[iri] = held
            index.update_practice(iri)
        factorisation = Factorisation(index)
        for iri, record in originals.items():
            work.practices[iri] = record
            index.update_practice(iri)
    rule = CoPresentation(work, places.pes_region) if "co-presentation" in methods else None
    rankers: dict[str, RankFn] = {m: _index_ranker(m) for m in methods if m in INDEX_METHODS}
    per: dict[str, list[tuple[float, ...]]] = {m: [] for m in methods}
    tops: dict[str, list[list[str]]] = {m: [] for m in methods}
    for query in chosen:
        original = work.practices[query.practice]
        work.practices[query.practice] = query.held_out
        index.update_practice(query.practice)
        region = places.pes_region.get(original.pes) if original.pes else None
        for method in methods:
            if method in rankers:
                ranked = rankers[method](index, query.practice)
            else:
                if method == "factorisation" and factorisation is not None:
                    ids = factorisation.rank(query.practice, DEPTH)
                elif method == "co-presentation" and rule is not None:
                    ids = rule.rank(index, query.practice, region, DEPTH)
                else:
                    ids = rank_baseline(index, method, query.practice, DEPTH, rng)
                ranked = [index.iri_of(i) for i in ids]
            quality = _metrics(ranked, query.hidden, k)
            per[method].append(quality + _diversity(work, query.practice, ranked[:k]))
            tops[method].append(ranked[:k])
        work.practices[query.practice] = original
        index.update_practice(query.practice)
    columns = ("hit", "mrr", "ndcg", "own_pes", "pes", "countries")
    values: dict[str, dict[str, FloatArray]] = {}
    for method, rows in per.items():
        matrix: npt.NDArray[np.float64] = np.array(rows, dtype=np.float64)
        values[method] = {c: matrix[:, i] for i, c in enumerate(columns)}
    return Evaluation(methods, values, tops, sorted(work.practices), resamples=resamples, seed=seed)
