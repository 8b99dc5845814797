"""Typed records of the read model: plain immutable values built from the store.

IRIs are plain ``str``; multilingual text is a :data:`Labels` mapping from language tag to text
(``""`` for a literal without a language). Links are IRIs of other records.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

__all__ = [
    "NO_LABELS",
    "Achievement",
    "Activity",
    "Agent",
    "Concept",
    "Country",
    "Event",
    "EventType",
    "Labels",
    "Membership",
    "Network",
    "Pes",
    "Practice",
    "Project",
    "ProjectPhase",
    "ProjectStep",
    "Region",
    "TargetGroup",
    "Theme",
    "pick_label",
]

Labels = Mapping[str, str]


class _NoLabels(Mapping[str, str]):
    """The empty, immutable and hashable mapping (a dataclass default must be hashable)."""

    __slots__ = ()

    def __getitem__(self, key: str) -> str:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "{}"


NO_LABELS: Labels = _NoLabels()


def pick_label(labels: Labels, lang: str = "en", fallback: str = "") -> str:
    """The label in ``lang``, else English, else untagged, else any (sorted by tag), else ``fallback``."""
    for tag in (lang, "en", ""):
        if tag in labels:
            return labels[tag]
    for tag in sorted(labels):
        if tag.split("-")[0] == lang.split("-")[0]:
            return labels[tag]
    return labels[min(labels)] if labels else fallback


@dataclass(frozen=True, slots=True)
class Concept:
    """A SKOS concept: theme, target group, event type, role, activity format or cluster."""

    iri: str
    labels: Labels
    definition: Labels = NO_LABELS
    notation: str | None = None
    broader: tuple[str, ...] = ()
    alt_labels: tuple[str, ...] = ()
    scheme: str | None = None


@dataclass(frozen=True, slots=True)
class Theme(Concept):
    """A concept of the theme scheme (``pes:Theme``)."""


@dataclass(frozen=True, slots=True)
class TargetGroup(Concept):
    """A concept of the target-group scheme (``pes:TargetGroup``)."""


@dataclass(frozen=True, slots=True)
class EventType(Concept):
    """A concept of the event-type scheme (``pes:EventType``)."""


@dataclass(frozen=True, slots=True)
class Agent:
    """An organisation or person that is neither a PES nor a network (e.g. the Commission)."""

    iri: str
    labels: Labels
    alt_labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Region:
    """A WAPES region (``pes:WapesRegion``), a unit of WAPES."""

    iri: str
    labels: Labels
    alt_labels: tuple[str, ...] = ()
    definition: Labels = NO_LABELS
    notation: str | None = None
    network: str | None = None  # org:unitOf


@dataclass(frozen=True, slots=True)
class Country:
    iri: str
    labels: Labels
    notation: str | None = None
    region: str | None = None
    alt_labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Pes:
    iri: str
    labels: Labels
    alt_labels: tuple[str, ...] = ()
    country: str | None = None
    homepage: str | None = None
    sources: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()  # org:memberOf, the shortcut of a membership
    confidence: str | None = None


@dataclass(frozen=True, slots=True)
class Network:
    iri: str
    labels: Labels
    alt_labels: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # rdf:types, e.g. org:FormalOrganization
    legal_basis: str | None = None
    created: str | None = None
    regions: tuple[str, ...] = ()
    description: Labels = NO_LABELS
    homepage: str | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Membership:
    iri: str
    member: str
    organization: str  # a network or a project
    role: str | None = None
    start: str | None = None  # ISO date
    end: str | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Practice:
    iri: str
    title: Labels
    abstract: Labels = NO_LABELS
    themes: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    country: str | None = None
    pes: str | None = None
    date: str | None = None  # xsd:gYear or xsd:date lexical form
    sources: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    confidence: str | None = None

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date and self.date[:4].isdigit() else None


@dataclass(frozen=True, slots=True)
class Event:
    iri: str
    name: Labels
    event_type: str | None = None
    start: str | None = None
    end: str | None = None
    location: str | None = None  # a place name or "Online"
    organizers: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    moderators: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    project: str | None = None
    sources: tuple[str, ...] = ()
    description: Labels = NO_LABELS
    participants: tuple[str, ...] = ()  # agents with another participation role
    working_languages: tuple[str, ...] = ()

    @property
    def year(self) -> int | None:
        return int(self.start[:4]) if self.start and self.start[:4].isdigit() else None


@dataclass(frozen=True, slots=True)
class ProjectStep:
    iri: str
    name: Labels
    position: int
    project: str  # the project that lists it (pes:step)
    phases: tuple[str, ...] = ()  # the phases that ran it (dct:relation), in order


@dataclass(frozen=True, slots=True)
class Achievement:
    iri: str
    name: Labels
    phase: str  # the phase that lists it (pes:achievement)
    position: int | None = None


@dataclass(frozen=True, slots=True)
class ProjectPhase:
    iri: str
    name: Labels
    project: str  # the project that lists it (pes:phase)
    position: int | None = None
    start: str | None = None
    end: str | None = None
    achievements: tuple[Achievement, ...] = ()  # in order of position
    steps: tuple[str, ...] = ()  # the project's steps it ran (dct:relation), in order


@dataclass(frozen=True, slots=True)
class Project:
    """A project; its phases, steps and the phases' achievements in order of position (unnumbered
    last, then by IRI)."""

    iri: str
    name: Labels
    description: Labels = NO_LABELS
    start: str | None = None
    themes: tuple[str, ...] = ()
    phases: tuple[ProjectPhase, ...] = ()
    steps: tuple[ProjectStep, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Activity:
    """An activity of a work programme (e.g. the PES Network's 2022 programme)."""

    iri: str
    title: Labels
    description: Labels = NO_LABELS
    cluster: str | None = None
    formats: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    work_programme: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
