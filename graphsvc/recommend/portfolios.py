"""PES portfolios: the features of each PES's practices, and how alike two PES are.

A PES's *portfolio* counts the features of its practices by signal: themes, target groups and the
events they were presented at. Two PES are compared signal by signal with the cosine of their
tf-idf vectors (``tf`` = practices with the feature, ``idf = log(1 + PES / PES with it)``), plus
whether they are in the same WAPES region and the Jaccard overlap of their networks.
:mod:`graphsvc.recommend.peers` weighs these into a peer ranking.

Portfolios are updated per practice change (O(features of the practice)); the tf-idf vectors are
recomputed lazily after a change, O(sum of the portfolio sizes). Example::

    >>> pi = PeerIndex()
    >>> pi.add("a", [(Signal.THEME, "t")]); pi.add("b", [(Signal.THEME, "t")])
    >>> pi.similarity("a", "b", regions={}, networks={})[Signal.THEME]
    1.0
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping

from graphsvc.recommend.features import Feature, Signal

__all__ = ["NETWORK", "PeerIndex"]

NETWORK = "network"
"""The contribution key of shared networks (not a practice feature)."""

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
