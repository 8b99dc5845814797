"""A remote SPARQL 1.1 Query + Update endpoint as a store (for example ``oxigraph serve``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO

import httpx
import pyoxigraph
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
)

from graphsvc.errors import RemoteStoreError, StoreError
from graphsvc.store.base import BoundTerm, Changeset, GraphName, GraphStore, QueryResult
from graphsvc.store.sparql_text import bind_values, changeset_update, quad_block
from graphsvc.vocab import PREFIXES

__all__ = ["RemoteSparqlStore"]

_RESULTS_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
_PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


class RemoteSparqlStore(GraphStore):
    """Talks the SPARQL 1.1 Protocol to ``query_url`` and ``update_url``.

    Each :meth:`apply` is one update request, which a conforming server runs as one transaction.
    Bindings are sent as a ``VALUES`` block of escaped N-Triples terms at the start of the WHERE
    pattern (see :func:`~graphsvc.store.sparql_text.bind_values`).
    """

    kind = "sparql"

    def __init__(self, query_url: str, update_url: str, *, timeout: float = 30.0) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self._client = httpx.Client(timeout=timeout)

    def _post(
        self,
        url: str,
        content: str,
        content_type: str,
        *,
        accept: str = "*/*",
        params: list[tuple[str, str | int | float | bool | None]] | None = None,
    ) -> httpx.Response:
        headers = {"Content-Type": content_type, "Accept": accept}
        try:
            response = self._client.post(
                url, content=content.encode(), headers=headers, params=params
            )
        except httpx.HTTPError as exc:
            raise RemoteStoreError(url, f"request failed: {exc}") from exc
        if response.status_code >= 400:
            raise RemoteStoreError(url, response.text.strip()[:500], response.status_code)
        return response

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, BoundTerm] | None = None,
        default_graph: Sequence[GraphName] | None = None,
        named_graphs: Sequence[NamedNode] | None = None,
        union_default_graph: bool = False,
    ) -> QueryResult:
        text = _PROLOGUE + (bind_values(sparql, bindings) if bindings else sparql)
        params: list[tuple[str, str | int | float | bool | None]] = []
        for graph in default_graph or ():
            if isinstance(graph, NamedNode):
                params.append(("default-graph-uri", graph.value))
        params.extend(("named-graph-uri", g.value) for g in named_graphs or ())
        if union_default_graph:
            params.append(("union-default-graph", ""))  # Oxigraph server extension
        response = self._post(
            self.query_url,
            text,
            "application/sparql-query",
            accept=_RESULTS_ACCEPT,
            params=params,
        )
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        if media_type == "application/n-triples":
            parsed = pyoxigraph.parse(response.content, RdfFormat.N_TRIPLES)
            return (Triple(q.subject, q.predicate, q.object) for q in parsed)
        if media_type != "application/sparql-results+json":
            raise RemoteStoreError(self.query_url, f"unexpected response type {media_type!r}")
        return pyoxigraph.parse_query_results(response.content, QueryResultsFormat.JSON)

    def _update(self, update: str) -> None:
        self._post(self.update_url, update, "application/sparql-update")

    def apply(self, changes: Changeset) -> None:
        if changes:
            self._update(changeset_update(changes))

    def replace_graph(self, graph: NamedNode, quads: Iterable[Quad]) -> None:
        new = [Quad(q.subject, q.predicate, q.object, graph) for q in quads]
        update = f"DROP SILENT GRAPH {graph}"
        if new:
            update += " ;\nINSERT DATA " + quad_block(new)
        self._update(update)

    def quads(
        self,
        subject: NamedNode | BlankNode | None = None,
        predicate: NamedNode | None = None,
        obj: NamedNode | BlankNode | Literal | None = None,
        graph: GraphName | None = None,
    ) -> Iterator[Quad]:
        bound: dict[str, BoundTerm] = {}
        for name, term in (("s", subject), ("p", predicate), ("o", obj)):
            if term is not None:
                bound[name] = term
        if isinstance(graph, DefaultGraph):
            where = "{ ?s ?p ?o }"
        elif graph is not None:
            if isinstance(graph, BlankNode):
                raise StoreError("a remote store cannot address blank-node graphs")
            bound["g"] = graph
            where = "{ GRAPH ?g { ?s ?p ?o } }"
        else:
            where = "{ { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        result = self.query(f"SELECT ?s ?p ?o ?g WHERE {where}", bindings=bound or None)
        assert isinstance(result, QuerySolutions)
        for row in result:
            g = row["g"]
            yield Quad(row["s"], row["p"], row["o"], g if g is not None else DefaultGraph())

    def named_graphs(self) -> list[NamedNode]:
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(result, QuerySolutions)
        return [row["g"] for row in result if isinstance(row["g"], NamedNode)]

    def dump(self, output: IO[bytes], media_type: str, graph: GraphName | None = None) -> None:
        fmt = RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise StoreError(f"no RDF format for media type {media_type!r}")
        quads: Iterable[Quad] = self.quads(graph=graph)
        if not fmt.supports_datasets:
            quads = (Quad(q.subject, q.predicate, q.object) for q in quads)
        pyoxigraph.serialize(quads, output, fmt, prefixes=PREFIXES)

    def close(self) -> None:
        self._client.close()
