"""Counts that describe a dataset: triples per graph and per property, instances per class.

One function, :func:`dataset_stats`, counts everything: ``graphsvc stats`` prints it, VoID and the
service description (:mod:`graphsvc.web.descriptions`) state it. :func:`class_counts` is the part
the GraphQL field ``classCounts`` asks for on each request. Blocking; linear in the store's size.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import Literal, QuerySolutions

from graphsvc.store.base import GraphStore
from graphsvc.store.loading import ONTOLOGY_GRAPH
from graphsvc.vocab import ID, PES

__all__ = ["ClassInstances", "DatasetStats", "class_counts", "dataset_stats"]


@dataclass(frozen=True, slots=True)
class ClassInstances:
    """Distinct instances of a class in all graphs (``instances``), and among them those typed
    as data (``in_data``): outside the ontology graph, or of a class of the project's ontology
    (the ontology graph types the terms of the vocabularies it reuses, which are no data)."""

    iri: str
    instances: int
    in_data: int


@dataclass(frozen=True, slots=True)
class DatasetStats:
    """Counts of one version of a dataset. Pairs are ``(IRI, count)``, ordered by IRI."""

    triples_per_graph: tuple[tuple[str, int], ...]
    default_graph_triples: int
    triples_per_property: tuple[tuple[str, int], ...]
    classes: tuple[ClassInstances, ...]
    empty_classes: tuple[str, ...]
    """Classes the project's ontology declares, with no instance in the data."""
    distinct_subjects: int
    distinct_objects: int
    entities: int
    """Distinct IRIs of this dataset's namespace that have a type."""
    examples: tuple[str, ...]
    """Up to five entities, the first of each class of the project's ontology."""

    @property
    def quads(self) -> int:
        """Triples in the named graphs."""
        return sum(count for _, count in self.triples_per_graph)

    @property
    def total_triples(self) -> int:
        return self.quads + self.default_graph_triples

    @property
    def entities_per_class(self) -> tuple[tuple[str, int], ...]:
        return tuple((c.iri, c.instances) for c in self.classes)

    @property
    def instances_per_class(self) -> tuple[tuple[str, int], ...]:
        """Instances typed as data per class, the most populated first."""
        ranked = sorted((c for c in self.classes if c.in_data), key=lambda c: (-c.in_data, c.iri))
        return tuple((c.iri, c.in_data) for c in ranked)


def _int(term: object) -> int:
    return int(term.value) if isinstance(term, Literal) else 0


def _solutions(store: GraphStore, sparql: str, **bindings: str) -> QuerySolutions:
    result = store.query(sparql, bindings={k: Literal(v) for k, v in bindings.items()} or None)
    assert isinstance(result, QuerySolutions)
    return result


def _pairs(store: GraphStore, sparql: str) -> tuple[tuple[str, int], ...]:
    return tuple(
        (row["k"].value, _int(row["n"]))
        for row in _solutions(store, sparql)
        if row["k"] is not None
    )


def class_counts(store: GraphStore) -> tuple[ClassInstances, ...]:
    """Every class with instances in a named graph, ordered by IRI."""
    rows = _solutions(
        store,
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) (COUNT(DISTINCT ?d) AS ?m) WHERE { GRAPH ?g { ?s a ?c } "
        f"BIND(IF(?g != <{ONTOLOGY_GRAPH}> || STRSTARTS(STR(?c), ?ontology), ?s, ?none) AS ?d) }} "
        "GROUP BY ?c ORDER BY ?c",
        ontology=str(PES._NS),
    )
    return tuple(ClassInstances(row["c"].value, _int(row["n"]), _int(row["m"])) for row in rows)


def dataset_stats(store: GraphStore) -> DatasetStats:
    """Count everything :class:`DatasetStats` holds."""
    per_graph = _pairs(
        store,
        "SELECT (?g AS ?k) (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    )
    default = _solutions(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    per_property = _pairs(
        store,
        "SELECT (?p AS ?k) (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p ORDER BY ?p",
    )
    classes = class_counts(store)
    declared = _solutions(
        store,
        "SELECT DISTINCT ?c WHERE { GRAPH ?g { ?c a owl:Class } "
        "FILTER(STRSTARTS(STR(?c), ?ontology)) } ORDER BY ?c",
        ontology=str(PES._NS),
    )
    populated = {c.iri for c in classes if c.in_data}
    distinct = next(
        iter(
            _solutions(
                store,
                "SELECT (COUNT(DISTINCT ?s) AS ?s_n) (COUNT(DISTINCT ?o) AS ?o_n) "
                "WHERE { GRAPH ?g { ?s ?p ?o } }",
            )
        )
    )
    entities = _solutions(
        store,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } "
        "FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?space)) }",
        space=str(ID),
    )
    examples = _solutions(
        store,
        "SELECT ?c (MIN(STR(?s)) AS ?k) WHERE { GRAPH ?g { ?s a ?c } "
        "FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?space) && STRSTARTS(STR(?c), ?ontology)) } "
        "GROUP BY ?c ORDER BY ?c",
        space=str(ID),
        ontology=str(PES._NS),
    )
    first_of_class = sorted({example["k"].value for example in examples if example["k"]})
    return DatasetStats(
        triples_per_graph=per_graph,
        default_graph_triples=_int(next(iter(default))["n"]),
        triples_per_property=per_property,
        classes=classes,
        empty_classes=tuple(row["c"].value for row in declared if row["c"].value not in populated),
        distinct_subjects=_int(distinct["s_n"]),
        distinct_objects=_int(distinct["o_n"]),
        entities=_int(next(iter(entities))["n"]),
        examples=tuple(first_of_class[:5]),
    )
