"""Events: the ``Event`` type, its filter, orderings and the faceted ``EventConnection``."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry

from graphsvc.api.connections import Connection, PageArgs, paged
from graphsvc.api.context import Context
from graphsvc.api.types.base import (
    DEFAULT_LANG,
    LANG_DESCRIPTION,
    Agent,
    LocalizedText,
    Node,
    agents,
    filtered_page,
    label_in,
    localized,
    page_of_list,
    references,
    related,
    sources_field,
    wrap,
)
from graphsvc.api.types.practices import (
    Match,
    ThemeCount,
    YearCount,
    practices_field,
)
from graphsvc.errors import InputError
from graphsvc.model import records as rec
from graphsvc.model import selection as sel
from graphsvc.model.readmodel import EMPTY

if TYPE_CHECKING:
    from graphsvc.api.types.concepts import EventType, Theme
    from graphsvc.api.types.projects import Project

__all__ = [
    "Event",
    "EventConnection",
    "EventFacets",
    "EventFilter",
    "EventOrder",
    "EventTypeCount",
    "event_connection",
    "event_filter",
    "events_field",
]

TYPES = "graphsvc.api.types"
ThemeT = Annotated["Theme", strawberry.lazy(TYPES)]
EventTypeT = Annotated["EventType", strawberry.lazy(TYPES)]
ProjectT = Annotated["Project", strawberry.lazy(TYPES)]


@strawberry.enum(description="Orders of a list of events.")
class EventOrder(enum.Enum):
    DATE = "event:date"
    DATE_DESC = "event:date_desc"
    RELEVANCE = "relevance"


@strawberry.input(
    description="Constraints on events. Values of one field are ORed, fields are ANDed. "
    "References accept a global ID, an IRI or a slug."
)
class EventFilter:
    themes: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Events about these themes; a theme includes narrower ones."
    )
    theme_match: Match = Match.ANY
    event_types: list[strawberry.ID] | None = None
    agents: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Hosted, organised, moderated or attended by these PES, networks or others.",
    )
    projects: list[strawberry.ID] | None = None
    year: int | None = strawberry.field(default=None, description="Starting in this year.")
    year_from: int | None = None
    year_to: int | None = None
    date_from: datetime.date | None = strawberry.field(
        default=None, description="Events that end on or after this day."
    )
    date_to: datetime.date | None = strawberry.field(
        default=None, description="Events that start on or before this day."
    )
    search: str | None = strawberry.field(
        default=None, description="Words of the name or description."
    )


def event_filter(f: EventFilter | None) -> sel.EventFilter:
    if f is None:
        return sel.EventFilter()
    year_from, year_to = f.year_from, f.year_to
    if f.year is not None:
        year_from = f.year if year_from is None else max(year_from, f.year)
        year_to = f.year if year_to is None else min(year_to, f.year)
    if f.date_from is not None and f.date_to is not None and f.date_from > f.date_to:
        raise InputError("filter.dateFrom: must not be after filter.dateTo")
    return sel.EventFilter(
        themes=references(f.themes, "Theme"),
        all_themes=f.theme_match is Match.ALL,
        event_types=references(f.event_types, "EventType"),
        agents=references(f.agents, "Agent"),
        projects=references(f.projects, "Project"),
        year_from=year_from,
        year_to=year_to,
        date_from=f.date_from.isoformat() if f.date_from else None,
        date_to=f.date_to.isoformat() if f.date_to else None,
        search=f.search,
    )


@strawberry.type(
    description="An event type and how many items of the list have it: events of the type, "
    "or practices presented at an event of the type."
)
class EventTypeCount:
    event_type: EventTypeT
    count: int


@strawberry.type(
    description="Counts of the events of the list (all pages) per value. Largest first; years in "
    "calendar order. Event types, the years of year/yearFrom/yearTo and themes with themeMatch "
    "ANY are counted over the events that pass every other filter (each value not picked yet "
    "shows how many events it would add); themes with themeMatch ALL within the list."
)
class EventFacets:
    _facets: strawberry.Private[sel.Facets]
    _ctx: strawberry.Private[Context]

    @strawberry.field(
        description="Per theme; a theme counts its narrower themes' events. Without the themes "
        "filter when themeMatch is ANY, within the list when it is ALL."
    )
    def themes(self) -> list[ThemeCount]:
        themes = self._ctx.read_model.themes
        return [
            ThemeCount(theme=wrap("Theme", self._ctx, themes[k]), count=n)
            for k, n in self._facets.counts("themes")
            if k in themes
        ]

    @strawberry.field(description="Per event type, without the eventTypes filter.")
    def event_types(self) -> list[EventTypeCount]:
        types = self._ctx.read_model.event_types
        return [
            EventTypeCount(event_type=wrap("EventType", self._ctx, types[k]), count=n)
            for k, n in self._facets.counts("event_types")
            if k in types
        ]

    @strawberry.field(
        description="Per year it started, without the year, yearFrom and yearTo filters "
        "(dateFrom and dateTo still apply)."
    )
    def years(self) -> list[YearCount]:
        return [YearCount(year=y, count=n) for y, n in self._facets.counts("years")]


@strawberry.type(description="A page of events, with the size of the list and its facets.")
class EventConnection(Connection[Annotated["Event", strawberry.lazy(TYPES)]]):
    _selection: strawberry.Private[sel.Selection]
    _scope: strawberry.Private[sel.Selection]
    _constraints: strawberry.Private[sel.Constraints]
    _ctx: strawberry.Private[Context]

    @strawberry.field(
        description="Counts per theme, event type and year; each dimension leaves out its own "
        "filter when that filter ORs its values (see EventFacets)."
    )
    def facets(self) -> EventFacets:
        facets = sel.event_facets(
            self._ctx.read_model, self._constraints, self._scope, self._selection
        )
        return EventFacets(_facets=facets, _ctx=self._ctx)


def event_connection(
    ctx: Context,
    scope: sel.Selection,
    f: EventFilter | None,
    order: EventOrder | None,
    args: PageArgs,
) -> EventConnection:
    """A page of the events in ``scope`` (``None``: all) that pass ``f``; by date by default,
    by relevance when ``f.search`` is given."""
    c = sel.event_constraints(ctx.read_model, event_filter(f))
    result = filtered_page(
        ctx,
        Event,
        (c.selection(), c.scores),
        scope,
        order,
        EventOrder.DATE,
        args,
        EventConnection,
        _constraints=c,
    )
    assert isinstance(result, EventConnection)
    return result


def events_field(scope: Callable[[Any], sel.Selection], description: str) -> Any:
    """An ``events(filter, orderBy, first, after, last, before)`` field over ``scope(self)``."""

    @paged(description)
    def events(
        self: Any,
        page: PageArgs,
        filter: EventFilter | None = None,
        order_by: EventOrder | None = None,
    ) -> EventConnection:
        return event_connection(self._ctx, scope(self), filter, order_by, page)

    return events


def _agents_page(ctx: Context, iris: tuple[str, ...], args: PageArgs) -> Connection[Any]:
    return page_of_list(ctx, agents(ctx, iris), args, lambda a: a)


@strawberry.type(description="An event: a conference, a webinar, a study visit, a meeting, …")
class Event(Node):
    _r: strawberry.Private[rec.Event]
    TYPE_NAME: ClassVar[str] = "Event"

    @strawberry.field(description="The name. " + LANG_DESCRIPTION)
    def name(self, lang: str = DEFAULT_LANG) -> str:
        return label_in(self._r.name, lang, self._r.iri)

    @strawberry.field(description="The name in every language it has.")
    def names(self) -> list[LocalizedText]:
        return localized(self._r.name)

    @strawberry.field(description="What happened. " + LANG_DESCRIPTION)
    def description(self, lang: str = DEFAULT_LANG) -> str | None:
        return label_in(self._r.description, lang) or None

    @strawberry.field(description="The kind of event.")
    def event_type(self) -> EventTypeT | None:
        rm = self._ctx.read_model
        found: EventTypeT | None = wrap(
            "EventType", self._ctx, rm.event_types.get(self._r.event_type or "")
        )
        return found

    @strawberry.field(description="First day (ISO 8601; sometimes only a year or a month).")
    def start_date(self) -> str | None:
        return self._r.start

    @strawberry.field(description="Last day (ISO 8601).")
    def end_date(self) -> str | None:
        return self._r.end

    @strawberry.field(description="The year it started.")
    def year(self) -> int | None:
        return self._r.year

    @strawberry.field(description="Where it took place: a place name, or Online.")
    def location(self) -> str | None:
        return self._r.location

    @strawberry.field(description="Languages it was held in (BCP 47 tags).")
    def working_languages(self) -> list[str]:
        return list(self._r.working_languages)

    @paged("Who organised it (schema:organizer).")
    def organizers(self, page: PageArgs) -> Connection[Agent]:
        return _agents_page(self._ctx, self._r.organizers, page)

    @paged("Who hosted it.")
    def hosts(self, page: PageArgs) -> Connection[Agent]:
        return _agents_page(self._ctx, self._r.hosts, page)

    @paged("Who moderated it.")
    def moderators(self, page: PageArgs) -> Connection[Agent]:
        return _agents_page(self._ctx, self._r.moderators, page)

    @paged("Who took part in another role (speakers, participants).")
    def participants(self, page: PageArgs) -> Connection[Agent]:
        return _agents_page(self._ctx, self._r.participants, page)

    @paged("Its themes.")
    def themes(self, page: PageArgs) -> Connection[ThemeT]:
        return related(self._ctx, "Theme", self._r.themes, page)

    @strawberry.field(description="The project it belongs to.")
    def project(self) -> ProjectT | None:
        record = self._ctx.read_model.projects.get(self._r.project or "")
        found: ProjectT | None = wrap("Project", self._ctx, record)
        return found

    practices = practices_field(
        lambda self: self._ctx.read_model.practices_by_event.get(self._r.iri, EMPTY),
        "Practices presented at the event.",
    )

    sources = sources_field()
