"""What a recommendation says about itself: its score, each signal's part of it, and reasons.

A :class:`Recommendation` carries ``score`` and ``contributions``, which sum to the score (one per
signal and method: ``("theme", "similarity")``, ``("event", "pagerank")``, ...), and ``reasons``:
sentences that name the nodes involved, with their labels, such as "shares themes Youth Guarantee
and Career guidance", "same WAPES region (Europe)", "presented at the same event (…)", or a short
path through the graph when nothing is shared directly.

The functions here turn shared nodes into sentences; they do no ranking. Complexity: O(nodes
named). Example::

    >>> join_labels(["Youth Guarantee", "Career guidance", "NEETs"])
    'Youth Guarantee, Career guidance and NEETs'
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from graphsvc.recommend import reasons
from graphsvc.recommend.features import Signal

__all__ = [
    "Contribution",
    "NodeRef",
    "Reason",
    "Recommendation",
    "Strength",
    "join_labels",
    "path_reason",
    "shared_reason",
    "strength_of",
]


@dataclass(frozen=True, slots=True)
class NodeRef:
    """A node a reason names: its IRI, display label and kind (``theme``, ``pes``, ...)."""

    iri: str
    label: str
    kind: str


@dataclass(frozen=True, slots=True)
class Contribution:
    """The part of a score one signal gave, through one method (``similarity`` or ``pagerank``)."""

    signal: str
    method: str
    value: float


@dataclass(frozen=True, slots=True)
class Reason:
    signal: str
    text: str
    nodes: tuple[NodeRef, ...]


class Strength(enum.StrEnum):
    """How strongly an item is related, from its score (the same bands for every query)."""

    STRONG = "strong"
    MODERATE = "moderate"
    WEAK = "weak"


def strength_of(score: float, bands: tuple[float, float]) -> Strength:
    """``strong`` from ``bands[0]``, ``moderate`` from ``bands[1]``, else ``weak``."""
    if score >= bands[0]:
        return Strength.STRONG
    if score >= bands[1]:
        return Strength.MODERATE
    return Strength.WEAK


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One ranked item: a practice or a PES, with everything that explains it."""

    iri: str
    label: str
    kind: str
    rank: int
    score: float
    contributions: tuple[Contribution, ...]
    reasons: tuple[Reason, ...]
    strength: Strength = Strength.WEAK

    def contribution(self, signal: str, method: str | None = None) -> float:
        """The summed contribution of ``signal`` (through ``method``, or through both)."""
        return sum(
            c.value
            for c in self.contributions
            if c.signal == signal and (method is None or c.method == method)
        )


def join_labels(labels: Sequence[str], lang: str = "en") -> str:
    return reasons.join_labels(labels, lang)


def shared_reason(signal: Signal | str, nodes: Sequence[NodeRef], lang: str = "en") -> Reason:
    """A reason for nodes of one signal that both sides share, in ``lang``."""
    key = str(signal)
    return Reason(key, reasons.text(key, lang, [n.label for n in nodes]), tuple(nodes))


def path_reason(path: Sequence[NodeRef], lang: str = "en") -> Reason:
    """A reason for a short path from the query to the recommended node."""
    return Reason("path", reasons.text("path", lang, [n.label for n in path]), tuple(path))
