"""Mount the GraphQL endpoint on Starlette."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from graphsvc.api.schema import schema
from graphsvc.api.server.fast import install_direct_resolvers
from graphsvc.api.server.view import GraphQLView
from graphsvc.settings import Settings

__all__ = ["DIRECT_FIELDS", "graphql_routes"]

DIRECT_FIELDS = install_direct_resolvers(
    schema,
    (
        "graphsvc.api.types",
        "graphsvc.api.connections",
        "graphsvc.api.queries",
        "graphsvc.api.recommendations",
    ),
)
"""Fields served by direct resolvers (``api.server.fast``), installed once per process."""


def graphql_routes(settings: Settings) -> list[BaseRoute]:
    """``/graphql`` for ``GET`` and ``POST``; any other method is answered ``405``."""
    view = GraphQLView(schema, settings)
    return [Route("/graphql", view.handle, methods=["GET", "POST"], name="graphql")]
