"""Assemble the GraphQL schema: the read-model queries, editing, provenance and class counts."""

from __future__ import annotations

import strawberry
from pyoxigraph import Literal, QuerySolutions
from strawberry.tools import merge_types

from graphsvc.api.context import Context
from graphsvc.api.feedback import FeedbackMutation, FeedbackQuery
from graphsvc.api.history import ProvenanceQuery
from graphsvc.api.mutations import EditingQuery, Mutation
from graphsvc.api.queries import ReadQuery
from graphsvc.api.recommendations import RecommendationQuery
from graphsvc.api.types import OBJECT_TYPES

__all__ = ["print_sdl", "schema"]


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


# Read model: graphsvc.api.queries; editing (mutations, viewer) and revision history:
# graphsvc.api.mutations / history; feedback on recommendations: graphsvc.api.feedback.
RootQuery = merge_types(
    "Query", (ReadQuery, Query, ProvenanceQuery, EditingQuery, RecommendationQuery, FeedbackQuery)
)
RootMutation = merge_types("Mutation", (Mutation, FeedbackMutation))
schema = strawberry.Schema(query=RootQuery, mutation=RootMutation, types=OBJECT_TYPES)


def print_sdl() -> str:
    """The schema in SDL, as committed in ``schema.graphql`` (``make schema`` writes it)."""
    return schema.as_str() + "\n"
