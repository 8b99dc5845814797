"""The GraphQL API for front-end apps.

``graphql_routes`` is imported on first use, so that light users of the package (the
``graphsvc tokens`` command reads only :mod:`graphsvc.api.auth`) do not build the schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graphsvc.api.routes import graphql_routes

__all__ = ["graphql_routes"]


def __getattr__(name: str) -> Any:
    if name == "graphql_routes":
        from graphsvc.api.routes import graphql_routes

        return graphql_routes
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
