"""The published JSON-LD ``@context`` and the compact JSON-LD of entity descriptions.

The context gives the dataset's properties the names the GraphQL API uses for the same fields
(``title``, ``abstract``, ``themes``, ``pes``, ``country``, ...), so a JSON-LD client and a
GraphQL client read the same keys. It is served at ``/context.jsonld``; entity descriptions in
JSON-LD embed it and name it in a ``Link`` header.

Compaction here is deliberately simple and exact: a triple uses a term only when the term's
``@type`` fits the value (``@id`` terms take IRIs; typed terms take literals of that datatype);
anything else keeps its full IRI as the key and an explicit value object, so the document always
expands to exactly the triples it was made from.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from graphsvc.vocab import (
    CV,
    DCTERMS,
    FOAF,
    ORG,
    PES,
    PREFIXES,
    PROV,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
)

__all__ = ["CONTEXT", "TERMS", "TYPES", "compact_document", "context_document"]

_ID = {"@type": "@id"}

TERMS: dict[str, dict[str, str]] = {
    # every entity
    "label": {"@id": str(SKOS.prefLabel)},
    "altLabels": {"@id": str(SKOS.altLabel), "@container": "@set"},
    "name": {"@id": str(SCHEMA.name)},
    "description": {"@id": str(DCTERMS.description)},
    "comment": {"@id": str(RDFS.comment)},
    "sources": {"@id": str(DCTERMS.source), **_ID, "@container": "@set"},
    "homepage": {"@id": str(FOAF.homepage), **_ID},
    "confidence": {"@id": str(PES.confidence)},
    # practices
    "title": {"@id": str(DCTERMS.title)},
    "abstract": {"@id": str(DCTERMS.abstract)},
    "themes": {"@id": str(DCTERMS.subject), **_ID, "@container": "@set"},
    "targetGroups": {"@id": str(DCTERMS.audience), **_ID, "@container": "@set"},
    "country": {"@id": str(DCTERMS.spatial), **_ID},
    "pes": {"@id": str(PROV.wasAttributedTo), **_ID},
    "year": {"@id": str(DCTERMS.date), "@type": str(XSD.gYear)},
    "date": {"@id": str(DCTERMS.date), "@type": str(XSD.date)},
    "events": {"@id": str(PES.presentedAt), **_ID, "@container": "@set"},
    # PES, networks, regions, countries, concepts
    "networks": {"@id": str(ORG.memberOf), **_ID, "@container": "@set"},
    "region": {"@id": str(PES.region), **_ID},
    "regions": {"@id": str(ORG.hasUnit), **_ID, "@container": "@set"},
    "network": {"@id": str(ORG.unitOf), **_ID},
    "legalBasis": {"@id": str(PES.legalBasis), **_ID},
    "created": {"@id": str(DCTERMS.created)},
    "missions": {"@id": str(PES.mission), **_ID, "@container": "@set"},
    "statements": {"@id": str(PES.statement), "@container": "@set"},
    "vision": {"@id": str(PES.vision)},
    "notation": {"@id": str(SKOS.notation)},
    "definition": {"@id": str(SKOS.definition)},
    "broader": {"@id": str(SKOS.broader), **_ID, "@container": "@set"},
    "scheme": {"@id": str(SKOS.inScheme), **_ID},
    # memberships
    "member": {"@id": str(ORG.member), **_ID},
    "organization": {"@id": str(ORG.organization), **_ID},
    "role": {"@id": str(ORG.role), **_ID},
    "memberDuring": {"@id": str(ORG.memberDuring), **_ID},
    # events and participations
    "eventType": {"@id": str(DCTERMS.type), **_ID},
    "startDate": {"@id": str(SCHEMA.startDate)},
    "endDate": {"@id": str(SCHEMA.endDate)},
    "location": {"@id": str(SCHEMA.location)},
    "organizers": {"@id": str(SCHEMA.organizer), **_ID, "@container": "@set"},
    "participations": {"@id": str(CV.hasParticipation), **_ID, "@container": "@set"},
    "participationRole": {"@id": str(CV.role), **_ID},
    "playsRole": {"@id": str(CV.playsRole), **_ID, "@container": "@set"},
    "topics": {"@id": str(PES.topic), "@container": "@set"},
    "objectives": {"@id": str(PES.objective), "@container": "@set"},
    "expectedResults": {"@id": str(PES.expectedResult), "@container": "@set"},
    "workingLanguages": {"@id": str(PES.workingLanguage), **_ID, "@container": "@set"},
    "project": {"@id": str(DCTERMS.isPartOf), **_ID},
    # projects and work programmes
    "phases": {"@id": str(PES.phase), **_ID, "@container": "@set"},
    "steps": {"@id": str(PES.step), **_ID, "@container": "@set"},
    "achievements": {"@id": str(PES.achievement), **_ID, "@container": "@set"},
    "position": {"@id": str(SCHEMA.position)},
    "cluster": {"@id": str(PES.cluster), **_ID},
    "formats": {"@id": str(PES.activityFormat), **_ID, "@container": "@set"},
    "workProgramme": {"@id": str(PES.workProgramme), **_ID},
    "adoptedOn": {"@id": str(PES.adoptedOn), "@type": str(XSD.date)},
    "adoptedBy": {"@id": str(PES.adoptedBy), **_ID},
    "publisher": {"@id": str(DCTERMS.publisher), **_ID},
}
"""Context terms: the GraphQL field names, each bound to the property it reads."""

TYPES: dict[str, tuple[str, dict[str, dict[str, str]]]] = {
    "Practice": (str(PES.GoodPractice), {}),
    "Pes": (str(PES.PublicEmploymentService), {}),
    "Network": (str(PES.Network), {}),
    "Membership": (str(ORG.Membership), {}),
    "Region": (str(PES.WapesRegion), {}),
    "Country": (str(PES.Country), {}),
    "Theme": (str(PES.Theme), {}),
    "TargetGroup": (str(PES.TargetGroup), {}),
    "EventType": (str(PES.EventType), {}),
    "Activity": (str(PES.Activity), {}),
    "ActivityFormat": (str(PES.ActivityFormat), {}),
    "WorkProgrammeCluster": (str(PES.WorkProgrammeCluster), {}),
    "Event": (str(SCHEMA.Event), {"description": {"@id": str(SCHEMA.description)}}),
    "Project": (str(PES.Project), {"description": {"@id": str(SCHEMA.description)}}),
}
"""GraphQL type names for classes, with the terms that mean something else on that type (JSON-LD
1.1 type-scoped contexts): an event's or a project's ``description`` is ``schema:description``."""

CONTEXT: dict[str, Any] = {
    "@version": 1.1,
    **{
        prefix: namespace
        for prefix, namespace in PREFIXES.items()
        if namespace[-1] in "/#" and prefix not in TERMS and prefix not in TYPES
    },
    "iri": "@id",
    "type": "@type",
    **TERMS,
    **{
        name: {"@id": iri, "@context": scoped} if scoped else {"@id": iri}
        for name, (iri, scoped) in TYPES.items()
    },
}
"""The ``@context`` object published at ``/context.jsonld``."""

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_STRING = str(XSD.string)
_BY_PROPERTY: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
for _name, _definition in TERMS.items():
    _BY_PROPERTY[_definition["@id"]].append((_name, _definition))
_TYPE_NAMES = {iri: name for name, (iri, _) in TYPES.items()}


def context_document() -> bytes:
    """``/context.jsonld``: the context alone, ready to be referenced by other documents."""
    return json.dumps({"@context": CONTEXT}, indent=2, ensure_ascii=False).encode()


def _node_ref(term: NamedNode | BlankNode) -> str:
    return term.value if isinstance(term, NamedNode) else f"_:{term.value}"


def _term_for(
    predicate: str, value: object, scoped: dict[str, dict[str, str]]
) -> tuple[str, dict[str, str]] | None:
    """The term for ``predicate`` whose ``@type`` fits ``value``; untyped terms fit all. A term
    that the node's type scopes to another property is not used for this one."""
    for name, definition in scoped.items():
        if definition["@id"] == predicate:
            return name, definition
    for name, definition in _BY_PROPERTY.get(predicate, ()):
        if name in scoped:
            continue
        kind = definition.get("@type")
        if kind is None:
            return name, definition
        if kind == "@id" and isinstance(value, NamedNode | BlankNode):
            return name, definition
        if isinstance(value, Literal) and not value.language and value.datatype.value == kind:
            return name, definition
    return None


def _value(value: object, definition: dict[str, str] | None) -> Any:
    kind = definition.get("@type") if definition is not None else None
    if isinstance(value, NamedNode | BlankNode):
        ref = _node_ref(value)
        return ref if kind == "@id" else {"@id": ref}
    assert isinstance(value, Literal)
    if kind is not None:
        return value.value  # the term's datatype applies
    if value.language:
        return {"@value": value.value, "@language": value.language}
    if value.datatype.value == _STRING:
        return value.value
    return {"@value": value.value, "@type": value.datatype.value}


def compact_document(triples: Iterable[Triple]) -> bytes:
    """A JSON-LD document for ``triples``: one node object per subject in ``@graph``, keys from
    :data:`TERMS` where they fit, types named as in :data:`TYPES`, the context embedded so that the
    document stands alone."""
    grouped: dict[str, list[Triple]] = defaultdict(list)
    for triple in triples:
        grouped[_node_ref(triple.subject)].append(triple)  # type: ignore[arg-type]
    nodes: list[dict[str, Any]] = []
    for subject, own in grouped.items():
        node: dict[str, Any] = {"iri": subject}
        types = sorted(
            t.object.value
            for t in own
            if t.predicate.value == _RDF_TYPE and isinstance(t.object, NamedNode)
        )
        scoped: dict[str, dict[str, str]] = {}
        for iri in types:
            if iri in _TYPE_NAMES:
                scoped.update(TYPES[_TYPE_NAMES[iri]][1])
        if types:
            node["type"] = sorted(_TYPE_NAMES.get(iri, iri) for iri in types)
        for triple in own:
            if triple.predicate.value == _RDF_TYPE and isinstance(triple.object, NamedNode):
                continue
            found = _term_for(triple.predicate.value, triple.object, scoped)
            key = found[0] if found else triple.predicate.value
            node.setdefault(key, []).append(_value(triple.object, found[1] if found else None))
        for values in node.values():
            if isinstance(values, list):
                values.sort(key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        nodes.append(node)
    document = {"@context": CONTEXT, "@graph": nodes}
    return json.dumps(document, indent=2, ensure_ascii=False).encode()
