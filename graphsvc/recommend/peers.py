"""Peer PES for benchlearning: PES whose portfolios of practices look alike.

A PES's *portfolio* counts the features of its practices by signal: themes, target groups and the
events they were presented at. Two PES are compared signal by signal with the cosine of their
tf-idf vectors (``tf`` = practices with the feature, ``idf = log(1 + PES / PES with it)``), plus
whether they are in the same WAPES region and the Jaccard overlap of their networks (from the
state's :class:`~graphsvc.recommend.places.Places`, as its build read them); the score is
``sum(PEER_WEIGHTS[s] * similarity_s)``, in [0, 1], so each signal's contribution is one term.
PES scoring under :data:`MIN_PEER_SCORE` are not shown; ties are broken on content (the larger
portfolio first, then the label), never on a hash.

Portfolios are updated per practice change (O(features of the practice)); the tf-idf vectors are
recomputed lazily after a change, O(sum of the portfolio sizes). A query is O(PES x portfolio
size), about 150 x 60 here. Example::

    >>> pi = PeerIndex()
    >>> pi.add("a", [(Signal.THEME, "t")]); pi.add("b", [(Signal.THEME, "t")])
    >>> pi.similarity("a", "b", regions={}, networks={})[Signal.THEME]
    1.0
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from graphsvc.model.text import sort_key
from graphsvc.recommend import reasons
from graphsvc.recommend.explain import (
    Contribution,
    Reason,
    Recommendation,
    shared_reason,
    strength_of,
)
from graphsvc.recommend.features import Feature, Signal
from graphsvc.recommend.filters import Filters, pes_passes

if TYPE_CHECKING:
    from graphsvc.recommend.state import IndexState

__all__ = [
    "MIN_PEER_SCORE",
    "NETWORK",
    "PEER_STRENGTH_BANDS",
    "PEER_WEIGHTS",
    "PeerIndex",
    "rank_peers",
]

MIN_PEER_SCORE = 0.1
"""Peer PES scoring less are not shown (a shared WAPES region alone scores 0.1)."""

PEER_STRENGTH_BANDS: tuple[float, float] = (0.5, 0.25)
"""``strong`` from the first, ``moderate`` from the second, else ``weak``."""

NETWORK = "network"
"""The contribution key of shared networks (not a practice feature)."""

PEER_WEIGHTS: dict[str, float] = {
    Signal.THEME.value: 0.5,
    Signal.TARGET_GROUP.value: 0.15,
    Signal.EVENT.value: 0.15,
    Signal.REGION.value: 0.1,
    NETWORK: 0.1,
}
"""Weights of the peer signals (they sum to 1)."""

_PORTFOLIO_SIGNALS = (Signal.THEME, Signal.TARGET_GROUP, Signal.EVENT)


class PeerIndex:
    """Portfolios of every PES and the similarity of two of them; see the module docstring."""

    def __init__(self) -> None:
        self._portfolios: dict[str, Counter[Feature]] = {}
        self._vectors: dict[str, dict[Signal, dict[str, float]]] | None = None
        self._norms: dict[str, dict[Signal, float]] = {}

    def add(self, pes: str, features: Iterable[Feature], sign: int = 1) -> None:
        """Count (or with ``sign=-1`` uncount) one practice's features for ``pes``."""
        portfolio = self._portfolios.setdefault(pes, Counter())
        for feature in features:
            if feature[0] in _PORTFOLIO_SIGNALS:
                portfolio[feature] += sign
                if portfolio[feature] <= 0:
                    del portfolio[feature]
        if not portfolio:
            del self._portfolios[pes]  # as if it never had a practice
        self._vectors = None

    def portfolio(self, pes: str) -> Counter[Feature]:
        return self._portfolios.get(pes, Counter())

    def _ensure(self) -> dict[str, dict[Signal, dict[str, float]]]:
        if self._vectors is not None:
            return self._vectors
        df: Counter[Feature] = Counter()
        for portfolio in self._portfolios.values():
            df.update(portfolio.keys())
        n = max(1, len(self._portfolios))
        vectors: dict[str, dict[Signal, dict[str, float]]] = {}
        norms: dict[str, dict[Signal, float]] = {}
        for pes, portfolio in self._portfolios.items():
            by_signal: dict[Signal, dict[str, float]] = {}
            for (signal, iri), count in portfolio.items():
                by_signal.setdefault(signal, {})[iri] = count * math.log1p(n / df[(signal, iri)])
            vectors[pes] = by_signal
            norms[pes] = {
                s: math.sqrt(sum(x * x for x in v.values())) for s, v in by_signal.items()
            }
        self._vectors, self._norms = vectors, norms
        return vectors

    def similarity(
        self,
        a: str,
        b: str,
        *,
        regions: Mapping[str, str | None],
        networks: Mapping[str, frozenset[str]],
    ) -> dict[str, float]:
        """Per signal, the similarity of PES ``a`` and ``b`` in [0, 1]."""
        vectors = self._ensure()
        out: dict[str, float] = {}
        va, vb = vectors.get(a, {}), vectors.get(b, {})
        for signal in _PORTFOLIO_SIGNALS:
            xa, xb = va.get(signal), vb.get(signal)
            if not xa or not xb:
                continue
            small, large = (xa, xb) if len(xa) <= len(xb) else (xb, xa)
            dot = sum(x * large[k] for k, x in small.items() if k in large)
            if dot > 0:
                out[signal] = dot / (self._norms[a][signal] * self._norms[b][signal])
        region = regions.get(a)
        if region is not None and region == regions.get(b):
            out[Signal.REGION] = 1.0
        na, nb = networks.get(a, frozenset()), networks.get(b, frozenset())
        if na and nb and na & nb:
            out[NETWORK] = len(na & nb) / len(na | nb)
        return out

    def shared(self, a: str, b: str, signal: Signal) -> list[tuple[str, int, int]]:
        """Features of ``signal`` both PES have: ``(iri, count in a, count in b)``, most shared
        first."""
        pa, pb = self.portfolio(a), self.portfolio(b)
        common = [
            (iri, pa[(s, iri)], pb[(s, iri)]) for (s, iri) in pa if s == signal and (s, iri) in pb
        ]
        return sorted(common, key=lambda x: (-min(x[1], x[2]), -(x[1] + x[2]), x[0]))


def rank_peers(
    index: IndexState, pes: str, filters: Filters | None = None, lang: str = "en"
) -> list[Recommendation]:
    """Every PES similar to ``pes`` (known to be a PES of ``index``) that passes ``filters``,
    scoring at least :data:`MIN_PEER_SCORE`, best first. O(PES x portfolio size).

    Regions and networks come from the state's places, as its build read them, never from the
    live source: while a rebuild runs, the served state answers as one build.
    """
    places = index.places  # once: an incremental update may replace it meanwhile
    regions, networks = places.pes_region, places.networks
    scored: list[tuple[float, int, str, str, dict[str, float]]] = []
    for other in places.pes_country:
        if other == pes or (filters is not None and not pes_passes(index, filters, other)):
            continue
        parts = index.peers_index.similarity(pes, other, regions=regions, networks=networks)
        total = sum(PEER_WEIGHTS[s] * v for s, v in parts.items())
        if total >= MIN_PEER_SCORE:
            size = sum(index.peers_index.portfolio(other).values())
            label = sort_key(index.ref_of(other).label)
            scored.append((-total, -size, label, other, parts))
    scored.sort()
    out = []
    for rank, (neg, _, _, other, parts) in enumerate(scored, start=1):
        contributions = sorted(
            (Contribution(str(s), "similarity", PEER_WEIGHTS[s] * v) for s, v in parts.items()),
            key=lambda c: (-c.value, c.signal),
        )
        ref = index.ref_of(other, lang)
        out.append(
            Recommendation(
                iri=other,
                label=ref.label,
                kind=ref.kind,
                rank=rank,
                score=-neg,
                contributions=tuple(contributions),
                reasons=tuple(
                    _peer_reasons(index, pes, other, contributions, regions, networks, lang)
                ),
                strength=strength_of(-neg, PEER_STRENGTH_BANDS),
            )
        )
    return out


def _peer_reasons(
    index: IndexState,
    pes: str,
    other: str,
    contributions: Sequence[Contribution],
    regions: Mapping[str, str | None],
    networks: Mapping[str, frozenset[str]],
    lang: str,
) -> list[Reason]:
    out: list[Reason] = []
    for c in contributions:
        if c.signal in (Signal.THEME, Signal.TARGET_GROUP, Signal.EVENT):
            common = index.peers_index.shared(pes, other, Signal(c.signal))[:3]
            nodes = tuple(index.ref_of(iri, lang) for iri, _, _ in common)
            listed = [
                reasons.phrase("practices", lang, x=n.label, a=a, b=b)
                for n, (_, a, b) in zip(nodes, common, strict=True)
            ]
            out.append(Reason(c.signal, reasons.text(f"peer-{c.signal}", lang, listed), nodes))
        elif c.signal == Signal.REGION:
            region = regions[pes] or ""
            out.append(shared_reason(Signal.REGION, [index.ref_of(region, lang)], lang))
        elif c.signal == NETWORK:
            nodes = tuple(
                index.ref_of(n, lang)
                for n in sorted(networks[pes] & networks[other])
                if index.has_node(n)
            )
            out.append(shared_reason(NETWORK, nodes, lang))
    return out
