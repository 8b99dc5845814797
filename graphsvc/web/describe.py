"""What the store says about one IRI: the description served at ``/id/...`` and ``/ontology``.

An entity's description is its concise bounded description (every triple it is the subject of,
following blank nodes three levels deep, enough for memberships' intervals and events'
participations) plus the triples that point at it from other IRIs. Labels of everything it links
to come along for the HTML page. Every query binds the IRI as a value (``bindings=``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, Triple

from graphsvc.store.base import GraphStore
from graphsvc.store.loading import ONTOLOGY_GRAPH
from graphsvc.vocab import BASE, PES

__all__ = [
    "LABEL_PATH",
    "ONTOLOGY_IRI",
    "Description",
    "describe_entity",
    "describe_ontology",
]

ONTOLOGY_IRI = BASE + "ontology"
LABEL_PATH = "skos:prefLabel|dct:title|schema:name|rdfs:label|foaf:name"

_OUTGOING = """
SELECT ?x ?s ?p ?o ?label WHERE {
  { { ?x ?p ?o BIND(?x AS ?s) }
    UNION { ?x ?p1 ?s . FILTER(isBlank(?s)) ?s ?p ?o }
    UNION { ?x ?p1 ?b1 . FILTER(isBlank(?b1)) ?b1 ?p2 ?s . FILTER(isBlank(?s)) ?s ?p ?o }
    UNION { ?x ?p1 ?b1 . FILTER(isBlank(?b1)) ?b1 ?p2 ?b2 . FILTER(isBlank(?b2))
            ?b2 ?p3 ?s . FILTER(isBlank(?s)) ?s ?p ?o } }
  OPTIONAL { FILTER(isIRI(?o)) ?o LABELS ?label }
} LIMIT ?limit
"""
_INCOMING = """
SELECT ?x ?s ?p ?label WHERE {
  ?s ?p ?x . FILTER(isIRI(?s))
  OPTIONAL { ?s LABELS ?label }
} LIMIT ?limit
"""
_PROPERTY_LABELS = """
SELECT ?x ?p ?label WHERE {
  { ?x ?p ?o } UNION { ?s ?p ?x }
  ?p rdfs:label ?label
}
"""
_ONTOLOGY = """
SELECT ?s ?p ?o ?label WHERE {
  GRAPH ?graph { ?s ?p ?o }
  FILTER(isBlank(?s) || ?s = ?ontology || STRSTARTS(STR(?s), ?namespace)
         || EXISTS { GRAPH ?graph { ?s a ?kind } VALUES ?kind {
              owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty
              rdf:Property rdfs:Class } })
  OPTIONAL { FILTER(isIRI(?o)) GRAPH ?graph { ?o rdfs:label|skos:prefLabel ?label } }
}
"""


def _limit_query(template: str, limit: int) -> str:
    # LIMIT takes an integer token, not a variable; the limit is our own setting, not user input.
    return template.replace("LABELS", LABEL_PATH).replace("?limit", str(int(limit)))


@dataclass
class Description:
    """Triples about ``iri`` and labels (language -> text) of the IRIs they mention."""

    iri: str
    triples: list[Triple] = field(default_factory=list)
    incoming: list[Triple] = field(default_factory=list)
    labels: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    truncated: bool = False

    @property
    def found(self) -> bool:
        return bool(self.triples)

    def all_triples(self) -> list[Triple]:
        return [*self.triples, *self.incoming]

    def add_label(self, node: object, label: object) -> None:
        if isinstance(node, NamedNode) and isinstance(label, Literal):
            self.labels[node.value].setdefault(label.language or "", label.value)


def _unique(triples: Iterable[Triple]) -> list[Triple]:
    seen: set[Triple] = set()
    out: list[Triple] = []
    for triple in triples:
        if triple not in seen:
            seen.add(triple)
            out.append(triple)
    return out


def describe_entity(store: GraphStore, iri: str, limit: int) -> Description:
    """The description of ``iri`` across all graphs; ``.found`` is false if it has none."""
    node = NamedNode(iri)
    description = Description(iri)
    outgoing = store.query(
        _limit_query(_OUTGOING, limit + 1), bindings={"x": node}, union_default_graph=True
    )
    assert isinstance(outgoing, QuerySolutions)
    rows = list(outgoing)
    description.truncated = len(rows) > limit
    for row in rows[:limit]:
        description.triples.append(Triple(row["s"], row["p"], row["o"]))
        description.add_label(row["o"], row["label"])
    description.triples = _unique(description.triples)
    if not description.triples:
        return description
    incoming = store.query(
        _limit_query(_INCOMING, limit + 1), bindings={"x": node}, union_default_graph=True
    )
    assert isinstance(incoming, QuerySolutions)
    rows = list(incoming)
    description.truncated = description.truncated or len(rows) > limit
    for row in rows[:limit]:
        description.incoming.append(Triple(row["s"], row["p"], node))
        description.add_label(row["s"], row["label"])
    description.incoming = _unique(description.incoming)
    labels = store.query(_PROPERTY_LABELS, bindings={"x": node}, union_default_graph=True)
    assert isinstance(labels, QuerySolutions)
    for row in labels:
        description.add_label(row["p"], row["label"])
    for triple in description.triples:
        if triple.subject == node and triple.predicate.value.endswith(("prefLabel", "title")):
            description.add_label(node, triple.object)
    for triple in description.triples:
        if triple.subject == node and triple.predicate.value.endswith(("name", "#label")):
            description.add_label(node, triple.object)
    return description


def describe_ontology(store: GraphStore) -> Description:
    """The ontology document: its header, every ``pes:`` term and the reused terms it declares."""
    description = Description(ONTOLOGY_IRI)
    result = store.query(
        _ONTOLOGY,
        bindings={
            "graph": NamedNode(str(ONTOLOGY_GRAPH)),
            "ontology": NamedNode(ONTOLOGY_IRI),
            "namespace": Literal(str(PES._NS)),
        },
    )
    assert isinstance(result, QuerySolutions)
    triples: list[Triple] = []
    for row in result:
        triples.append(Triple(row["s"], row["p"], row["o"]))
        description.add_label(row["o"], row["label"])
    triples = _unique(triples)
    # keep blank nodes reachable from an IRI subject (class axioms, lists), drop the others
    by_subject: dict[BlankNode, list[Triple]] = defaultdict(list)
    kept: list[Triple] = []
    for triple in triples:
        if isinstance(triple.subject, BlankNode):
            by_subject[triple.subject].append(triple)
        else:
            kept.append(triple)
    frontier = [t.object for t in kept if isinstance(t.object, BlankNode)]
    reached: set[BlankNode] = set()
    while frontier:
        blank = frontier.pop()
        if blank in reached:
            continue
        reached.add(blank)
        for triple in by_subject.get(blank, ()):
            kept.append(triple)
            if isinstance(triple.object, BlankNode):
                frontier.append(triple.object)
    description.triples = kept
    for triple in kept:
        if triple.predicate.value.endswith(("#label", "prefLabel")) and isinstance(
            triple.subject, NamedNode
        ):
            description.add_label(triple.subject, triple.object)
    return description
