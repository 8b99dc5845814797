"""Mount the GraphQL endpoint on Starlette."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from graphsvc.api.http import GraphQLView
from graphsvc.api.schema import schema
from graphsvc.settings import Settings

__all__ = ["graphql_routes"]


def graphql_routes(settings: Settings) -> list[BaseRoute]:
    """``/graphql`` for ``GET`` and ``POST``; any other method is answered ``405``."""
    view = GraphQLView(schema, settings)
    return [Route("/graphql", view.handle, methods=["GET", "POST"], name="graphql")]
