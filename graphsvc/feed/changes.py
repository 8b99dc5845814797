"""The revision log: numbered PROV change records in the store, and what a change is about.

Each change record written by :meth:`graphsvc.services.Services.commit` carries, in the same
transaction as the change::

    id:change/<uuid> pes:revision 42 ;        # 1, 2, 3, … in commit order, with no gaps
        dct:subject id:theme/… ;              # themes of the practice, before and after
        dct:spatial <…/country/FIN> ;         # its countries, before and after
        dct:relation id:pes/… .               # the PES it is attributed to, before and after

so that a feed filtered by theme, country or PES can also place a deleted practice. Networks are
found through the PES's memberships when a change is matched (:class:`ChangeFilter`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions

from graphsvc.edit.provenance import PROVENANCE_GRAPH, ChangeKind, ChangeRecord
from graphsvc.model.readmodel import ReadModel
from graphsvc.store.base import GraphStore
from graphsvc.vocab import DCTERMS, PES, PROV, XSD

__all__ = [
    "ChangeFilter",
    "Facets",
    "FeedChange",
    "changes_since",
    "facets_of",
    "head_revision",
    "revision_quads",
]

_REVISION = NamedNode(str(PES.revision))
_SUBJECT = NamedNode(str(DCTERMS.subject))
_SPATIAL = NamedNode(str(DCTERMS.spatial))
_RELATION = NamedNode(str(DCTERMS.relation))
_ATTRIBUTED = NamedNode(str(PROV.wasAttributedTo))
_INTEGER = NamedNode(str(XSD.integer))


@dataclass(frozen=True, slots=True)
class Facets:
    """What a practice is about, for filtering its changes."""

    themes: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    pes: frozenset[str] = frozenset()

    def __or__(self, other: Facets) -> Facets:
        return Facets(
            self.themes | other.themes, self.countries | other.countries, self.pes | other.pes
        )


@dataclass(frozen=True, slots=True)
class FeedChange:
    """One committed change of a practice, as the feed delivers it."""

    revision: int
    iri: str
    kind: ChangeKind
    target: str
    time: datetime
    description: str
    facets: Facets = field(default_factory=Facets)

    @classmethod
    def of(cls, record: ChangeRecord, revision: int, facets: Facets) -> FeedChange:
        return cls(
            revision,
            record.iri,
            record.kind,
            record.target,
            record.time,
            record.description,
            facets,
        )


@dataclass(frozen=True, slots=True)
class ChangeFilter:
    """Changes about any of ``themes`` (or a narrower theme), and any of ``countries``, and
    any of ``pes``, and any of ``networks`` (a PES that is a member); an empty set is no
    condition."""

    themes: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    pes: frozenset[str] = frozenset()
    networks: frozenset[str] = frozenset()

    def matches(self, change: FeedChange, model: ReadModel) -> bool:
        facets = change.facets
        if self.themes:
            wanted: set[str] = set()
            for theme in self.themes:
                wanted.add(theme)
                wanted.update(model.theme_descendants.get(theme, ()))
            if not wanted & facets.themes:
                return False
        if self.countries and not self.countries & facets.countries:
            return False
        if self.pes and not self.pes & facets.pes:
            return False
        if self.networks:
            networks = {n for p in facets.pes for n in model.networks_by_member.get(p, ())}
            if not self.networks & networks:
                return False
        return True


def facets_of(model: ReadModel, target: str, added: Iterable[Quad]) -> Facets:
    """The facets of practice ``target`` as the read model holds it (the state before a write),
    together with those of the quads a write adds to it."""
    themes: set[str] = set()
    countries: set[str] = set()
    pes: set[str] = set()
    practice = model.practices.get(target)
    if practice is not None:
        themes.update(practice.themes)
        if practice.country:
            countries.add(practice.country)
        if practice.pes:
            pes.add(practice.pes)
    for quad in added:
        if quad.subject != NamedNode(target) or not isinstance(quad.object, NamedNode):
            continue
        if quad.predicate == _SUBJECT:
            themes.add(quad.object.value)
        elif quad.predicate == _SPATIAL:
            countries.add(quad.object.value)
        elif quad.predicate == _ATTRIBUTED:
            pes.add(quad.object.value)
    for iri in list(pes):  # a practice without a country of its own is placed where its PES is
        record = model.pes.get(iri)
        if record is not None and record.country:
            countries.add(record.country)
    return Facets(frozenset(themes), frozenset(countries), frozenset(pes))


def revision_quads(change: FeedChange) -> list[Quad]:
    """The revision number and facets of ``change``, on its PROV record."""
    g = PROVENANCE_GRAPH
    node = NamedNode(change.iri)
    quads = [Quad(node, _REVISION, Literal(str(change.revision), datatype=_INTEGER), g)]
    for predicate, values in (
        (_SUBJECT, change.facets.themes),
        (_SPATIAL, change.facets.countries),
        (_RELATION, change.facets.pes),
    ):
        quads.extend(Quad(node, predicate, NamedNode(v), g) for v in sorted(values))
    return quads


def head_revision(store: GraphStore) -> int:
    """The number of the latest committed change (0 before the first)."""
    result = store.query(
        f"SELECT (MAX(?r) AS ?head) WHERE {{ GRAPH {PROVENANCE_GRAPH} {{ ?c {_REVISION} ?r }} }}"
    )
    assert isinstance(result, QuerySolutions)
    for row in result:
        head = row["head"]
        if isinstance(head, Literal):
            return int(head.value)
    return 0


_SINCE = (
    "SELECT ?c ?r ?p ?o WHERE {{ GRAPH {graph} {{ "
    "?c {revision} ?r . FILTER(?r > {after}) ?c ?p ?o }} }} ORDER BY ?r"
)


def changes_since(store: GraphStore, after: int, limit: int = 1000) -> list[FeedChange]:
    """The changes with a revision above ``after``, oldest first, at most ``limit`` of them."""
    sparql = _SINCE.format(graph=PROVENANCE_GRAPH, revision=_REVISION, after=int(after))
    result = store.query(sparql)
    assert isinstance(result, QuerySolutions)
    rows: dict[int, tuple[str, dict[str, list[str]]]] = {}
    for row in result:
        change, revision, predicate, obj = row["c"], row["r"], row["p"], row["o"]
        if not isinstance(change, NamedNode) or not isinstance(revision, Literal):
            continue
        number = int(revision.value)
        if number not in rows and len(rows) >= limit:
            break
        values = rows.setdefault(number, (change.value, {}))[1]
        if isinstance(predicate, NamedNode) and isinstance(obj, NamedNode | Literal):
            values.setdefault(predicate.value, []).append(obj.value)
    return [_change(number, iri, values) for number, (iri, values) in sorted(rows.items())]


def _first(values: dict[str, list[str]], predicate: object) -> str:
    return (values.get(str(predicate)) or [""])[0]


def _change(revision: int, iri: str, values: dict[str, list[str]]) -> FeedChange:
    if values.get(str(PROV.invalidated)):
        kind, target = ChangeKind.DELETE, _first(values, PROV.invalidated)
    elif values.get(str(PROV.used)):
        kind, target = ChangeKind.UPDATE, _first(values, PROV.used)
    else:
        kind, target = ChangeKind.CREATE, _first(values, PROV.generated)
    started = _first(values, PROV.startedAtTime)
    time = datetime.fromisoformat(started.replace("Z", "+00:00")) if started else None
    facets = Facets(
        frozenset(values.get(str(DCTERMS.subject), ())),
        frozenset(values.get(str(DCTERMS.spatial), ())),
        frozenset(values.get(str(DCTERMS.relation), ())),
    )
    return FeedChange(
        revision,
        iri,
        kind,
        target,
        time or datetime.fromtimestamp(0, UTC),
        _first(values, DCTERMS.description),
        facets,
    )
