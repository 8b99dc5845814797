"""Dereferenceable IRIs: ``/id/...``, ``/ontology``, ``/dataset``, ``/.well-known/void``,
``/graph/...`` and the JSON-LD context at ``/context.jsonld``.

Entity IRIs are minted under :data:`graphsvc.vocab.ID` (``https://w3id.org/graphsvc/id/``); a
request for ``/id/<path>`` on any deployment describes ``ID + <path>``, whatever host served it,
so the IRIs stay the same when ``GRAPHSVC_PUBLIC_URL`` changes. Each description is offered as
Turtle (the default), JSON-LD (compacted with the published context), N-Triples, RDF/XML and an
HTML page; ``Accept`` decides, with ``?format=`` as the fallback.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import quote

import anyio.to_thread
import pyoxigraph
from pyoxigraph import NamedNode, QuerySolutions, RdfFormat, Triple
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from graphsvc.errors import GraphsvcError
from graphsvc.http.negotiation import accepts_coding
from graphsvc.store.base import GraphStore
from graphsvc.store.loading import ONTOLOGY_GRAPH
from graphsvc.vocab import GRAPH, ID, PREFIXES
from graphsvc.web.describe import ONTOLOGY_IRI, Description, describe_entity, describe_ontology
from graphsvc.web.descriptions import DESCRIPTION_PREFIXES, dataset_description
from graphsvc.web.errors import WebRequestError
from graphsvc.web.execute import used_prefixes
from graphsvc.web.formats import GRAPH_OFFERS, HTML, PAGE_OFFERS, RDF_FORMATS
from graphsvc.web.html import dataset_page, entity_page, not_found_page
from graphsvc.web.http import base_url, error_response, http_date, not_modified, with_charset
from graphsvc.web.jsonld import compact_document, context_document
from graphsvc.web.landing import landing_context
from graphsvc.web.negotiation import Offer, negotiate
from graphsvc.web.ontology_docs import OntologyDocsError, cache_dir_of, ontology_docs_html
from graphsvc.web.state import etag, web_state
from graphsvc.web.suggestions import suggestions_for

__all__ = [
    "context_endpoint",
    "dataset_endpoint",
    "entity_endpoint",
    "graph_endpoint",
    "ontology_endpoint",
    "ontology_version_endpoint",
    "render_triples",
]

_CONTEXT_LINK = '<{base}/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"'


def render_triples(triples: Sequence[Triple], offer: Offer) -> bytes:
    """``triples`` in the RDF format of ``offer``; JSON-LD is compacted with the context."""
    if offer.name == "jsonld":
        return compact_document(triples)
    fmt = RDF_FORMATS[offer.name]
    if fmt in (RdfFormat.TURTLE, RdfFormat.RDF_XML):
        lines = pyoxigraph.serialize(triples, format=RdfFormat.N_TRIPLES) or b""
        prefixes = used_prefixes(lines, {**PREFIXES, **DESCRIPTION_PREFIXES})
        return pyoxigraph.serialize(triples, format=fmt, prefixes=prefixes) or b""
    return pyoxigraph.serialize(triples, format=fmt) or b""


async def _described(
    request: Request,
    describe: Callable[[], Description],
    key: str,
    offers: Sequence[Offer] = PAGE_OFFERS,
    html_page: Callable[[bool], bytes] | None = None,
) -> Response:
    """Negotiate, answer conditional requests, describe, render: the shared path of IRI pages.

    ``html_page``, if given, makes the HTML representation instead of the generic entity page;
    its argument asks for the gzip-compressed bytes (sent when the client accepts gzip).
    """
    state = web_state(request)
    base = base_url(request, state.services.settings)
    try:
        offer = negotiate(
            offers, request.headers.get("accept"), request.query_params.getlist("format")
        )
        token, modified = await state.validators()
        own_page = offer is HTML and html_page is not None
        gzipped = own_page and accepts_coding(request.headers.get("accept-encoding"), "gzip")
        tag = etag(token, key, offer.name + ("+gzip" if gzipped else ""), base)
        headers = {
            "ETag": tag,
            "Last-Modified": http_date(modified),
            "Vary": "Accept, Accept-Encoding" if own_page else "Accept",
            "Link": _CONTEXT_LINK.format(base=base),
        }
        if not_modified(request, tag, modified):
            return Response(status_code=304, headers=headers)
        if own_page and html_page is not None:
            body = await anyio.to_thread.run_sync(html_page, gzipped)
            if gzipped:
                headers["Content-Encoding"] = "gzip"
            return Response(body, headers=headers, media_type="text/html; charset=utf-8")
        description = await anyio.to_thread.run_sync(describe)
        if not description.found:
            message = f"not found: the dataset says nothing about <{description.iri}>"
            if offer is HTML:
                page = not_found_page(description.iri, base)
                return Response(page, 404, media_type="text/html; charset=utf-8")
            return error_response(WebRequestError(message, 404), {"Vary": "Accept"})
        if offer is HTML:
            page_url = str(request.url.replace(query=""))
            services = state.services
            suggestions = await anyio.to_thread.run_sync(suggestions_for, services, description.iri)
            body = entity_page(description, base, page_url, suggestions).encode()
        else:
            body = render_triples(description.all_triples(), offer)
        return Response(body, headers=headers, media_type=with_charset(offer.media_type))
    except WebRequestError as error:
        return error_response(error, {"Vary": "Accept"})
    except OntologyDocsError as error:
        message = f"the ontology documentation could not be generated: {error}"
        return error_response(WebRequestError(message, 500), {"Vary": "Accept"})
    except GraphsvcError as error:
        return error_response(WebRequestError(f"the store failed: {error}", 500))


async def entity_endpoint(request: Request) -> Response:
    """``/id/<path>``: the description of ``https://w3id.org/graphsvc/id/<path>``."""
    path = request.path_params["path"]
    iri = str(ID) + quote(path, safe="/:@!$&'()*+,;=-._~%")
    try:
        pyoxigraph.NamedNode(iri)
    except ValueError:
        return error_response(WebRequestError(f"/id/{path} is not a valid entity path", 404))
    store = web_state(request).services.store
    limit = web_state(request).services.settings.sparql_max_rows
    return await _described(request, lambda: describe_entity(store, iri, limit), iri)


async def ontology_endpoint(request: Request) -> Response:
    """``/ontology``: the ontology document (its header and every ``pes:`` term) in RDF, or for
    browsers its HTML documentation, generated from ``ontology/*.ttl`` with pyLODE."""
    services = web_state(request).services
    store, settings = services.store, services.settings
    return await _described(
        request,
        lambda: describe_ontology(store),
        "ontology",
        html_page=lambda gzipped: ontology_docs_html(
            settings.ontology_dir, cache_dir_of(settings), gzipped=gzipped
        ),
    )


_VERSION_IRIS = "SELECT ?version WHERE { GRAPH ?graph { ?ontology owl:versionIRI ?version } }"


def _version_iris(store: GraphStore) -> set[str]:
    result = store.query(
        _VERSION_IRIS,
        bindings={"graph": NamedNode(str(ONTOLOGY_GRAPH)), "ontology": NamedNode(ONTOLOGY_IRI)},
    )
    assert isinstance(result, QuerySolutions)
    return {row["version"].value for row in result}


async def ontology_version_endpoint(request: Request) -> Response:
    """``/ontology/<version>``: the ontology's version IRI. The current version is the ontology
    document itself, negotiated as at ``/ontology``; earlier versions are not kept (404)."""
    store = web_state(request).services.store
    version_iri = f"{ONTOLOGY_IRI}/{request.path_params['version']}"
    try:
        current = await anyio.to_thread.run_sync(_version_iris, store)
    except GraphsvcError as error:
        return error_response(WebRequestError(f"the store failed: {error}", 500))
    if version_iri not in current:
        latest = ", ".join(f"<{v}>" for v in sorted(current)) or "none"
        message = f"not found: <{version_iri}> is not a version served here; current: {latest}"
        return error_response(WebRequestError(message, 404), {"Vary": "Accept"})
    return await ontology_endpoint(request)


async def dataset_endpoint(request: Request) -> Response:
    """``/.well-known/void`` and ``/dataset``: VoID and DCAT description of the dataset; at
    ``/dataset`` a browser gets the landing page (licence, dumps, endpoint, example queries)."""
    state = web_state(request)
    settings = state.services.settings
    base = base_url(request, settings)
    # /dataset is the dataset's homepage (foaf:homepage): a page for browsers, RDF for the rest
    offers = PAGE_OFFERS if request.url.path == "/dataset" else GRAPH_OFFERS
    try:
        offer = negotiate(
            offers, request.headers.get("accept"), request.query_params.getlist("format")
        )
        stats, modified = await state.stats()
        token, _ = await state.validators()
        tag = etag(token, "void", offer.name, base)
        headers = {"ETag": tag, "Last-Modified": http_date(modified), "Vary": "Accept"}
        if not_modified(request, tag, modified):
            return Response(status_code=304, headers=headers)
        if offer is HTML:
            page = dataset_page(landing_context(stats, base, settings, modified))
            return Response(page, headers=headers, media_type="text/html; charset=utf-8")
        triples = dataset_description(stats, base, settings, modified)
        body = render_triples(triples, offer)
        return Response(body, headers=headers, media_type=with_charset(offer.media_type))
    except WebRequestError as error:
        return error_response(error, {"Vary": "Accept"})
    except GraphsvcError as error:
        return error_response(WebRequestError(f"the store failed: {error}", 500))


async def graph_endpoint(request: Request) -> Response:
    """``/graph/<name>``: a named graph's IRI; 303 to its TriG export."""
    graph = str(GRAPH) + request.path_params["path"]
    base = base_url(request, web_state(request).services.settings)
    return RedirectResponse(f"{base}/export/trig?graph={quote(graph, safe='')}", status_code=303)


async def context_endpoint(request: Request) -> Response:
    """``/context.jsonld``: the JSON-LD context whose names are the GraphQL field names."""
    return Response(
        context_document(),
        media_type="application/ld+json",
        headers={"Cache-Control": "public, max-age=3600"},
    )
