"""Change records (PROV-O) and the revision history of a practice, read back from the store.

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

from pyoxigraph import Literal, NamedNode, Quad

from graphsvc.edit.auth import TokenRecord
from graphsvc.store.base import GraphStore
from graphsvc.vocab import DCTERMS, ID, PES, PROV, RDF, RDFS, XSD, graph_iri

__all__ = [
    "PROVENANCE_GRAPH",
    "ChangeKind",
    "ChangeRecord",
    "change_quads",
    "history",
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


class ChangeKind(enum.Enum):
    """What a change did to a resource."""

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
