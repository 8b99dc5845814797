"""The revision history of a practice in GraphQL, read from its PROV change records.

The records themselves are written and read by :mod:`graphsvc.edit.provenance`.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from graphsvc.api.context import Context
from graphsvc.edit.practices import field_names, practice_iri
from graphsvc.edit.provenance import ChangeKind, ChangeRecord, history

__all__ = ["ChangeAgent", "ProvenanceQuery", "Revision", "practice_revisions"]

# registers the write path's enum as the GraphQL enum ChangeKind
strawberry.enum(ChangeKind, name="ChangeKind", description="What a change did to a resource.")


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
        return practice_revisions(info, practice_iri(str(id)))
