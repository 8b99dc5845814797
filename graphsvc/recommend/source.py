"""What the recommender reads: the records of the read model, by IRI.

:class:`GraphSource` is structural, so the read model (``graphsvc.model``) and a hand-made
:class:`RecordSet` in tests both qualify. The recommender never writes to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from graphsvc.model.records import (
    Concept,
    Country,
    Event,
    Membership,
    Network,
    Pes,
    Practice,
    Region,
)
from graphsvc.vocab import ID, PES

__all__ = ["GraphSource", "RecordSet"]

_TG_SCHEME = str(PES.targetGroupScheme)
_TG_PREFIX = str(ID["target-group/"])


class GraphSource(Protocol):
    """Read-only view of the records the projection is built from."""

    @property
    def practices(self) -> Mapping[str, Practice]: ...
    @property
    def pes(self) -> Mapping[str, Pes]: ...
    @property
    def countries(self) -> Mapping[str, Country]: ...
    @property
    def regions(self) -> Mapping[str, Region]: ...
    @property
    def themes(self) -> Mapping[str, Concept]: ...
    @property
    def target_groups(self) -> Mapping[str, Concept]: ...
    @property
    def events(self) -> Mapping[str, Event]: ...
    @property
    def networks(self) -> Mapping[str, Network]: ...
    @property
    def memberships(self) -> Mapping[str, Membership]: ...


@dataclass
class RecordSet:
    """A plain, mutable :class:`GraphSource` (tests, the generator and the evaluation use it)."""

    practices: dict[str, Practice] = field(default_factory=dict)
    pes: dict[str, Pes] = field(default_factory=dict)
    countries: dict[str, Country] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    themes: dict[str, Concept] = field(default_factory=dict)
    target_groups: dict[str, Concept] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    networks: dict[str, Network] = field(default_factory=dict)
    memberships: dict[str, Membership] = field(default_factory=dict)

    @classmethod
    def of(cls, source: GraphSource) -> RecordSet:
        """A shallow copy of ``source`` whose dicts can be changed freely."""
        return cls(
            practices=dict(source.practices),
            pes=dict(source.pes),
            countries=dict(source.countries),
            regions=dict(source.regions),
            themes=dict(source.themes),
            target_groups=dict(source.target_groups),
            events=dict(source.events),
            networks=dict(source.networks),
            memberships=dict(source.memberships),
        )

    def add(self, records: Iterable[object]) -> RecordSet:
        """Put records in their dict by type (concepts by scheme: themes unless ``target-group``)."""
        for record in records:
            if isinstance(record, Practice):
                self.practices[record.iri] = record
            elif isinstance(record, Pes):
                self.pes[record.iri] = record
            elif isinstance(record, Country):
                self.countries[record.iri] = record
            elif isinstance(record, Region):
                self.regions[record.iri] = record
            elif isinstance(record, Concept):
                if record.scheme == _TG_SCHEME or record.iri.startswith(_TG_PREFIX):
                    self.target_groups[record.iri] = record
                else:
                    self.themes[record.iri] = record
            elif isinstance(record, Event):
                self.events[record.iri] = record
            elif isinstance(record, Network):
                self.networks[record.iri] = record
            elif isinstance(record, Membership):
                self.memberships[record.iri] = record
            else:
                raise TypeError(f"not a record the recommender uses: {record!r}")
        return self
