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

__all__ = ["CONTEXT", "TERMS", "compact_document", "context_document"]

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
    "start": {"@id": str(SCHEMA.startDate), "@type": str(XSD.date)},
    "end": {"@id": str(SCHEMA.endDate), "@type": str(XSD.date)},
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

CONTEXT: dict[str, Any] = {
    "@version": 1.1,
    **{
        prefix: namespace
        for prefix, namespace in PREFIXES.items()
        if namespace[-1] in "/#" and prefix not in TERMS and prefix not in ("id", "type")
    },
    "id": "@id",
    "type": "@type",
    **TERMS,
}
"""The ``@context`` object published at ``/context.jsonld``."""

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_STRING = str(XSD.string)
_BY_PROPERTY: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
for _name, _definition in TERMS.items():
    _BY_PROPERTY[_definition["@id"]].append((_name, _definition))


def context_document() -> bytes:
    """``/context.jsonld``: the context alone, ready to be referenced by other documents."""
    return json.dumps({"@context": CONTEXT}, indent=2, ensure_ascii=False).encode()


def _node_ref(term: NamedNode | BlankNode) -> str:
    return term.value if isinstance(term, NamedNode) else f"_:{term.value}"


def _term_for(predicate: str, value: object) -> tuple[str, dict[str, str]] | None:
    """The first term for ``predicate`` whose ``@type`` fits ``value``; untyped terms fit all."""
    for name, definition in _BY_PROPERTY.get(predicate, ()):
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
    :data:`TERMS` where they fit, the context embedded so that the document stands alone."""
    nodes: dict[str, dict[str, Any]] = {}
    for triple in triples:
        subject = _node_ref(triple.subject)  # type: ignore[arg-type]
        node = nodes.setdefault(subject, {"id": subject})
        predicate = triple.predicate.value
        if predicate == _RDF_TYPE and isinstance(triple.object, NamedNode):
            node.setdefault("type", []).append(triple.object.value)
            continue
        found = _term_for(predicate, triple.object)
        key = found[0] if found else predicate
        node.setdefault(key, []).append(_value(triple.object, found[1] if found else None))
    for node in nodes.values():
        for values in node.values():
            if isinstance(values, list):
                values.sort(key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    document = {"@context": CONTEXT, "@graph": list(nodes.values())}
    return json.dumps(document, indent=2, ensure_ascii=False).encode()
