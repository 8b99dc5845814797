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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graphsvc.web.routes import PublicCors, ServiceApp, direct_routes, web_routes

__all__ = ["PublicCors", "ServiceApp", "direct_routes", "web_routes"]


def __getattr__(name: str) -> Any:
    """The names of :mod:`graphsvc.web.routes`, imported on first use: a tool that needs one
    module of the package (``make ontology-docs``) does not load the service's routes."""
    if name in __all__:
        from graphsvc.web import routes

        return getattr(routes, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
