"""Assemble the GraphQL schema."""

from __future__ import annotations

import strawberry
from pyoxigraph import Literal, QuerySolutions
from strawberry.tools import merge_types

from graphsvc.api.context import Context
from graphsvc.api.mutations import EditingQuery, Mutation
from graphsvc.api.provenance import ProvenanceQuery

__all__ = ["schema"]


@strawberry.type
class ClassCount:
    iri: str
    instances: int


@strawberry.type
class Query:
    @strawberry.field(description="Number of instances of each class in the store.")
    def class_counts(self, info: strawberry.Info[Context, None]) -> list[ClassCount]:
        result = info.context.services.store.query(
            "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) "
            "WHERE { GRAPH ?g { ?s a ?class } } GROUP BY ?class ORDER BY ?class"
        )
        assert isinstance(result, QuerySolutions)
        counts = []
        for row in result:
            n = row["n"]
            counts.append(
                ClassCount(
                    iri=row["class"].value, instances=int(n.value) if isinstance(n, Literal) else 0
                )
            )
        return counts


# Editing (mutations, viewer) and revision history: graphsvc.api.mutations / provenance.
RootQuery = merge_types("Query", (Query, ProvenanceQuery, EditingQuery))
schema = strawberry.Schema(query=RootQuery, mutation=Mutation)
