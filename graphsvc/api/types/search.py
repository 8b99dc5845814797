"""Full-text search across practices, PES, events and themes in one ranked list."""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry

from graphsvc.api.connections import Connection, PageArgs, bounds
from graphsvc.api.context import Context
from graphsvc.api.types.base import wrap
from graphsvc.api.types.concepts import Theme
from graphsvc.api.types.events import Event
from graphsvc.api.types.organisations import Pes
from graphsvc.api.types.practices import Practice
from graphsvc.errors import InputError
from graphsvc.model.search import Hit

__all__ = [
    "MAX_QUERY_LENGTH",
    "SearchConnection",
    "SearchHit",
    "SearchKind",
    "SearchKindCount",
    "SearchResult",
    "search_connection",
]

MAX_QUERY_LENGTH = 500


@strawberry.enum(description="What a search hit is.")
class SearchKind(enum.Enum):
    PRACTICE = "practice"
    PES = "pes"
    EVENT = "event"
    THEME = "theme"


_TYPE_OF = {"practice": "Practice", "pes": "Pes", "event": "Event", "theme": "Theme"}
_COLLECTION_OF = {"practice": "practices", "pes": "pes", "event": "events", "theme": "themes"}

SearchResult = Annotated[Practice | Pes | Event | Theme, strawberry.union("SearchResult")]


@strawberry.type(description="One search result: what it is, how well it matches, and the item.")
class SearchHit:
    _hit: strawberry.Private[Hit]
    _ctx: strawberry.Private[Context]

    @strawberry.field(description="Relevance (BM25F); higher is better, comparable within a query.")
    def score(self) -> float:
        return round(self._hit.score, 6)

    @strawberry.field
    def kind(self) -> SearchKind:
        return SearchKind(self._hit.kind)

    @strawberry.field(description="The matching practice, PES, event or theme.")
    def node(self) -> SearchResult:
        rm = self._ctx.read_model
        record = getattr(rm, _COLLECTION_OF[self._hit.kind])[self._hit.iri]
        found: SearchResult = wrap(_TYPE_OF[self._hit.kind], self._ctx, record)
        return found


@strawberry.type(description="How many hits of one kind the search found.")
class SearchKindCount:
    kind: SearchKind
    count: int


@strawberry.type(description="A page of search hits, best first, and counts per kind.")
class SearchConnection(Connection[SearchHit]):
    _hits: strawberry.Private[list[Hit]]

    @strawberry.field(description="Hits per kind over the whole list, largest first.")
    def kind_counts(self) -> list[SearchKindCount]:
        counts: dict[str, int] = {}
        for hit in self._hits:
            counts[hit.kind] = counts.get(hit.kind, 0) + 1
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return [SearchKindCount(kind=SearchKind(k), count=n) for k, n in ordered]


def search_connection(
    ctx: Context, query: str, kinds: list[SearchKind] | None, args: PageArgs
) -> SearchConnection:
    """Hits of ``query`` among ``kinds`` (default: all), best first; ties in IRI order."""
    if len(query) > MAX_QUERY_LENGTH:
        raise InputError(f"query: at most {MAX_QUERY_LENGTH} characters; got {len(query)}")
    rm = ctx.read_model
    wanted = [k.value for k in kinds] if kinds else None
    hits = [
        h
        for h in rm.search.search(query, kinds=wanted)
        if h.iri in getattr(rm, _COLLECTION_OF[h.kind])
    ]
    start, end = bounds(len(hits), args, ctx.services.settings.default_page_size)
    items = [SearchHit(_hit=h, _ctx=ctx) for h in hits[start:end]]
    return SearchConnection(total_count=len(hits), items=items, start=start, _hits=hits)
