"""Content negotiation: pick a representation from ``Accept``, with ``format=`` as the fallback.

The header is parsed by :func:`graphsvc.http.negotiation.parse_accept`, shared with the GraphQL
endpoint; this module is the researcher-facing routes' policy.

The ``Accept`` header decides when the client's most preferred type is one we offer. Otherwise
(no header, only wildcards, or a browser whose first choice is ``text/html`` where no HTML is
offered) a ``format=`` parameter decides, then the best ``Accept`` match, then the default.

>>> offers = (Offer("json", "application/sparql-results+json", ("application/json",)),
...           Offer("csv", "text/csv"))
>>> negotiate(offers, "text/csv;q=0.9, application/json", None).name
'json'
>>> negotiate(offers, "text/html, */*;q=0.8", ["csv"]).name
'csv'
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graphsvc.http.negotiation import MediaRange, parse_accept
from graphsvc.web.errors import NotAcceptableError

__all__ = ["Offer", "negotiate"]


@dataclass(frozen=True, slots=True)
class Offer:
    """One representation: a short ``name`` (for ``format=``), its media type and aliases."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    def types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)

    def known_as(self, value: str) -> bool:
        value = value.strip().lower()
        return value == self.name or value in self.names or value in self.types()


def _quality(offer: Offer, ranges: Sequence[MediaRange]) -> tuple[float, int, int]:
    """(q, specificity, -order) of the most specific range that matches ``offer``."""
    best = (0.0, 0, 0)
    for media_range in ranges:
        for media_type in offer.types():
            specificity = media_range.matches(media_type)
            if specificity and (specificity, -media_range.order) > best[1:]:
                best = (media_range.q, specificity, -media_range.order)
    return best


def negotiate(
    offers: Sequence[Offer], accept: str | None, formats: Iterable[str] | None = None
) -> Offer:
    """The offer to answer with; the first offer is the default. Raises 406 if none fits."""
    key = (tuple(offers), accept, tuple(formats or ()))
    if accept is not None and len(accept) > 1024:  # not worth keeping
        return _negotiate.__wrapped__(*key)
    return _negotiate(*key)


@functools.lru_cache(maxsize=1024)
def _negotiate(offers: tuple[Offer, ...], accept: str | None, formats: tuple[str, ...]) -> Offer:
    # pure, and clients send few distinct Accept headers: parsed once per header, not per request
    ranges = parse_accept(accept)
    requested = [value for value in formats or () if value]
    by_format = next(
        (offer for value in requested for offer in offers if offer.known_as(value)), None
    )
    scored = [(_quality(offer, ranges), index, offer) for index, offer in enumerate(offers)]
    acceptable = [item for item in scored if item[0][0] > 0]
    acceptable.sort(key=lambda item: (-item[0][0], -item[0][1], -item[0][2], item[1]))
    best = acceptable[0] if acceptable else None

    top_q = ranges[0].q if ranges else 0.0
    top_specific = [r for r in ranges if r.q == top_q and not r.wildcard]
    if best is not None and best[0][1] == 3 and best[0][0] == top_q and top_specific:
        return best[2]  # the client's first choice is something we offer
    if by_format is not None:
        return by_format
    if requested:
        raise NotAcceptableError(f"format={requested[0]}", [o.name for o in offers])
    if not ranges:
        return offers[0]
    if best is not None:
        if best[0][1] < 3 and _quality(offers[0], ranges)[0] > 0:
            return offers[0]  # only a wildcard matched: the default is as good as any
        return best[2]
    asked = f"Accept: {accept}" if accept else f"format={requested[0]}"
    raise NotAcceptableError(asked, [f"{o.media_type} (format={o.name})" for o in offers])
