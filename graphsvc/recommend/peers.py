"""Peer PES for benchlearning: PES whose portfolios of practices look alike.

Two PES are compared by their portfolios (:class:`~graphsvc.recommend.portfolios.PeerIndex`:
themes, target groups and events, tf-idf cosine per signal), whether they are in the same WAPES
region and the Jaccard overlap of their networks (from the state's
:class:`~graphsvc.recommend.places.Places`, as its build read them); the score is
``sum(PEER_WEIGHTS[s] * similarity_s)``, in [0, 1], so each signal's contribution is one term.
PES scoring under :data:`MIN_PEER_SCORE` are not shown; ties are broken on content (the larger
portfolio first, then the label), never on a hash.

A query is O(PES x portfolio size), about 150 x 60 here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
from graphsvc.recommend.features import Signal
from graphsvc.recommend.filters import Filters, pes_passes
from graphsvc.recommend.portfolios import NETWORK

if TYPE_CHECKING:
    from graphsvc.recommend.state import IndexState

__all__ = [
    "MIN_PEER_SCORE",
    "PEER_STRENGTH_BANDS",
    "PEER_WEIGHTS",
    "rank_peers",
]

MIN_PEER_SCORE = 0.1
"""Peer PES scoring less are not shown (a shared WAPES region alone scores 0.1)."""

PEER_STRENGTH_BANDS: tuple[float, float] = (0.5, 0.25)
"""``strong`` from the first, ``moderate`` from the second, else ``weak``."""

PEER_WEIGHTS: dict[str, float] = {
    Signal.THEME.value: 0.5,
    Signal.TARGET_GROUP.value: 0.15,
    Signal.EVENT.value: 0.15,
    Signal.REGION.value: 0.1,
    NETWORK: 0.1,
}
"""Weights of the peer signals (they sum to 1)."""


def rank_peers(
    index: IndexState,
    pes: str,
    filters: Filters | None = None,
    lang: str = "en",
    min_score: float | None = None,
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
        if total > 0 and total >= (MIN_PEER_SCORE if min_score is None else min_score):
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
