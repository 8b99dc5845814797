"""The GraphQL-over-HTTP engine: the view, execution with its deadline, compiled plans and direct
resolvers, document limits and cost, persisted queries and the result cache.

It serves :mod:`graphsvc.api.schema` and may import ``api``, ``http``, ``services`` and the lower
layers, never ``web``.
"""

from __future__ import annotations

from graphsvc.api.server.routes import graphql_routes

__all__ = ["graphql_routes"]
