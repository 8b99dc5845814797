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

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from graphsvc.recommend.features import Signal

__all__ = [
    "Contribution",
    "NodeRef",
    "Reason",
    "Recommendation",
    "join_labels",
    "path_reason",
    "shared_reason",
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

    def contribution(self, signal: str, method: str | None = None) -> float:
        """The summed contribution of ``signal`` (through ``method``, or through both)."""
        return sum(
            c.value
            for c in self.contributions
            if c.signal == signal and (method is None or c.method == method)
        )


def join_labels(labels: Sequence[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} and {labels[-1]}"


_MAX_NAMED = 3


def _named(nodes: Sequence[NodeRef]) -> str:
    labels = [n.label for n in nodes[:_MAX_NAMED]]
    if len(nodes) > _MAX_NAMED:
        labels.append(f"{len(nodes) - _MAX_NAMED} more")
    return join_labels(labels)


_TEXTS: dict[Signal, Callable[[Sequence[NodeRef]], str]] = {
    Signal.THEME: lambda n: f"shares {'themes' if len(n) > 1 else 'theme'} {_named(n)}",
    Signal.BROADER_THEME: lambda n: f"related themes under {_named(n)}",
    Signal.TARGET_GROUP: lambda n: (
        f"same {'target groups' if len(n) > 1 else 'target group'} ({_named(n)})"
    ),
    Signal.PES: lambda n: f"same PES ({_named(n)})",
    Signal.COUNTRY: lambda n: f"same country ({_named(n)})",
    Signal.REGION: lambda n: f"same WAPES region ({_named(n)})",
    Signal.EVENT: lambda n: (
        f"presented at the same {'events' if len(n) > 1 else 'event'} ({_named(n)})"
    ),
}


def shared_reason(signal: Signal, nodes: Sequence[NodeRef]) -> Reason:
    """A reason for nodes of one signal that both sides share."""
    return Reason(signal.value, _TEXTS[signal](nodes), tuple(nodes))


def path_reason(path: Sequence[NodeRef]) -> Reason:
    """A reason for a short path from the query to the recommended node."""
    return Reason(
        "path",
        "linked through " + " → ".join(n.label for n in path),
        tuple(path),
    )
