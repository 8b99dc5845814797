"""Filter, order, page and count collections of the read model with its precomputed indexes.

A filter becomes a set of IRIs by intersecting index entries (values of one dimension are ORed,
dimensions are ANDed); ``None`` stands for "everything" so that an unfiltered page never builds a
set. A page of a filtered, ordered collection is cut from the precomputed order: small selections
are sorted by rank, large ones are found by scanning the order until the page is full. Facet counts
intersect the selection with each index entry (C-speed set operations).

Cost for n practices, a selection of size s and a page ending at position e: filtering is
O(sum of the index entries used), a page is O(min(s log s, position of the e-th match)), facets are
O(sum over index entries of min(entry, s)).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphsvc.model.readmodel import EMPTY, ReadModel
from graphsvc.model.records import Event

__all__ = [
    "EventFacets",
    "EventFilter",
    "FacetCount",
    "PesFilter",
    "PracticeFacets",
    "PracticeFilter",
    "Selection",
    "count",
    "event_facets",
    "page",
    "practice_facets",
    "select_events",
    "select_pes",
    "select_practices",
]

Selection = frozenset[str] | None
"""IRIs that pass a filter; ``None`` means every member of the collection."""

FacetCount = tuple[Any, int]
"""A facet value (an IRI or a year) and the number of selected items that have it."""

SMALL_SELECTION_RATIO = 8  # sort the selection when it is this much smaller than the collection


@dataclass(frozen=True, slots=True)
class PracticeFilter:
    """Constraints on practices; empty tuples and ``None`` constrain nothing."""

    themes: tuple[str, ...] = ()
    all_themes: bool = False  # every theme (each with its narrower themes) instead of any
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()
    pes: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    search: str | None = None


@dataclass(frozen=True, slots=True)
class EventFilter:
    themes: tuple[str, ...] = ()
    all_themes: bool = False
    event_types: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()  # hosts, organisers, moderators, participants
    projects: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    date_from: str | None = None  # ISO date; events that end on or after it
    date_to: str | None = None  # ISO date; events that start on or before it
    search: str | None = None


@dataclass(frozen=True, slots=True)
class PesFilter:
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()
    search: str | None = None


@dataclass(frozen=True, slots=True)
class PracticeFacets:
    themes: list[FacetCount]
    countries: list[FacetCount]
    regions: list[FacetCount]
    years: list[FacetCount]
    target_groups: list[FacetCount]


@dataclass(frozen=True, slots=True)
class EventFacets:
    themes: list[FacetCount]
    event_types: list[FacetCount]
    years: list[FacetCount]


def _union(index: Mapping[Any, frozenset[str]], keys: Iterable[Any]) -> frozenset[str]:
    found = [index.get(k, EMPTY) for k in keys]
    return found[0].union(*found[1:]) if found else EMPTY


def _intersect(sets: list[frozenset[str]]) -> Selection:
    if not sets:
        return None
    sets.sort(key=len)
    return sets[0].intersection(*sets[1:])


RANGE_CACHE_SIZE = 128
_RANGES: weakref.WeakKeyDictionary[
    ReadModel, tuple[int, dict[tuple[str, int, int], frozenset[str]]]
] = weakref.WeakKeyDictionary()


def _years(
    rm: ReadModel, name: str, year_from: int | None, year_to: int | None
) -> frozenset[str] | None:
    """The items of the year index ``rm.<name>`` in the range, ``None`` without a range.

    The union of a range is cached per read-model version (at most :data:`RANGE_CACHE_SIZE`
    ranges), so the common "since 2015" costs one C-speed intersection after the first time.
    """
    if year_from is None and year_to is None:
        return None
    low = year_from if year_from is not None else -(10**9)
    high = year_to if year_to is not None else 10**9
    entry = _RANGES.get(rm)
    if entry is None or entry[0] != rm.version:
        entry = (rm.version, {})
        _RANGES[rm] = entry
    cache = entry[1]
    key = (name, low, high)
    found = cache.get(key)
    if found is None:
        index: Mapping[int, frozenset[str]] = getattr(rm, name)
        found = frozenset().union(*(iris for y, iris in list(index.items()) if low <= y <= high))
        if len(cache) >= RANGE_CACHE_SIZE:
            cache.clear()
        cache[key] = found
    return found


def _themes(
    index: Mapping[str, frozenset[str]], themes: Sequence[str], every: bool
) -> frozenset[str]:
    per_theme = [index.get(t, EMPTY) for t in themes]
    if every:
        per_theme.sort(key=len)
        return per_theme[0].intersection(*per_theme[1:])
    return per_theme[0].union(*per_theme[1:])


def _search(rm: ReadModel, query: str | None, kind: str) -> dict[str, float] | None:
    if query is None or not query.strip():
        return None
    return {hit.iri: hit.score for hit in rm.search.search(query, kinds=(kind,))}


def select_practices(rm: ReadModel, f: PracticeFilter) -> tuple[Selection, dict[str, float] | None]:
    """The practices that pass ``f``, and search scores when ``f.search`` is given."""
    sets: list[frozenset[str]] = []
    if f.themes:
        sets.append(_themes(rm.practices_by_theme, f.themes, f.all_themes))
    for index, keys in (
        (rm.practices_by_country, f.countries),
        (rm.practices_by_region, f.regions),
        (rm.practices_by_network, f.networks),
        (rm.practices_by_pes, f.pes),
        (rm.practices_by_target_group, f.target_groups),
        (rm.practices_by_event, f.events),
    ):
        if keys:
            sets.append(_union(index, keys))
    years = _years(rm, "practices_by_year", f.year_from, f.year_to)
    if years is not None:
        sets.append(years)
    scores = _search(rm, f.search, "practice")
    if scores is not None:
        sets.append(frozenset(scores))
    return _intersect(sets), scores


def select_events(rm: ReadModel, f: EventFilter) -> tuple[Selection, dict[str, float] | None]:
    sets: list[frozenset[str]] = []
    if f.themes:
        sets.append(_themes(rm.events_by_theme, f.themes, f.all_themes))
    for index, keys in (
        (rm.events_by_type, f.event_types),
        (rm.events_by_pes, f.agents),
        (rm.events_by_project, f.projects),
    ):
        if keys:
            sets.append(_union(index, keys))
    years = _years(rm, "events_by_year", f.year_from, f.year_to)
    if years is not None:
        sets.append(years)
    if f.date_from is not None or f.date_to is not None:
        sets.append(
            frozenset(
                e.iri for e in list(rm.events.values()) if _overlaps(e, f.date_from, f.date_to)
            )
        )
    scores = _search(rm, f.search, "event")
    if scores is not None:
        sets.append(frozenset(scores))
    return _intersect(sets), scores


def _overlaps(event: Event, date_from: str | None, date_to: str | None) -> bool:
    """Whether the event's days meet [date_from, date_to] (ISO strings compare as dates)."""
    if event.start is None:
        return False
    end = event.end or event.start
    # a bare year "2019" runs to the end of that year
    end = end if len(end) >= 10 else end + "-12-31"[len(end) - 4 :]
    return (date_from is None or end >= date_from) and (date_to is None or event.start <= date_to)


def select_pes(rm: ReadModel, f: PesFilter) -> tuple[Selection, dict[str, float] | None]:
    sets: list[frozenset[str]] = []
    for index, keys in (
        (rm.pes_by_country, f.countries),
        (rm.pes_by_region, f.regions),
        (rm.pes_by_network, f.networks),
    ):
        if keys:
            sets.append(_union(index, keys))
    scores = _search(rm, f.search, "pes")
    if scores is not None:
        sets.append(frozenset(scores))
    return _intersect(sets), scores


def count(rm: ReadModel, collection: str, selection: Selection) -> int:
    return len(getattr(rm, collection)) if selection is None else len(selection)


def page(
    order: Sequence[str],
    rank: Mapping[str, int],
    selection: Selection,
    start: int,
    end: int,
    scores: Mapping[str, float] | None = None,
) -> list[str]:
    """IRIs at positions ``[start, end)`` of the selection in ``order`` (or by ``scores``).

    With ``scores`` the best score comes first and ties follow ``order``.
    """
    if end <= start:
        return []
    if scores is not None:
        members = scores if selection is None else [i for i in scores if i in selection]
        return sorted(members, key=lambda i: (-scores[i], rank.get(i, 0)))[start:end]
    if selection is None:
        return list(order[start:end])
    if len(selection) * SMALL_SELECTION_RATIO < len(order):
        return sorted((i for i in selection if i in rank), key=rank.__getitem__)[start:end]
    out: list[str] = []
    seen = 0
    for iri in order:
        if iri in selection:
            if seen >= start:
                out.append(iri)
                if len(out) == end - start:
                    break
            seen += 1
    return out


def _facet(
    index: Mapping[Any, frozenset[str]], selection: Selection, by_key: bool = False
) -> list[FacetCount]:
    """Non-zero counts, largest first (or by key when ``by_key``, e.g. years)."""
    items = list(index.items())
    if selection is None:
        counts = [(key, len(iris)) for key, iris in items]
    else:
        counts = [(key, len(selection.intersection(iris))) for key, iris in items]
    counts = [c for c in counts if c[1] > 0]
    counts.sort(key=(lambda c: c[0]) if by_key else (lambda c: (-c[1], str(c[0]))))
    return counts


FACET_CACHE_SIZE = 256
_FACETS: weakref.WeakKeyDictionary[ReadModel, tuple[int, dict[frozenset[str], PracticeFacets]]] = (
    weakref.WeakKeyDictionary()
)


def practice_facets(rm: ReadModel, selection: Selection) -> PracticeFacets:
    """Counts of the selected practices per theme (a theme counts its narrower themes' practices),
    country, region, year and target group; largest first, years in calendar order.

    The counts of a selection are kept until the read model changes (at most
    :data:`FACET_CACHE_SIZE` selections): a filter panel asks for the same ones page after page.
    """
    if selection is None:
        return _practice_facets(rm, None)
    entry = _FACETS.get(rm)
    if entry is None or entry[0] != rm.version:
        entry = (rm.version, {})
        _FACETS[rm] = entry
    cache = entry[1]
    found = cache.get(selection)
    if found is None:
        found = _practice_facets(rm, selection)
        if len(cache) >= FACET_CACHE_SIZE:
            cache.clear()
        cache[selection] = found
    return found


def _practice_facets(rm: ReadModel, selection: Selection) -> PracticeFacets:
    return PracticeFacets(
        themes=_facet(rm.practices_by_theme, selection),
        countries=_facet(rm.practices_by_country, selection),
        regions=_facet(rm.practices_by_region, selection),
        years=_facet(rm.practices_by_year, selection, by_key=True),
        target_groups=_facet(rm.practices_by_target_group, selection),
    )


def event_facets(rm: ReadModel, selection: Selection) -> EventFacets:
    return EventFacets(
        themes=_facet(rm.events_by_theme, selection),
        event_types=_facet(rm.events_by_type, selection),
        years=_facet(rm.events_by_year, selection, by_key=True),
    )
