"""The read model: every entity of the graph as a typed record, plus the indexes queries need.

Built from the store with one SPARQL query per class (:func:`build_read_model`), kept in memory, and
read by the GraphQL resolvers and the recommendation index without touching the store.

Stable API (other subsystems build on it)::

    rm = build_read_model(store)               # ReadModel
    rm.practices / pes / networks / memberships / regions / countries / themes / target_groups
      / event_types / events / projects / activities      dict[IRI, record] (model.records)
    rm.project_phases / project_steps / achievements      the parts of projects, by IRI
    rm.roles / activity_formats / clusters / agents       supporting records, for labels of links

    # indexes: dict[key, frozenset[IRI]]; a missing key means "none"
    rm.practices_by_theme[theme]          practices tagged with the theme or a narrower one
    rm.practices_by_pes[pes]              practices attributed to the PES (prov:wasAttributedTo)
    rm.practices_by_country[country]      the practice's dct:spatial, else its PES's country
    rm.practices_by_region[region]        the WAPES region of that country
    rm.practices_by_year[year: int]       the year of dct:date
    rm.practices_by_target_group[tg]
    rm.practices_by_event[event]          practices presented at the event (pes:presentedAt)
    rm.practices_by_network[network]      practices of PES that are members of the network
    rm.practices_by_event_type[type]      practices presented at an event of the type
    rm.theme_narrower[theme]              direct narrower themes
    rm.theme_descendants[theme]           the theme and all narrower themes, transitively
    rm.theme_ancestors[theme]             the theme and all broader themes, transitively
    rm.pes_by_country[country], rm.pes_by_region[region], rm.pes_by_network[network]
    rm.networks_by_member[agent]          networks and projects the agent is a member of
    rm.countries_by_region[region], rm.regions_by_network[network]
    rm.events_by_pes[agent]               events the agent (PES or network) hosts, organises or
                                          moderates or takes part in
    rm.events_by_theme[theme] (incl. narrower), rm.events_by_type[type], rm.events_by_year[year]
    rm.events_by_project[project]
    rm.projects_by_theme[theme], rm.activities_by_theme[theme]   (incl. narrower)
    rm.memberships_by_member[agent], rm.memberships_by_organisation[network or project]
    rm.search                             model.search.SearchIndex over practices, PES, events, themes
    rm.version                            increases with every change

    rm.practice_country(p) / rm.practice_region(p)   the effective country and region of a practice
    rm.ordered("practice:title")          IRIs in a stable order, cached until the next change
    rm.upsert_practice(record), rm.remove_practice(iri), rm.reload_practice(store, iri)
    rm.apply_change(store, subjects)      after a write: incremental for practices, else a rebuild
    rm.refresh(store)                     full rebuild in place (the object keeps its identity)

Concurrency: one writer at a time (``rm.lock``); readers take no lock. Index values are immutable
frozensets that writers replace, and records are immutable, so a reader never sees a set change
under it. Readers that iterate a whole collection use :meth:`ReadModel.ordered`, a tuple.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Protocol, TypeVar

from graphsvc.model.loaders import (
    ACTIVITIES,
    ACTIVITY_FORMATS,
    AGENTS,
    CLUSTERS,
    COUNTRIES,
    EVENT_TYPES,
    EVENTS,
    MEMBERSHIPS,
    NETWORKS,
    PES_SPEC,
    REGIONS,
    ROLES,
    TARGET_GROUPS,
    THEMES,
    RecordSpec,
    load,
    load_practices,
    load_projects,
    subject_types,
)
from graphsvc.model.records import (
    Achievement,
    Activity,
    Agent,
    Concept,
    Country,
    Event,
    EventType,
    Membership,
    Network,
    Pes,
    Practice,
    Project,
    ProjectPhase,
    ProjectStep,
    Region,
    TargetGroup,
    Theme,
    pick_label,
)
from graphsvc.model.search import SearchIndex
from graphsvc.model.text import sort_key
from graphsvc.store.base import GraphStore
from graphsvc.vocab import ORG, SCHEMA
from graphsvc.vocab import PES as PES_NS

__all__ = ["EMPTY", "Index", "ReadModel", "build_read_model"]

K = TypeVar("K", bound=Hashable)


class _Record(Protocol):
    @property
    def iri(self) -> str: ...


R = TypeVar("R", bound=_Record)
Index = dict[K, frozenset[str]]
EMPTY: frozenset[str] = frozenset()

# Types whose instances the read model holds (a write touching one of them needs a rebuild).
_MODELLED_TYPES = frozenset(
    str(t)
    for t in (
        PES_NS.PublicEmploymentService,
        PES_NS.Network,
        PES_NS.WapesRegion,
        PES_NS.Country,
        PES_NS.Theme,
        PES_NS.TargetGroup,
        PES_NS.EventType,
        PES_NS.Project,
        PES_NS.ProjectPhase,
        PES_NS.ProjectStep,
        PES_NS.Achievement,
        PES_NS.Activity,
        PES_NS.ActivityFormat,
        PES_NS.WorkProgrammeCluster,
        SCHEMA.Event,
        ORG.Membership,
        ORG.Role,
        ORG.Organization,
    )
)
_PRACTICE_TYPE = str(PES_NS.GoodPractice)

# Weights of text fields in the search index.
TITLE_WEIGHT = 3.0
ALT_WEIGHT = 2.0
BODY_WEIGHT = 1.0


def _grow(index: dict[Any, frozenset[str]], key: Hashable, iri: str) -> None:
    index[key] = index.get(key, EMPTY) | {iri}


def _shrink(index: dict[Any, frozenset[str]], key: Hashable, iri: str) -> None:
    old = index.get(key)
    if old is None:
        return
    new = old - {iri}
    if new:
        index[key] = new
    else:
        del index[key]


def _group(pairs: Iterable[tuple[Hashable, str]]) -> dict[Any, frozenset[str]]:
    groups: dict[Hashable, set[str]] = {}
    for key, iri in pairs:
        groups.setdefault(key, set()).add(iri)
    return {k: frozenset(v) for k, v in groups.items()}


@dataclass(eq=False)
class ReadModel:
    """Records by IRI and indexes over them; see the module docstring."""

    practices: dict[str, Practice] = field(default_factory=dict)
    pes: dict[str, Pes] = field(default_factory=dict)
    networks: dict[str, Network] = field(default_factory=dict)
    memberships: dict[str, Membership] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    countries: dict[str, Country] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)
    target_groups: dict[str, TargetGroup] = field(default_factory=dict)
    event_types: dict[str, EventType] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)
    # the parts of projects (also held by their project), so that node(id) finds them
    project_phases: dict[str, ProjectPhase] = field(default_factory=dict)
    project_steps: dict[str, ProjectStep] = field(default_factory=dict)
    achievements: dict[str, Achievement] = field(default_factory=dict)
    # supporting concepts and agents, for labels
    roles: dict[str, Concept] = field(default_factory=dict)
    activity_formats: dict[str, Concept] = field(default_factory=dict)
    clusters: dict[str, Concept] = field(default_factory=dict)
    agents: dict[str, Agent] = field(default_factory=dict)  # other than PES and networks

    theme_narrower: Index[str] = field(default_factory=dict)
    theme_descendants: Index[str] = field(default_factory=dict)
    theme_ancestors: Index[str] = field(default_factory=dict)

    practices_by_theme: Index[str] = field(default_factory=dict)
    practices_by_pes: Index[str] = field(default_factory=dict)
    practices_by_country: Index[str] = field(default_factory=dict)
    practices_by_region: Index[str] = field(default_factory=dict)
    practices_by_year: Index[int] = field(default_factory=dict)
    practices_by_target_group: Index[str] = field(default_factory=dict)
    practices_by_event: Index[str] = field(default_factory=dict)
    practices_by_network: Index[str] = field(default_factory=dict)
    practices_by_event_type: Index[str] = field(default_factory=dict)

    pes_by_country: Index[str] = field(default_factory=dict)
    pes_by_region: Index[str] = field(default_factory=dict)
    pes_by_network: Index[str] = field(default_factory=dict)
    networks_by_member: Index[str] = field(default_factory=dict)
    countries_by_region: Index[str] = field(default_factory=dict)
    regions_by_network: Index[str] = field(default_factory=dict)

    events_by_pes: Index[str] = field(default_factory=dict)
    events_by_theme: Index[str] = field(default_factory=dict)
    events_by_type: Index[str] = field(default_factory=dict)
    events_by_year: Index[int] = field(default_factory=dict)
    events_by_project: Index[str] = field(default_factory=dict)
    projects_by_theme: Index[str] = field(default_factory=dict)
    activities_by_theme: Index[str] = field(default_factory=dict)

    memberships_by_member: Index[str] = field(default_factory=dict)
    memberships_by_organisation: Index[str] = field(default_factory=dict)

    search: SearchIndex = field(default_factory=SearchIndex)
    version: int = 0
    build_seconds: float = 0.0

    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _practice_keys: dict[str, tuple[tuple[str, Hashable], ...]] = field(
        default_factory=dict, repr=False
    )
    _orders: dict[str, tuple[tuple[str, ...], dict[str, int]]] = field(
        default_factory=dict, repr=False
    )

    # -- derived values ---------------------------------------------------------------------------

    def practice_country(self, practice: Practice) -> str | None:
        """The practice's own country, else the country of its PES."""
        if practice.country is not None:
            return practice.country
        pes = self.pes.get(practice.pes) if practice.pes else None
        return pes.country if pes is not None else None

    def practice_region(self, practice: Practice) -> str | None:
        country = self.countries.get(self.practice_country(practice) or "")
        return country.region if country is not None else None

    def pes_region(self, pes: Pes) -> str | None:
        country = self.countries.get(pes.country or "")
        return country.region if country is not None else None

    def theme_closure(self, themes: Iterable[str]) -> frozenset[str]:
        """The themes and all their broader themes."""
        out: set[str] = set()
        for theme in themes:
            out |= self.theme_ancestors.get(theme, frozenset((theme,)))
        return frozenset(out)

    # -- orderings --------------------------------------------------------------------------------

    def ordered(self, name: str) -> tuple[str, ...]:
        """IRIs of a collection in a named order, cached until the next change.

        Names: ``practice:title``, ``practice:title_desc``, ``practice:year`` (oldest first),
        ``practice:year_desc`` (newest first; undated last in both), ``event:date``,
        ``event:date_desc``, and ``<collection>:label`` for every other collection (``pes``,
        ``networks``, ``memberships``, ``regions``, ``countries``, ``themes``, ``target_groups``,
        ``event_types``, ``projects``, ``activities``).
        """
        return self._order(name)[0]

    def rank(self, name: str) -> Mapping[str, int]:
        """Position of each IRI in :meth:`ordered` ``(name)``."""
        return self._order(name)[1]

    def _order(self, name: str) -> tuple[tuple[str, ...], dict[str, int]]:
        cached = self._orders.get(name)
        if cached is None:
            iris = tuple(self._compute_order(name))
            cached = (iris, {iri: i for i, iri in enumerate(iris)})
            self._orders[name] = cached
        return cached

    def _compute_order(self, name: str) -> list[str]:
        collection, _, how = name.partition(":")
        if collection == "practice":
            ps = list(self.practices.values())
            if how in ("title", "title_desc"):
                keyed = sorted(ps, key=lambda p: (sort_key(pick_label(p.title)), p.iri))
                if how == "title_desc":
                    keyed.reverse()
                return [p.iri for p in keyed]
            if how in ("year", "year_desc"):
                sign = -1 if how == "year_desc" else 1
                titled = {i: n for n, i in enumerate(self.ordered("practice:title"))}
                return [
                    p.iri
                    for p in sorted(
                        ps,
                        key=lambda p: (
                            p.year is None,
                            sign * (p.year or 0),
                            sign * _date_number(p.date),
                            titled[p.iri],
                        ),
                    )
                ]
        if collection == "event":
            es = list(self.events.values())
            sign = -1 if how == "date_desc" else 1
            return [
                e.iri
                for e in sorted(
                    es,
                    key=lambda e: (e.start is None, sign * _date_number(e.start), e.iri),
                )
            ]
        records: Mapping[str, Any] = getattr(self, collection)
        return [iri for _, iri in sorted((_label_key(r), iri) for iri, r in records.items())]

    # -- incremental updates ----------------------------------------------------------------------

    def upsert_practice(self, practice: Practice) -> None:
        """Add or replace one practice and update every index and the search index."""
        with self.lock:
            self._unindex_practice(practice.iri)
            self.practices[practice.iri] = practice
            self._index_practice(practice)
            self._changed()

    def remove_practice(self, iri: str) -> None:
        with self.lock:
            if iri in self.practices:
                self._unindex_practice(iri)
                del self.practices[iri]
                self._changed()

    def reload_practice(self, store: GraphStore, iri: str) -> None:
        """Read one practice from the store again (removing it if it is gone)."""
        found = load_practices(store, iri)
        if found:
            self.upsert_practice(found[0])
        else:
            self.remove_practice(iri)

    def apply_change(self, store: GraphStore, subjects: Iterable[str]) -> None:
        """Bring the model up to date after a write that touched ``subjects``.

        Practices are reloaded one by one; a change to any other modelled entity rebuilds the
        whole model (such writes are rare: practices are what users edit). Subjects of no
        modelled type (e.g. provenance records) are ignored.
        """
        subjects = list(dict.fromkeys(subjects))
        types = subject_types(store, subjects)
        practices = []
        for subject in subjects:
            kinds = set(types.get(subject, ()))
            if _PRACTICE_TYPE in kinds or subject in self.practices:
                practices.append(subject)
            if kinds & _MODELLED_TYPES or self._holds_other(subject):
                self.refresh(store)
                return
        for iri in practices:
            self.reload_practice(store, iri)

    def _holds_other(self, iri: str) -> bool:
        return any(
            iri in getattr(self, name)
            for name in (
                "pes",
                "networks",
                "memberships",
                "regions",
                "countries",
                "themes",
                "target_groups",
                "event_types",
                "events",
                "projects",
                "project_phases",
                "project_steps",
                "achievements",
                "activities",
                "roles",
                "activity_formats",
                "clusters",
                "agents",
            )
        )

    def refresh(self, store: GraphStore) -> None:
        """Rebuild everything from the store and take the new state in place."""
        fresh = build_read_model(store)
        with self.lock:
            for f in fields(self):
                if f.name not in ("lock", "version"):
                    setattr(self, f.name, getattr(fresh, f.name))
            self._changed()

    def touch(self) -> None:
        """Count a change of state derived beside the model (members' feedback), so that
        answers cached for this ``version`` are dropped."""
        with self.lock:
            self._changed()

    def _changed(self) -> None:
        self._orders = {}
        self.version += 1

    def _index_practice(self, p: Practice) -> None:
        keys = self._practice_index_keys(p)
        for index_name, key in keys:
            _grow(getattr(self, index_name), key, p.iri)
        self._practice_keys[p.iri] = keys
        self._search_practice(p)

    def _index_practices(self, practices: Iterable[Practice]) -> None:
        """Index many practices of a model no reader sees yet: sets grow in place, then freeze.

        Linear in the number of practices, where :meth:`_index_practice` per practice copies the
        immutable index values it grows and would be quadratic for a fresh build.
        """
        pending: dict[tuple[str, Hashable], set[str]] = {}
        for p in practices:
            self.practices[p.iri] = p
            keys = self._practice_index_keys(p)
            for entry in keys:
                pending.setdefault(entry, set()).add(p.iri)
            self._practice_keys[p.iri] = keys
            self._search_practice(p)
        for (index_name, key), iris in pending.items():
            index: dict[Any, frozenset[str]] = getattr(self, index_name)
            index[key] = index.get(key, EMPTY) | iris

    def _practice_index_keys(self, p: Practice) -> tuple[tuple[str, Hashable], ...]:
        keys: list[tuple[str, Hashable]] = []
        for theme in self.theme_closure(p.themes):
            keys.append(("practices_by_theme", theme))
        if p.pes is not None:
            keys.append(("practices_by_pes", p.pes))
            for network in self.networks_by_member.get(p.pes, EMPTY):
                keys.append(("practices_by_network", network))
        country = self.practice_country(p)
        if country is not None:
            keys.append(("practices_by_country", country))
            region = self.practice_region(p)
            if region is not None:
                keys.append(("practices_by_region", region))
        if p.year is not None:
            keys.append(("practices_by_year", p.year))
        keys += [("practices_by_target_group", tg) for tg in p.target_groups]
        keys += [("practices_by_event", e) for e in p.events]
        types = {t for e in p.events if e in self.events and (t := self.events[e].event_type)}
        keys += [("practices_by_event_type", t) for t in sorted(types)]
        return tuple(keys)

    def _search_practice(self, p: Practice) -> None:
        self.search.add(
            p.iri,
            "practice",
            [(TITLE_WEIGHT, t) for t in p.title.values()]
            + [(BODY_WEIGHT, t) for t in p.abstract.values()],
            exact=p.title.values(),
        )

    def _unindex_practice(self, iri: str) -> None:
        for index_name, key in self._practice_keys.pop(iri, ()):
            _shrink(getattr(self, index_name), key, iri)
        self.search.remove(iri)


def _label_key(record: Any) -> tuple[str, str]:
    labels = getattr(record, "labels", None)
    if labels is None:
        labels = getattr(record, "title", None) or getattr(record, "name", None) or {}
    text = pick_label(labels) or " ".join(getattr(record, "alt_labels", ()))
    notation = getattr(record, "notation", None)
    if isinstance(record, Concept) and notation:
        # themes sort by their place in the hierarchy ("1.10" after "1.9")
        return (".".join(part.zfill(6) for part in notation.split(".")), text)
    return (sort_key(text) or "\uffff", record.iri)


def _date_number(date: str | None) -> int:
    """``"2019-12-05"`` -> 20191205, ``"2019"`` -> 20190000, ``None`` -> 0."""
    if not date:
        return 0
    digits = date[:10].replace("-", "")
    if not digits.isdigit():
        return 0
    return int(digits.ljust(8, "0"))


def _closure(start: str, step: Callable[[str], Iterable[str]]) -> frozenset[str]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in step(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return frozenset(seen)


def _by_iri(store: GraphStore, spec: RecordSpec[R]) -> dict[str, R]:
    return {r.iri: r for r in load(store, spec)}


def build_read_model(store: GraphStore) -> ReadModel:
    """Read every entity from ``store`` and build all indexes (a dozen SPARQL queries)."""
    started = time.perf_counter()
    rm = ReadModel(search=SearchIndex(published=False))
    rm.pes = _by_iri(store, PES_SPEC)
    rm.networks = _by_iri(store, NETWORKS)
    rm.memberships = _by_iri(store, MEMBERSHIPS)
    rm.regions = _by_iri(store, REGIONS)
    rm.countries = _by_iri(store, COUNTRIES)
    rm.themes = _by_iri(store, THEMES)
    rm.target_groups = _by_iri(store, TARGET_GROUPS)
    rm.event_types = _by_iri(store, EVENT_TYPES)
    rm.roles = _by_iri(store, ROLES)
    rm.activity_formats = _by_iri(store, ACTIVITY_FORMATS)
    rm.clusters = _by_iri(store, CLUSTERS)
    rm.agents = {
        r.iri: r
        for r in load(store, AGENTS)
        if r.iri not in rm.pes and r.iri not in rm.networks and r.iri not in rm.regions
    }
    rm.events = _by_iri(store, EVENTS)
    rm.projects = {r.iri: r for r in load_projects(store)}
    _index_project_parts(rm)
    rm.activities = _by_iri(store, ACTIVITIES)
    _index_structure(rm)
    rm._index_practices(load_practices(store))
    rm.search.publish()  # from here on readers may hold it: copy on write
    rm.build_seconds = time.perf_counter() - started
    return rm


def _index_project_parts(rm: ReadModel) -> None:
    """Phases, steps and achievements by IRI. The shapes give a phase or a step one project, but
    an achievement may be listed by several phases: the first (by project IRI, then phase order)
    is the one its record links back to."""
    for project in sorted(rm.projects.values(), key=lambda p: p.iri):
        for phase in project.phases:
            rm.project_phases.setdefault(phase.iri, phase)
            for achievement in phase.achievements:
                rm.achievements.setdefault(achievement.iri, achievement)
        for step in project.steps:
            rm.project_steps.setdefault(step.iri, step)


def _index_structure(rm: ReadModel) -> None:
    """Every index except the practice ones (which :meth:`ReadModel._index_practice` fills)."""
    themes = rm.themes
    rm.theme_narrower = _group((b, t.iri) for t in themes.values() for b in t.broader)
    rm.theme_descendants = {
        t: _closure(t, lambda x: rm.theme_narrower.get(x, EMPTY)) for t in themes
    }
    rm.theme_ancestors = {
        t: _closure(t, lambda x: themes[x].broader if x in themes else ()) for t in themes
    }

    def with_broader(theme_lists: Iterable[tuple[str, tuple[str, ...]]]) -> Index[str]:
        return _group((theme, iri) for iri, ts in theme_lists for theme in rm.theme_closure(ts))

    rm.memberships_by_member = _group((m.member, m.iri) for m in rm.memberships.values())
    rm.memberships_by_organisation = _group(
        (m.organization, m.iri) for m in rm.memberships.values()
    )
    rm.networks_by_member = _group(
        [(m.member, m.organization) for m in rm.memberships.values()]
        + [(p.iri, n) for p in rm.pes.values() for n in p.networks]
    )
    rm.pes_by_network = _group(
        (network, pes)
        for pes, networks in rm.networks_by_member.items()
        if pes in rm.pes
        for network in networks
    )
    rm.pes_by_country = _group((p.country, p.iri) for p in rm.pes.values() if p.country)
    rm.pes_by_region = _group(
        (region, p.iri) for p in rm.pes.values() if (region := rm.pes_region(p)) is not None
    )
    rm.countries_by_region = _group(
        (c.region, c.iri) for c in rm.countries.values() if c.region is not None
    )
    rm.regions_by_network = _group(
        [(r.network, r.iri) for r in rm.regions.values() if r.network is not None]
        + [(n.iri, r) for n in rm.networks.values() for r in n.regions]
    )
    events = rm.events.values()
    rm.events_by_pes = _group(
        (agent, e.iri)
        for e in events
        for agent in (*e.hosts, *e.organizers, *e.moderators, *e.participants)
    )
    rm.events_by_theme = with_broader((e.iri, e.themes) for e in events)
    rm.events_by_type = _group((e.event_type, e.iri) for e in events if e.event_type)
    rm.events_by_year = _group((e.year, e.iri) for e in events if e.year is not None)
    rm.events_by_project = _group((e.project, e.iri) for e in events if e.project)
    rm.projects_by_theme = with_broader((p.iri, p.themes) for p in rm.projects.values())
    rm.activities_by_theme = with_broader((a.iri, a.themes) for a in rm.activities.values())

    search = rm.search
    for pes in rm.pes.values():
        search.add(
            pes.iri,
            "pes",
            [(TITLE_WEIGHT, t) for t in pes.labels.values()]
            + [(ALT_WEIGHT, t) for t in pes.alt_labels],
            exact=[*pes.labels.values(), *pes.alt_labels],
        )
    for event in events:
        search.add(
            event.iri,
            "event",
            [(TITLE_WEIGHT, t) for t in event.name.values()]
            + [(BODY_WEIGHT, t) for t in event.description.values()],
            exact=event.name.values(),
        )
    for theme in themes.values():
        search.add(
            theme.iri,
            "theme",
            [(TITLE_WEIGHT, t) for t in theme.labels.values()]
            + [(ALT_WEIGHT, t) for t in theme.alt_labels]
            + [(BODY_WEIGHT, t) for t in theme.definition.values()],
            exact=[*theme.labels.values(), *theme.alt_labels],
        )
