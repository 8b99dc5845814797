"""The routes of the researcher-facing interface, and the front door they sit behind (see the
package docstring); imported by :mod:`graphsvc.web` on first use."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from graphsvc.settings import Settings
from graphsvc.web.app_files import app_routes
from graphsvc.web.exports import export_endpoint
from graphsvc.web.front import ServiceApp
from graphsvc.web.http import PublicCors
from graphsvc.web.resources import (
    context_endpoint,
    dataset_endpoint,
    entity_endpoint,
    graph_endpoint,
    ontology_endpoint,
    ontology_version_endpoint,
)
from graphsvc.web.sparql import SparqlApp

__all__ = ["PublicCors", "ServiceApp", "direct_routes", "web_routes"]

_SPARQL = SparqlApp()


def direct_routes() -> dict[str, ASGIApp]:
    """Routes that bypass the middleware chain (see :mod:`graphsvc.web.front`)."""
    return {"/sparql": _SPARQL}


def web_routes(settings: Settings) -> list[BaseRoute]:
    """The routes of the researcher-facing interface (settings are read per request)."""
    return [
        Route("/sparql", _SPARQL),  # also reached directly, through ServiceApp's front door
        Route("/export/{format}", export_endpoint, methods=["GET"]),
        Route("/id/{path:path}", entity_endpoint, methods=["GET"]),
        Route("/ontology", ontology_endpoint, methods=["GET"]),
        Route("/ontology/{version}", ontology_version_endpoint, methods=["GET"]),
        Route("/dataset", dataset_endpoint, methods=["GET"]),
        Route("/.well-known/void", dataset_endpoint, methods=["GET"]),
        Route("/graph/{path:path}", graph_endpoint, methods=["GET"]),
        Route("/context.jsonld", context_endpoint, methods=["GET"]),
        *app_routes(),  # last: the app's few addresses never shadow a route above
    ]
