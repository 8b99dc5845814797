"""The GraphQL API for front-end apps."""

from __future__ import annotations

from graphsvc.api.routes import graphql_routes

__all__ = ["graphql_routes"]
