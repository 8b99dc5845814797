"""Mount the Strawberry schema on Starlette."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from graphsvc.api.context import Context
from graphsvc.api.schema import schema
from graphsvc.settings import Settings

__all__ = ["graphql_routes"]


class GraphsvcGraphQL(GraphQL[Context, None]):
    async def get_context(self, request: Request | WebSocket, response: Any = None) -> Context:
        return Context(services=request.app.state.services)


def graphql_routes(settings: Settings) -> list[BaseRoute]:
    app = GraphsvcGraphQL(schema, graphql_ide="graphiql" if settings.graphiql else None)
    return [Route("/graphql", app, methods=["GET", "POST"])]
