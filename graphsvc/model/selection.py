"""Filter, order, page and count collections of the read model with its precomputed indexes.

A filter becomes a set of IRIs by intersecting index entries (values of one dimension are ORed,
dimensions are ANDed); ``None`` stands for "everything" so that an unfiltered page never builds a
set. A page of a filtered, ordered collection is cut from the precomputed order: small selections
are sorted by rank, large ones are found by scanning the order until the page is full. Facet counts
intersect a selection with each index entry (C-speed set operations).

Facets are disjunctive where the filter is: a dimension whose filter ORs its values (countries,
regions, target groups, years, PES, networks, event types, themes with "any") is counted over
the items that pass every other constraint, so that after picking one country the panel still
shows what each other country would add. A conjunctive filter (themes with "all") is counted
within the selection itself, which drills down. :class:`Constraints` keeps a filter's sets apart by dimension for that.

Cost for n practices, a selection of size s and a page ending at position e: filtering is
O(sum of the index entries used), a page is O(min(s log s, position of the e-th match)), a facet is
O(sum over index entries of min(entry, s)), plus one filtering when its own filter is left out.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphsvc.model.readmodel import EMPTY, ReadModel
from graphsvc.model.records import Event

__all__ = [
    "EVENT_FACETS",
    "PRACTICE_FACETS",
    "Constraints",
    "EventFilter",
    "FacetCount",
    "Facets",
    "PesFilter",
    "PracticeFilter",
    "Selection",
    "count",
    "event_constraints",
    "event_facets",
    "page",
    "practice_constraints",
    "practice_facets",
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
    event_types: tuple[str, ...] = ()  # presented at an event of one of these types
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


PRACTICE_FACETS: Mapping[str, str] = {
    "themes": "practices_by_theme",
    "countries": "practices_by_country",
    "regions": "practices_by_region",
    "years": "practices_by_year",
    "target_groups": "practices_by_target_group",
    "pes": "practices_by_pes",
    "networks": "practices_by_network",
    "event_types": "practices_by_event_type",
}
"""The facet dimensions of practices and the read-model index each one counts."""

EVENT_FACETS: Mapping[str, str] = {
    "themes": "events_by_theme",
    "event_types": "events_by_type",
    "years": "events_by_year",
}
"""The facet dimensions of events and the read-model index each one counts."""

_BY_KEY = frozenset({"practices_by_year", "events_by_year"})  # counted in calendar order


@dataclass(frozen=True, slots=True)
class Constraints:
    """What a filter intersects, one set per constrained dimension, and its search scores.

    ``disjunctive`` names the facet dimensions whose filter ORs its values: their facet leaves
    that filter out (see the module docstring).
    """

    sets: Mapping[str, frozenset[str]]
    scores: dict[str, float] | None = None
    disjunctive: frozenset[str] = frozenset()

    def selection(self, scope: Selection = None, without: str | None = None) -> Selection:
        """What passes every set but the one of dimension ``without``, within ``scope``."""
        sets = [s for dimension, s in self.sets.items() if dimension != without]
        if scope is not None:
            sets.append(scope)
        return _intersect(sets)


def _union(index: Mapping[Any, frozenset[str]], keys: Iterable[Any]) -> frozenset[str]:
    found = [index.get(k, EMPTY) for k in keys]
    return found[0].union(*found[1:]) if found else EMPTY


def _intersect(sets: list[frozenset[str]]) -> Selection:
    if not sets:
        return None
    if len(sets) == 1:
        return sets[0]  # the same object: its hash is cached, a facet cache key costs nothing
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


def practice_constraints(rm: ReadModel, f: PracticeFilter) -> Constraints:
    """The practices that pass each part of ``f``, by dimension; the facets of countries, regions,
    target groups, years, PES, networks, event types and (with "any") themes leave their own
    part out."""
    sets: dict[str, frozenset[str]] = {}
    if f.themes:
        sets["themes"] = _themes(rm.practices_by_theme, f.themes, f.all_themes)
    for dimension, index, keys in (
        ("countries", rm.practices_by_country, f.countries),
        ("regions", rm.practices_by_region, f.regions),
        ("networks", rm.practices_by_network, f.networks),
        ("pes", rm.practices_by_pes, f.pes),
        ("target_groups", rm.practices_by_target_group, f.target_groups),
        ("events", rm.practices_by_event, f.events),
        ("event_types", rm.practices_by_event_type, f.event_types),
    ):
        if keys:
            sets[dimension] = _union(index, keys)
    years = _years(rm, "practices_by_year", f.year_from, f.year_to)
    if years is not None:
        sets["years"] = years  # a range is the union of its years: disjunctive
    scores = _search(rm, f.search, "practice")
    if scores is not None:
        sets["search"] = frozenset(scores)
    disjunctive = {
        "countries",
        "regions",
        "target_groups",
        "years",
        "pes",
        "networks",
        "event_types",
    }
    if not f.all_themes:
        disjunctive.add("themes")
    return Constraints(sets, scores, frozenset(disjunctive & sets.keys()))


def select_practices(rm: ReadModel, f: PracticeFilter) -> tuple[Selection, dict[str, float] | None]:
    """The practices that pass ``f``, and search scores when ``f.search`` is given."""
    c = practice_constraints(rm, f)
    return c.selection(), c.scores


def event_constraints(rm: ReadModel, f: EventFilter) -> Constraints:
    """The events that pass each part of ``f``, by dimension; the facets of event types, years
    and (with "any") themes leave their own part out. The day range is not the year facet's own
    filter (it constrains days, not the year an event starts), so that facet keeps it."""
    sets: dict[str, frozenset[str]] = {}
    if f.themes:
        sets["themes"] = _themes(rm.events_by_theme, f.themes, f.all_themes)
    for dimension, index, keys in (
        ("event_types", rm.events_by_type, f.event_types),
        ("agents", rm.events_by_pes, f.agents),
        ("projects", rm.events_by_project, f.projects),
    ):
        if keys:
            sets[dimension] = _union(index, keys)
    years = _years(rm, "events_by_year", f.year_from, f.year_to)
    if years is not None:
        sets["years"] = years
    if f.date_from is not None or f.date_to is not None:
        sets["dates"] = frozenset(
            e.iri for e in list(rm.events.values()) if _overlaps(e, f.date_from, f.date_to)
        )
    scores = _search(rm, f.search, "event")
    if scores is not None:
        sets["search"] = frozenset(scores)
    disjunctive = {"event_types", "years"}
    if not f.all_themes:
        disjunctive.add("themes")
    return Constraints(sets, scores, frozenset(disjunctive & sets.keys()))


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


FACET_CACHE_SIZE = 1024
_FACETS: weakref.WeakKeyDictionary[
    ReadModel, tuple[int, dict[tuple[str, Selection], list[FacetCount]]]
] = weakref.WeakKeyDictionary()


def _cached_facet(rm: ReadModel, name: str, selection: Selection) -> list[FacetCount]:
    """The counts of index ``rm.<name>`` over ``selection``, kept until the read model changes
    (at most :data:`FACET_CACHE_SIZE` of them): a filter panel asks for the same ones page after
    page, and the facet that leaves out a newly picked value is the previous list's facet."""
    entry = _FACETS.get(rm)
    if entry is None or entry[0] != rm.version:
        entry = (rm.version, {})
        _FACETS[rm] = entry
    cache = entry[1]
    key = (name, selection)
    found = cache.get(key)
    if found is None:
        found = _facet(getattr(rm, name), selection, by_key=name in _BY_KEY)
        if len(cache) >= FACET_CACHE_SIZE:
            cache.clear()
        cache[key] = found
    return found


@dataclass(frozen=True, slots=True, eq=False)
class Facets:
    """The facet counts of one filtered list, each dimension counted when asked for.

    ``selection`` is the list itself: ``constraints`` within ``scope`` (``None``: everything).
    """

    rm: ReadModel
    indexes: Mapping[str, str]  # PRACTICE_FACETS or EVENT_FACETS
    constraints: Constraints
    scope: Selection
    selection: Selection

    def counts(self, dimension: str) -> list[FacetCount]:
        """Non-zero counts of ``dimension``, largest first (years in calendar order), over the
        list, or over the list without the dimension's own filter when that filter is
        disjunctive. Do not modify the list: it is shared."""
        over = self.selection
        if dimension in self.constraints.disjunctive:
            over = self.constraints.selection(self.scope, without=dimension)
        return _cached_facet(self.rm, self.indexes[dimension], over)


def practice_facets(
    rm: ReadModel, constraints: Constraints, scope: Selection, selection: Selection
) -> Facets:
    """Counts of practices per theme (a theme counts its narrower themes' practices), country,
    region, year, target group, PES, network and event type (:data:`PRACTICE_FACETS`)."""
    return Facets(rm, PRACTICE_FACETS, constraints, scope, selection)


def event_facets(
    rm: ReadModel, constraints: Constraints, scope: Selection, selection: Selection
) -> Facets:
    """Counts of events per theme (with narrower themes), event type and year."""
    return Facets(rm, EVENT_FACETS, constraints, scope, selection)
