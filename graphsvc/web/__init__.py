"""Researcher-facing HTTP: the SPARQL protocol, exports, dereferenceable IRIs and VoID/DCAT.

=========================  ==========================================================
``/sparql``                SPARQL 1.1 Protocol, query only (:mod:`graphsvc.web.sparql`)
``/export/{format}``       the dataset or one graph, streamed (:mod:`graphsvc.web.exports`)
``/id/...``                entity descriptions, content-negotiated (:mod:`graphsvc.web.resources`)
``/ontology``              the ontology document; HTML documentation for browsers
``/ontology/{version}``    its version IRI (the current version only)
``/.well-known/void``      VoID and DCAT description of the dataset (also ``/dataset``)
``/graph/...``             named graph IRIs: 303 to their export
``/context.jsonld``        the JSON-LD context shared with the GraphQL API
``/``, ``/assets/…``       the discovery app and its built files (:mod:`graphsvc.web.app_files`)
=========================  ==========================================================

:class:`~graphsvc.web.http.PublicCors` lets any origin read these routes. A query is checked by
:mod:`graphsvc.web.query_check` (the ``SERVICE`` refusal, size and nesting limits, over the
store's lexer) before it runs in :mod:`graphsvc.engine`; representations are negotiated by
:mod:`graphsvc.web.negotiation` over the shared ``Accept`` parser, from the formats of
:mod:`graphsvc.web.formats`.

Imports :mod:`graphsvc.store`, :mod:`graphsvc.engine`, :mod:`graphsvc.http`,
:mod:`graphsvc.services` (and through it the read model and the recommendations), settings,
errors and vocabulary; never :mod:`graphsvc.api`.
"""

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
