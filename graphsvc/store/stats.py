"""Counts that describe a dataset: triples per graph, instances per class."""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import Literal, QuerySolutions

from graphsvc.store.base import GraphStore
from graphsvc.store.loading import ONTOLOGY_GRAPH
from graphsvc.vocab import PES

__all__ = ["DatasetStats", "dataset_stats"]


@dataclass(frozen=True, slots=True)
class DatasetStats:
    triples_per_graph: tuple[tuple[str, int], ...]
    instances_per_class: tuple[tuple[str, int], ...]
    empty_classes: tuple[str, ...]

    @property
    def total_triples(self) -> int:
        return sum(count for _, count in self.triples_per_graph)


def _rows(store: GraphStore, sparql: str) -> list[tuple[str, int]]:
    result = store.query(sparql)
    assert isinstance(result, QuerySolutions)
    rows = []
    for row in result:
        n = row["n"]
        rows.append((row["key"].value, int(n.value) if isinstance(n, Literal) else 0))
    return rows


def dataset_stats(store: GraphStore) -> DatasetStats:
    per_graph = _rows(
        store,
        "SELECT (?g AS ?key) (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    )
    default = _rows(store, 'SELECT ("(default graph)" AS ?key) (COUNT(*) AS ?n) WHERE { ?s ?p ?o }')
    per_class = _rows(
        store,
        "SELECT (?c AS ?key) (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } "
        f"FILTER(?g != <{ONTOLOGY_GRAPH}> || STRSTARTS(STR(?c), '{PES._NS}')) }} "
        "GROUP BY ?c ORDER BY DESC(?n) ?c",
    )
    declared = store.query(
        "SELECT DISTINCT ?c WHERE { GRAPH ?g { ?c a owl:Class } "
        f"FILTER(STRSTARTS(STR(?c), '{PES._NS}')) }} ORDER BY ?c"
    )
    assert isinstance(declared, QuerySolutions)
    populated = {cls for cls, _ in per_class}
    empty = tuple(row["c"].value for row in declared if row["c"].value not in populated)
    triples = tuple(per_graph + [d for d in default if d[1]])
    return DatasetStats(triples, tuple(per_class), empty)
