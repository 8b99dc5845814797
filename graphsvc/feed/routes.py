"""``/feeds/practices.atom`` and ``/feeds/events.ics``.

Both take filters as repeatable query parameters whose values are IRIs or GraphQL global IDs:
``theme``, ``country``, ``pes`` and ``network`` for practices (a narrower theme matches its
broader one; a network matches the practices of its member PES), ``theme`` and ``pes`` (an
organiser, host or participant) for events. The practice feed is read from the revision log in
the store, so every worker serves every committed change at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from graphsvc.feed.atom import ATOM_MEDIA_TYPE, render_atom
from graphsvc.feed.changes import ChangeFilter, FeedChange, changes_since, head_revision
from graphsvc.feed.ical import ICAL_MEDIA_TYPE, render_ical
from graphsvc.model.ids import InvalidIdError, iri_of
from graphsvc.model.readmodel import ReadModel
from graphsvc.model.records import Event
from graphsvc.vocab import ID

if TYPE_CHECKING:  # the composition root sits above this layer
    from graphsvc.services import Services

__all__ = ["FEED_ENTRIES", "feed_routes", "practice_filter"]

FEED_ENTRIES = 50
"""Entries in a practice feed: the latest matching changes."""
_WINDOW = 2_000
"""Revisions read back to find them (a filter that matches less often shows fewer)."""

_PRACTICE_FILTERS = {"theme": "Theme", "country": "Country", "pes": "Pes", "network": "Network"}
_EVENT_FILTERS = {"theme": "Theme", "pes": "Pes"}


class _BadFilter(Exception):
    pass


def _values(
    request: Request, allowed: dict[str, str], model: ReadModel
) -> dict[str, frozenset[str]]:
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        raise _BadFilter(
            f"unknown parameter {unknown[0]!r}: this feed is filtered by "
            + ", ".join(sorted(allowed))
        )
    out: dict[str, frozenset[str]] = {}
    for name, type_name in allowed.items():
        iris = set()
        for value in request.query_params.getlist(name):
            try:
                iri = iri_of(value.strip(), type_name)
            except InvalidIdError as exc:
                raise _BadFilter(f"{name}: {exc}") from None
            if not _known(model, name, iri):
                raise _BadFilter(f"{name}: no {type_name} {iri}")
            iris.add(iri)
        out[name] = frozenset(iris)
    return out


def _known(model: ReadModel, name: str, iri: str) -> bool:
    if name == "theme":
        return iri in model.themes
    if name == "country":
        return iri in model.countries
    if name == "pes":
        return iri in model.pes
    # network: a network, or a project that has members
    return iri in model.networks or iri in model.memberships_by_organisation


def practice_filter(values: dict[str, frozenset[str]]) -> ChangeFilter:
    return ChangeFilter(
        themes=values.get("theme", frozenset()),
        countries=values.get("country", frozenset()),
        pes=values.get("pes", frozenset()),
        networks=values.get("network", frozenset()),
    )


def _latest(services: Services, wanted: ChangeFilter) -> list[FeedChange]:
    store = services.store
    head = head_revision(store)
    window = changes_since(store, max(0, head - _WINDOW), limit=_WINDOW)
    model = services.read_model
    matching = [c for c in window if wanted.matches(c, model)]
    return matching[::-1][:FEED_ENTRIES]


def _title(kind: str, values: dict[str, frozenset[str]]) -> str:
    parts = [f"{name} {', '.join(sorted(iris))}" for name, iris in values.items() if iris]
    return kind + (f" ({'; '.join(parts)})" if parts else "")


async def practices_atom(request: Request) -> Response:
    services: Services = request.app.state.services
    try:
        values = _values(request, _PRACTICE_FILTERS, services.read_model)
    except _BadFilter as exc:
        return PlainTextResponse(str(exc), status_code=400)
    changes = await anyio.to_thread.run_sync(_latest, services, practice_filter(values))
    body = render_atom(
        changes,
        services.read_model,
        feed_id=str(ID["feed/practices"]) + (f"?{request.url.query}" if request.url.query else ""),
        title=_title("New and changed good practices", values),
        self_url=str(request.url),
    )
    return Response(body, media_type=ATOM_MEDIA_TYPE, headers={"Cache-Control": "no-cache"})


def _events(model: ReadModel, values: dict[str, frozenset[str]]) -> Iterable[Event]:
    themes = set(values.get("theme", ()))
    for theme in list(themes):
        themes.update(model.theme_descendants.get(theme, ()))
    pes = values.get("pes", frozenset())
    for event in model.events.values():
        if themes and not themes.intersection(event.themes):
            continue
        agents = {*event.organizers, *event.hosts, *event.moderators, *event.participants}
        if pes and not pes & agents:
            continue
        yield event


async def events_ics(request: Request) -> Response:
    services: Services = request.app.state.services
    model = services.read_model
    try:
        values = _values(request, _EVENT_FILTERS, model)
    except _BadFilter as exc:
        return PlainTextResponse(str(exc), status_code=400)
    body = render_ical(_events(model, values), name=_title("PES events", values))
    return Response(body, media_type=ICAL_MEDIA_TYPE, headers={"Cache-Control": "no-cache"})


def feed_routes() -> list[BaseRoute]:
    return [
        Route("/feeds/practices.atom", practices_atom, methods=["GET"]),
        Route("/feeds/events.ics", events_ics, methods=["GET"]),
    ]
