"""Change records (PROV-O) and the revision history of a practice.

Every mutation writes, in the same transaction as the change, one ``prov:Activity`` in the graph
``graph/provenance``::

    id:change/<uuid> a prov:Activity ;
        prov:wasAssociatedWith id:agent/token-<id> ;     # the API token that made the change
        prov:startedAtTime "2026-05-04T10:00:00Z"^^xsd:dateTime ;
        prov:generated id:practice/x ;                  # create and update
        prov:used id:practice/x ;                       # update and delete (the state before)
        prov:invalidated id:practice/x ;                # delete
        dct:description "Updated practice 'X': title, themes."@en ;
        pes:changedProperty dct:title, dct:subject .
    id:agent/token-<id> a prov:Agent ; rdfs:label "<token name>" ;
        prov:actedOnBehalfOf id:pes/...                 # member tokens

The history is read back from the store (the source of truth, shared by every worker), so it is
complete even for practices that have been deleted.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import strawberry
from pyoxigraph import Literal, NamedNode, Quad

from graphsvc.api.auth import TokenRecord
from graphsvc.api.context import Context
from graphsvc.store.base import GraphStore
from graphsvc.vocab import DCTERMS, ID, PES, PROV, RDF, RDFS, XSD, graph_iri

__all__ = [
    "PROVENANCE_GRAPH",
    "ChangeAgent",
    "ChangeKind",
    "ChangeRecord",
    "ProvenanceQuery",
    "Revision",
    "change_quads",
    "history",
    "practice_revisions",
]

PROVENANCE_GRAPH = NamedNode(str(graph_iri("provenance")))

_TYPE = NamedNode(str(RDF.type))
_ACTIVITY = NamedNode(str(PROV.Activity))
_AGENT = NamedNode(str(PROV.Agent))
_ASSOCIATED = NamedNode(str(PROV.wasAssociatedWith))
_STARTED = NamedNode(str(PROV.startedAtTime))
_USED = NamedNode(str(PROV.used))
_GENERATED = NamedNode(str(PROV.generated))
_INVALIDATED = NamedNode(str(PROV.invalidated))
_ON_BEHALF = NamedNode(str(PROV.actedOnBehalfOf))
_DESCRIPTION = NamedNode(str(DCTERMS.description))
_CHANGED = NamedNode(str(PES.changedProperty))
_LABEL = NamedNode(str(RDFS.label))
_DATETIME = NamedNode(str(XSD.dateTime))


@strawberry.enum(description="What a change did to a resource.")
class ChangeKind(enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """One recorded change; ``changed`` holds the IRIs of the properties it touched."""

    iri: str
    kind: ChangeKind
    time: datetime
    agent: str
    target: str
    description: str
    changed: tuple[str, ...] = ()
    agent_name: str | None = None
    on_behalf_of: str | None = None

    @classmethod
    def new(
        cls,
        kind: ChangeKind,
        token: TokenRecord,
        target: str,
        description: str,
        changed: Sequence[str],
    ) -> ChangeRecord:
        return cls(
            iri=str(ID[f"change/{uuid.uuid4()}"]),
            kind=kind,
            time=datetime.now(UTC),
            agent=token.agent_iri,
            target=target,
            description=description,
            changed=tuple(changed),
            agent_name=token.name,
            on_behalf_of=token.pes,
        )


def change_quads(record: ChangeRecord) -> list[Quad]:
    """The PROV quads of ``record`` and of its agent, in the provenance graph."""
    g = PROVENANCE_GRAPH
    change, agent, target = (
        NamedNode(record.iri),
        NamedNode(record.agent),
        NamedNode(record.target),
    )
    stamp = record.time.astimezone(UTC).isoformat().replace("+00:00", "Z")
    quads = [
        Quad(change, _TYPE, _ACTIVITY, g),
        Quad(change, _ASSOCIATED, agent, g),
        Quad(change, _STARTED, Literal(stamp, datatype=_DATETIME), g),
        Quad(change, _DESCRIPTION, Literal(record.description, language="en"), g),
        Quad(agent, _TYPE, _AGENT, g),
    ]
    if record.kind in (ChangeKind.CREATE, ChangeKind.UPDATE):
        quads.append(Quad(change, _GENERATED, target, g))
    if record.kind in (ChangeKind.UPDATE, ChangeKind.DELETE):
        quads.append(Quad(change, _USED, target, g))
    if record.kind is ChangeKind.DELETE:
        quads.append(Quad(change, _INVALIDATED, target, g))
    quads.extend(Quad(change, _CHANGED, NamedNode(p), g) for p in record.changed)
    if record.agent_name:
        quads.append(Quad(agent, _LABEL, Literal(record.agent_name), g))
    if record.on_behalf_of:
        quads.append(Quad(agent, _ON_BEHALF, NamedNode(record.on_behalf_of), g))
    return quads


def history(store: GraphStore, target: str) -> list[ChangeRecord]:
    """The change records of ``target``, oldest first."""
    node = NamedNode(target)
    changes: dict[NamedNode, set[str]] = {}
    for predicate, role in ((_GENERATED, "generated"), (_USED, "used"), (_INVALIDATED, "gone")):
        for quad in store.quads(None, predicate, node, PROVENANCE_GRAPH):
            if isinstance(quad.subject, NamedNode):
                changes.setdefault(quad.subject, set()).add(role)
    records = []
    for change, roles in changes.items():
        record = _read_change(store, change, target, roles)
        if record is not None:
            records.append(record)
    records.sort(key=lambda r: (r.time, r.iri))
    return records


def _text(term: object) -> str:
    return term.value if isinstance(term, NamedNode | Literal) else str(term)


def _read_change(
    store: GraphStore, change: NamedNode, target: str, roles: set[str]
) -> ChangeRecord | None:
    values: dict[str, list[str]] = {}
    for quad in store.quads(change, None, None, PROVENANCE_GRAPH):
        values.setdefault(quad.predicate.value, []).append(_text(quad.object))
    started = values.get(_STARTED.value)
    agents = values.get(_ASSOCIATED.value)
    if not started or not agents:
        return None
    agent = agents[0]
    agent_node = NamedNode(agent)
    names = [_text(q.object) for q in store.quads(agent_node, _LABEL, None, PROVENANCE_GRAPH)]
    behalf = [_text(q.object) for q in store.quads(agent_node, _ON_BEHALF, None, PROVENANCE_GRAPH)]
    if "gone" in roles:
        kind = ChangeKind.DELETE
    elif "used" in roles:
        kind = ChangeKind.UPDATE
    else:
        kind = ChangeKind.CREATE
    return ChangeRecord(
        iri=change.value,
        kind=kind,
        time=datetime.fromisoformat(started[0].replace("Z", "+00:00")),
        agent=agent,
        target=target,
        description=(values.get(_DESCRIPTION.value) or [""])[0],
        changed=tuple(sorted(values.get(_CHANGED.value, []))),
        agent_name=names[0] if names else None,
        on_behalf_of=behalf[0] if behalf else None,
    )


# -- GraphQL ---------------------------------------------------------------------------------


@strawberry.type(description="The API token (a PROV agent) that made a change.")
class ChangeAgent:
    id: strawberry.ID = strawberry.field(description="IRI of the agent, id:agent/token-<id>.")
    name: str | None = strawberry.field(description="Who holds the token, as its creator named it.")
    on_behalf_of: strawberry.ID | None = strawberry.field(
        description="IRI of the PES the token edits for; null for an admin token."
    )


@strawberry.type(description="One recorded change of a practice: who, when and what.")
class Revision:
    id: strawberry.ID = strawberry.field(description="IRI of the change record, id:change/<uuid>.")
    kind: ChangeKind
    time: datetime = strawberry.field(description="When the change was made (UTC).")
    agent: ChangeAgent
    target: strawberry.ID = strawberry.field(description="IRI of the practice it changed.")
    description: str
    changed_properties: list[str] = strawberry.field(
        description="IRIs of the RDF properties the change touched, e.g. dct:title."
    )
    changed_fields: list[str] = strawberry.field(
        description="The same as GraphQL input field names, e.g. title, themes."
    )

    @classmethod
    def from_record(cls, record: ChangeRecord) -> Revision:
        from graphsvc.api.editing import field_names

        return cls(
            id=strawberry.ID(record.iri),
            kind=record.kind,
            time=record.time,
            agent=ChangeAgent(
                id=strawberry.ID(record.agent),
                name=record.agent_name,
                on_behalf_of=strawberry.ID(record.on_behalf_of) if record.on_behalf_of else None,
            ),
            target=strawberry.ID(record.target),
            description=record.description,
            changed_properties=list(record.changed),
            changed_fields=field_names(record.changed),
        )


def practice_revisions(info: strawberry.Info[Context, None], iri: str) -> list[Revision]:
    """The revision history of the practice ``iri``, oldest first (for ``Practice.revisions``)."""
    return [Revision.from_record(r) for r in history(info.context.services.store, iri)]


@strawberry.type
class ProvenanceQuery:
    @strawberry.field(
        description="Every recorded change of a practice, oldest first; also for deleted ones."
    )
    def practice_history(
        self, info: strawberry.Info[Context, None], id: strawberry.ID
    ) -> list[Revision]:
        from graphsvc.api.editing import practice_iri

        return practice_revisions(info, practice_iri(str(id)))
