"""Recommendations shown on entity pages: a practice's related practices, a PES's peers and the
practices recommended for it, each with its reasons and the share of each signal in words."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from graphsvc.errors import GraphsvcError
from graphsvc.recommend.explain import Recommendation
from graphsvc.services import Services

__all__ = ["SIGNAL_WORDS", "Suggested", "Suggestions", "suggestions_for"]

SIGNAL_WORDS = {
    "theme": "shared themes",
    "broader-theme": "related themes",
    "target-group": "same target group",
    "pes": "same PES",
    "country": "same country",
    "region": "same WAPES region",
    "event": "presented at the same event",
    "related-theme": "a broader or narrower theme",
    "text": "similar wording",
    "walk": "paths through the graph",
}
"""How a person reads a signal of :class:`graphsvc.recommend.features.Signal` (and the walk)."""


@dataclass(frozen=True, slots=True)
class Suggested:
    """One recommended practice or PES, ready for a page."""

    iri: str
    label: str
    strength: str
    reasons: tuple[str, ...]
    shares: tuple[tuple[str, int], ...]
    """(signal in words, per cent of the score), largest first; shares under 1% left out."""


@dataclass(frozen=True, slots=True)
class Suggestions:
    related: tuple[Suggested, ...] = ()
    peers: tuple[Suggested, ...] = ()
    recommended: tuple[Suggested, ...] = ()


def _shares(item: Recommendation) -> tuple[tuple[str, int], ...]:
    by_signal: dict[str, float] = defaultdict(float)
    for contribution in item.contributions:
        by_signal[contribution.signal] += contribution.value
    total = sum(by_signal.values())
    if total <= 0:
        return ()
    ranked = sorted(by_signal.items(), key=lambda kv: -kv[1])
    return tuple(
        (SIGNAL_WORDS.get(signal, signal.replace("-", " ")), round(100 * value / total))
        for signal, value in ranked
        if value / total >= 0.01
    )


def _suggested(items: Sequence[Recommendation]) -> tuple[Suggested, ...]:
    return tuple(
        Suggested(
            item.iri,
            item.label,
            str(item.strength),
            tuple(reason.text for reason in item.reasons),
            _shares(item),
        )
        for item in items
    )


def suggestions_for(services: Services, iri: str, first: int = 10) -> Suggestions:
    """Related practices if ``iri`` is a practice; peers and recommended practices if a PES;
    nothing for anything else (or a service started without the recommendation index)."""
    if services.index is None:
        return Suggestions()
    index = services.index
    try:
        return Suggestions(related=_suggested(index.related(iri, first)))
    except GraphsvcError:
        pass  # not a practice
    try:
        peers = _suggested(index.peers(iri, first))
        recommended = _suggested(index.recommended_practices(iri, first))
    except GraphsvcError:
        return Suggestions()
    return Suggestions(peers=peers, recommended=recommended)
