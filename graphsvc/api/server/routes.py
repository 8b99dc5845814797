"""Mount the GraphQL endpoint on Starlette."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from starlette.routing import BaseRoute, Route

from graphsvc.api.schema import schema
from graphsvc.api.server.fast import install_direct_resolvers
from graphsvc.api.server.view import GraphQLView
from graphsvc.settings import Settings

__all__ = ["DIRECT_FIELDS", "graphql_routes"]

log = logging.getLogger(__name__)

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


def graphql_routes(settings: Settings, trusted: Mapping[str, str] | None = None) -> list[BaseRoute]:
    """``/graphql`` for ``GET`` and ``POST``; any other method is answered ``405``.

    ``trusted`` documents (``{sha256: text}``) are answered by hash from the first request.
    """
    view = GraphQLView(schema, settings)
    for digest in view.persisted.trust(trusted or {}):
        log.warning("Trusted document %s is not the SHA-256 of its text: not trusted.", digest)
    return [Route("/graphql", view.handle, methods=["GET", "POST"], name="graphql")]
