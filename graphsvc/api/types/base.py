"""What every read-model type shares: the ``Node`` and ``Agent`` interfaces, labels, references, pages.

A GraphQL object of this API is a small Strawberry object that wraps one immutable record of the
read model (``_r``) and the request context (``_ctx``); its fields read the record and the
read model's indexes, never the store. The methods of the types in this package are called
directly (:mod:`graphsvc.api.server.fast`), with converted arguments; a method that takes ``info`` gets
graphql-core's resolve info and may read ``info.context`` only. A new field looks like::

    @strawberry.field(description="…")
    def something(self, first: int | None = None) -> …:
        rm = self._ctx.read_model
        …

Lists are Relay connections built by :func:`page_of` (an indexed selection, a named order of the
read model, cursor arithmetic), :func:`filtered_page` (what a filter selects, ordered or ranked),
:func:`related` (the entities a record links to) or :func:`page_of_list` (a short list already
in order); :func:`~graphsvc.api.connections.paged` gives such a field its page arguments::

    @paged("Its themes.")
    def themes(self, page: PageArgs) -> Connection[ThemeT]:
        return related(self._ctx, "Theme", self._r.themes, page)
"""

from __future__ import annotations

import enum
import functools
import re
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

import strawberry

from graphsvc.api.connections import Connection, PageArgs, bounds
from graphsvc.api.context import Context
from graphsvc.model.ids import COLLECTIONS, InvalidIdError, global_id, parse_global_id
from graphsvc.model.readmodel import ReadModel
from graphsvc.model.records import Labels, pick_label
from graphsvc.model.selection import Selection, page
from graphsvc.vocab import EU_COUNTRY, ID

__all__ = [
    "AGENT_TYPES",
    "DEFAULT_LANG",
    "LANG_DESCRIPTION",
    "ORDERS",
    "RELEVANCE",
    "Agent",
    "LocalizedText",
    "Node",
    "agent",
    "agents",
    "collection_of",
    "derived",
    "filtered_page",
    "group",
    "homepage_field",
    "label_in",
    "localized",
    "page_of",
    "page_of_list",
    "reference",
    "references",
    "related",
    "sources_field",
    "wrap",
]

DEFAULT_LANG = "en"
_global_id = functools.lru_cache(maxsize=1 << 16)(global_id)  # ids are asked for again and again
LANG_DESCRIPTION = "BCP 47 language tag; falls back to English, then to any language."

_WRAPPERS: dict[str, type[Node]] = {}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ALPHA3 = re.compile(r"^[A-Za-z]{3}$")

# the path under id: that entities of each type have, for slugs such as "youth-guarantee"
_ID_PATHS: Mapping[str, str] = {
    "Practice": "practice",
    "Pes": "pes",
    "Network": "network",
    "Region": "region",
    "Theme": "theme",
    "TargetGroup": "target-group",
    "EventType": "event-type",
    "Event": "event",
    "Project": "project",
    "Role": "role",
    "ActivityFormat": "activity-format",
}


@strawberry.type(description="A text and its language.")
class LocalizedText:
    lang: str = strawberry.field(description="BCP 47 language tag; empty when untagged.")
    text: str


def localized(labels: Labels) -> list[LocalizedText]:
    """Every language of a text, by tag."""
    return [LocalizedText(lang=tag, text=labels[tag]) for tag in sorted(labels)]


def label_in(labels: Labels, lang: str, fallback: str = "") -> str:
    """The text in ``lang``, else in the same language with another region (``fi-FI`` for
    ``fi``, ``fi`` for ``fi-FI``), else English, else untagged, else any, else ``fallback``."""
    if not labels:
        return fallback
    found = labels.get(lang)
    if found is not None:
        return found
    base = lang.split("-")[0].lower()
    for tag in sorted(labels):
        if tag.split("-")[0].lower() == base:
            return labels[tag]
    return pick_label(labels, DEFAULT_LANG, fallback)


@strawberry.interface(
    description="An object with a global ID (Relay). Fetch any of them again with node(id)."
)
class Node:
    _r: strawberry.Private[Any]
    _ctx: strawberry.Private[Context]
    TYPE_NAME: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("TYPE_NAME"):
            _WRAPPERS[cls.TYPE_NAME] = cls

    @strawberry.field(description="Global ID, stable and one-to-one with the IRI.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(_global_id(self.TYPE_NAME, self._r.iri))

    @strawberry.field(
        description="The IRI of the resource in the knowledge graph (dereferenceable)."
    )
    def iri(self) -> str:
        iri: str = self._r.iri
        return iri


def wrap(type_name: str, ctx: Context, record: Any) -> Any:
    """The GraphQL object of type ``type_name`` for ``record`` (``None`` stays ``None``)."""
    if record is None:
        return None
    return _WRAPPERS[type_name](_r=record, _ctx=ctx)


ORDERS: Mapping[str, str] = {
    "Practice": "practice:title",
    "Event": "event:date",
    **{t: f"{c}:label" for t, c in COLLECTIONS.items() if t not in ("Practice", "Event")},
}
"""The default order of each type's lists (labels; concepts by notation; events by date)."""


def collection_of(type_name: str) -> str:
    return COLLECTIONS[type_name]


def related(
    ctx: Context,
    type_name: str,
    iris: Iterable[str] | frozenset[str],
    args: PageArgs,
    order: str | None = None,
) -> Connection[Any]:
    """A page of the entities of ``type_name`` among ``iris``, in the type's default order."""
    scope = iris if isinstance(iris, frozenset) else frozenset(iris)
    return page_of(
        ctx,
        _WRAPPERS[type_name],
        collection_of(type_name),
        order or ORDERS[type_name],
        scope,
        args,
    )


@strawberry.interface(
    description="An organisation or a person: a PES, a network, a project or another party."
)
class Agent(Node):
    @strawberry.field(description="The name in the requested language. " + LANG_DESCRIPTION)
    def label(self, lang: str = DEFAULT_LANG) -> str:
        record = self._r
        labels = getattr(record, "labels", None)
        if labels is None:
            labels = record.name
        alt = getattr(record, "alt_labels", ())
        return label_in(labels, lang, alt[0] if alt else record.iri)

    @strawberry.field(description="The name in every language it has.")
    def labels(self) -> list[LocalizedText]:
        record = self._r
        labels = getattr(record, "labels", None)
        return localized(labels if labels is not None else record.name)

    @strawberry.field(description="Other names and acronyms, e.g. BA, NAV.")
    def alt_labels(self) -> list[str]:
        return list(getattr(self._r, "alt_labels", ()))


AGENT_TYPES = ("Pes", "Network", "Project", "OtherAgent")
"""GraphQL types that implement ``Agent``, in the order an IRI is looked up."""
_AGENT_COLLECTIONS = (("Pes", "pes"), ("Network", "networks"), ("Project", "projects"))


def agent(ctx: Context, iri: str) -> Any:
    """The ``Agent`` object of ``iri`` (a PES, network, project or other party), or ``None``."""
    rm = ctx.read_model
    for type_name, collection in _AGENT_COLLECTIONS:
        record = getattr(rm, collection).get(iri)
        if record is not None:
            return _WRAPPERS[type_name](_r=record, _ctx=ctx)
    record = rm.agents.get(iri)
    return None if record is None else _WRAPPERS["OtherAgent"](_r=record, _ctx=ctx)


def agents(ctx: Context, iris: Iterable[str]) -> list[Any]:
    """The ``Agent`` objects of ``iris`` that the read model knows, in order."""
    found = (agent(ctx, iri) for iri in iris)
    return [a for a in found if a is not None]


# -- references in arguments -------------------------------------------------------------------


def reference(value: str, type_name: str) -> str:
    """The IRI an argument names: a global ID of ``type_name``, an IRI, ``id:<path>``, a slug of
    that type (``youth-guarantee``) or, for countries, an ISO 3166-1 alpha-3 code (``SWE``).

    Raises :class:`InvalidIdError` for anything else, e.g. the global ID of another type.
    """
    text = value.strip()
    if text.startswith(("http://", "https://", "urn:")):
        return text
    if text.startswith("id:"):
        return str(ID) + text[3:]
    if type_name == "Country" and _ALPHA3.match(text):
        return str(EU_COUNTRY[text.upper()])
    try:
        found_type, iri = parse_global_id(text)
    except InvalidIdError:
        path = _ID_PATHS.get(type_name)
        if path is not None and _SLUG.match(text):
            return f"{ID}{path}/{text}"
        raise InvalidIdError(value, type_name) from None
    if found_type != type_name and not (type_name == "Agent" and found_type in AGENT_TYPES):
        raise InvalidIdError(value, type_name)
    return iri


def references(values: Sequence[str] | None, type_name: str) -> tuple[str, ...]:
    return tuple(reference(v, type_name) for v in values or ())


# -- pages -------------------------------------------------------------------------------------


def _default_size(ctx: Context) -> int:
    return ctx.services.settings.default_page_size


def page_of(
    ctx: Context,
    cls: type[Node],
    collection: str,
    order: str,
    selection: Selection,
    args: PageArgs,
    scores: Mapping[str, float] | None = None,
    connection: Callable[..., Connection[Any]] = Connection,
    indexed: bool = False,
    **extra: Any,
) -> Connection[Any]:
    """A page of ``rm.<collection>`` restricted to ``selection`` (``None``: all), in ``order``.

    IRIs of ``selection`` that are not in the collection are ignored, unless ``indexed`` says
    that the selection comes from the collection's own indexes (which saves a subset check).
    """
    rm: ReadModel = ctx.read_model
    records: Mapping[str, Any] = getattr(rm, collection)
    if selection is not None and not indexed and not records.keys() >= selection:
        selection = frozenset(records.keys() & selection)
    ordered = rm.ordered(order)
    total = len(records) if selection is None else len(selection)
    if scores is not None and selection is None:
        total = len(scores)
    start, end = bounds(total, args, _default_size(ctx))
    iris = page(ordered, rm.rank(order), selection, start, end, scores)
    items = [cls(_r=records[i], _ctx=ctx) for i in iris]
    return connection(total_count=total, items=items, start=start, **extra)


RELEVANCE = "relevance"
"""The value of the relevance member of the order enums."""


def filtered_page(
    ctx: Context,
    cls: type[Node],
    found: tuple[Selection, Mapping[str, float] | None],
    scope: Selection,
    order: enum.Enum | None,
    by: enum.Enum,
    args: PageArgs,
    facets: type[Connection[Any]] | None = None,
    **facet_args: Any,
) -> Connection[Any]:
    """A page of what a filter ``found`` (an index selection, search scores or ``None``) within
    ``scope`` (``None``: all), in ``order``.

    Without an order, or with the relevance order, the list is by relevance when there are
    scores, else in the order ``by``. A ``facets`` connection is given the selection, the scope,
    the context and ``facet_args`` (e.g. the filter's constraints), for its facet counts.
    """
    selection, scores = found
    if scope is not None:
        selection = scope if selection is None else selection & scope
    if order is None or order.value == RELEVANCE:
        named, ranked = by.value, scores
    else:
        named, ranked = order.value, None
    extra = (
        {}
        if facets is None
        else {"_selection": selection, "_scope": scope, "_ctx": ctx, **facet_args}
    )
    return page_of(
        ctx,
        cls,
        collection_of(cls.TYPE_NAME),
        named,
        selection,
        args,
        scores=ranked,
        connection=facets or Connection,
        indexed=True,
        **extra,
    )


def page_of_list(
    ctx: Context,
    items: Sequence[Any],
    args: PageArgs,
    make: Callable[[Any], Any],
    connection: Callable[..., Connection[Any]] = Connection,
) -> Connection[Any]:
    """A page of a list that is already in order; ``make`` turns an item into its GraphQL object."""
    start, end = bounds(len(items), args, _default_size(ctx))
    return connection(
        total_count=len(items), items=[make(i) for i in items[start:end]], start=start
    )


# -- derived indexes ---------------------------------------------------------------------------

_DERIVED: weakref.WeakKeyDictionary[ReadModel, tuple[int, dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


def derived(rm: ReadModel, name: str, build: Callable[[ReadModel], Any]) -> Any:
    """An index the read model lacks, built once per version of the read model.

    For small collections only (e.g. activities by format): ``build`` scans the collection.
    """
    entry = _DERIVED.get(rm)
    if entry is None or entry[0] != rm.version:
        entry = (rm.version, {})
        _DERIVED[rm] = entry
    cache = entry[1]
    found = cache.get(name)
    if found is None:
        found = cache[name] = build(rm)
    return found


def group(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """``{key: IRIs}`` from ``(key, IRI)`` pairs."""
    out: dict[str, set[str]] = {}
    for key, iri in pairs:
        out.setdefault(key, set()).add(iri)
    return {k: frozenset(v) for k, v in out.items()}


def sources_field() -> Any:
    """The ``sources`` field every sourced type has (a new field for each type that holds it)."""

    @strawberry.field(description="Where the facts come from.")
    def sources(self: Any) -> list[str]:
        return list(self._r.sources)

    return sources


def homepage_field() -> Any:
    """The ``homepage`` field of agents with a web site."""

    @strawberry.field(description="Its web site.")
    def homepage(self: Any) -> str | None:
        homepage: str | None = self._r.homepage
        return homepage

    return homepage
