"""Assemble the GraphQL schema: the read-model queries, editing, provenance and class counts.

:data:`schema` is what HTTP ``/graphql`` serves (queries and mutations). The published SDL
(:func:`print_sdl`, committed as ``schema.graphql``) adds the ``Subscription`` type that
WebSocket connections to ``/graphql`` serve (:mod:`graphsvc.api.subscriptions`), so that clients
and code generators see the whole API in one document.
"""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types

from graphsvc.api.context import Context
from graphsvc.api.feedback import FeedbackMutation, FeedbackQuery
from graphsvc.api.history import ProvenanceQuery
from graphsvc.api.mutations import EditingQuery, Mutation
from graphsvc.api.queries import ReadQuery
from graphsvc.api.recommendations import RecommendationQuery
from graphsvc.api.types import OBJECT_TYPES
from graphsvc.store.stats import class_counts as store_class_counts

__all__ = ["print_sdl", "schema"]


@strawberry.type
class ClassCount:
    iri: str
    instances: int


@strawberry.type
class Query:
    @strawberry.field(description="Number of instances of each class in the store.")
    def class_counts(self, info: strawberry.Info[Context, None]) -> list[ClassCount]:
        classes = store_class_counts(info.context.services.store)
        return [ClassCount(iri=c.iri, instances=c.instances) for c in classes]


# Read model: graphsvc.api.queries; editing (mutations, viewer) and revision history:
# graphsvc.api.mutations / history; feedback on recommendations: graphsvc.api.feedback.
RootQuery = merge_types(
    "Query", (ReadQuery, Query, ProvenanceQuery, EditingQuery, RecommendationQuery, FeedbackQuery)
)
RootMutation = merge_types("Mutation", (Mutation, FeedbackMutation))
schema = strawberry.Schema(query=RootQuery, mutation=RootMutation, types=OBJECT_TYPES)


def print_sdl() -> str:
    """The published schema in SDL, as committed in ``schema.graphql`` (``make schema`` writes
    it): the queries and mutations of HTTP ``/graphql`` and the subscription of its WebSocket."""
    from graphsvc.api.subscriptions import Subscription  # it imports this module

    published = strawberry.Schema(
        query=RootQuery, mutation=RootMutation, subscription=Subscription, types=OBJECT_TYPES
    )
    return published.as_str() + "\n"
