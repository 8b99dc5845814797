"""The ``Accept`` header (and ``Accept-Encoding``), parsed once for both public faces.

:func:`parse_accept` turns the header into media ranges, best first. Each face applies its own
policy to them: the GraphQL endpoint picks between its two JSON types
(:func:`graphsvc.api.server.view.negotiate`); the researcher-facing routes pick among their
representations, with ``format=`` as a fallback (:func:`graphsvc.web.negotiation.negotiate`).

>>> [(r.type, r.subtype, r.q) for r in parse_accept("text/html;q=0.5, application/json")]
[('application', 'json', 1.0), ('text', 'html', 0.5)]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["MediaRange", "accepts_coding", "parse_accept"]


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One media range of an ``Accept`` header: ``q`` in [0, 1], ``order`` its position."""

    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> int:
        """0 for no match, else the specificity: 1 ``*/*``, 2 ``type/*``, 3 exact."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type == kind and self.subtype == "*":
            return 2
        return 3 if (self.type, self.subtype) == (kind, sub) else 0

    @property
    def wildcard(self) -> bool:
        return self.type == "*" or self.subtype == "*"


def _weighted(header: str | None) -> Iterator[tuple[str, float, int]]:
    """``(value, q, order)`` of each element of a list header with weights (``Accept``,
    ``Accept-Encoding``), in the header's order; the value lower-cased, ``q`` in [0, 1]."""
    for order, part in enumerate((header or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        yield fields[0].lower(), q, order


def parse_accept(header: str | None) -> list[MediaRange]:
    """Media ranges of an ``Accept`` header, best first; malformed parts are skipped."""
    ranges: list[MediaRange] = []
    for value, q, order in _weighted(header):
        kind, _, sub = value.partition("/")
        if kind and sub:
            ranges.append(MediaRange(kind, sub, q, order))
    ranges.sort(key=lambda r: (-r.q, r.wildcard, r.order))
    return ranges


def accepts_coding(header: str | None, coding: str) -> bool:
    """Whether an ``Accept-Encoding`` header allows ``coding``: its first element that names it
    or ``*`` decides, by a non-zero ``q``."""
    return next((q > 0 for value, q, _ in _weighted(header) if value in (coding, "*")), False)
