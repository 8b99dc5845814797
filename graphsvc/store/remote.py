"""A remote SPARQL 1.1 Query + Update endpoint as a store: ``oxigraph serve`` or Virtuoso.

Engines differ where the SPARQL 1.1 Protocol leaves room, and the store hides the differences:

* **Oxigraph** keeps the default graph apart from the named graphs, takes queries as
  ``application/sparql-query`` bodies and runs each update request as one transaction.
* **Virtuoso** (7.2, Debian's ``virtuoso-opensource``) applies each update *operation* as a
  whole but commits the operations of one request one by one (a failing second operation leaves
  the first applied), so a change set of ordinary size is sent as one ``DELETE … INSERT …
  WHERE {}`` operation. It answers a ``GRAPH ?g`` pattern with its own system graphs too,
  makes its default graph the union of all graphs, takes queries only as form fields, refuses
  blank nodes in ``INSERT DATA``, names blank nodes ``nodeID://…`` in results and answers
  ``ASK`` with a one-row table. The service keeps all its data in named
  graphs, so the union default graph is what it asks for anyway; the system graphs are left out
  of :meth:`named_graphs`, :meth:`quads` and dumps.

The engine is recognised from the ``Server`` header of the server's first answer.
"""

from __future__ import annotations

import json
import re
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
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
)

from graphsvc.errors import RemoteStoreError, StoreError
from graphsvc.store.base import BoundTerm, Changeset, GraphName, GraphStore, QueryResult
from graphsvc.store.sparql_lexer import query_form
from graphsvc.store.sparql_text import bind_values, changeset_update, quad_block
from graphsvc.vocab import PREFIXES

__all__ = ["VIRTUOSO_SYSTEM_GRAPHS", "RemoteSparqlStore"]

_RESULTS_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
_PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
_SERVER_SYNTAX = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)

VIRTUOSO_SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
    "http://www.w3.org/2002/07/owl#",
)
"""Graphs a fresh Virtuoso database holds for its own use: never the service's data."""
_SYSTEM_FILTER = "FILTER(?g NOT IN (" + ", ".join(f"<{g}>" for g in VIRTUOSO_SYSTEM_GRAPHS) + "))"
# a blank node label as Virtuoso writes it in JSON results; a quote inside a JSON string is
# escaped, so an unescaped quote before the prefix always opens a value
_VIRTUOSO_BNODE = re.compile(rb'(?<!\\)"nodeID://')
_VIRTUOSO_CHUNK = 200
# `BIND(<iri> AS ?v)` next to a FILTER in a UNION branch fails in Virtuoso 7.2's compiler ("equiv
# replaces filter but under deprecation"); `VALUES ?v { <iri> }` means the same where ?v is new,
# as BIND requires
_BIND_IRI = re.compile(r"BIND\((<[^<>\s]*>) AS \?(\w+)\)")


class RemoteSparqlStore(GraphStore):
    """Talks the SPARQL 1.1 Protocol to ``query_url`` and ``update_url``.

    Each :meth:`apply` is one update request, which a conforming server runs as one transaction.
    Bindings are sent as a ``VALUES`` block of escaped N-Triples terms at the start of the WHERE
    pattern (see :func:`~graphsvc.store.sparql_text.bind_values`).
    """

    kind = "sparql"

    def __init__(
        self,
        query_url: str,
        update_url: str,
        *,
        timeout: float = 30.0,
        engine: str | None = None,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self._client = httpx.Client(timeout=timeout)
        self._engine = engine

    @property
    def engine(self) -> str:
        """``"virtuoso"`` or ``"oxigraph"`` (any other standard server is spoken to as Oxigraph)."""
        if self._engine is None:
            try:
                response = self._client.get(self.query_url, params={"query": "ASK {}"})
            except httpx.HTTPError as exc:
                raise RemoteStoreError(self.query_url, f"request failed: {exc}") from exc
            server = response.headers.get("server", "")
            self._engine = "virtuoso" if server.lower().startswith("virtuoso") else "oxigraph"
        return self._engine

    @property
    def virtuoso(self) -> bool:
        return self.engine == "virtuoso"

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
        params = _dataset_params(default_graph, named_graphs)
        if self.virtuoso:
            return self._virtuoso_query(text, params)
        if union_default_graph:
            params.append(("union-default-graph", ""))  # Oxigraph server extension
        response = self._post_query(text, _RESULTS_ACCEPT, params)
        return self._parse(response)

    def answer(
        self,
        sparql: str,
        media_type: str,
        *,
        default_graph: Sequence[GraphName] | None = None,
        named_graphs: Sequence[NamedNode] | None = None,
        union_default_graph: bool = False,
    ) -> bytes | None:
        """The server's own serialisation of the results of ``sparql`` (a SELECT or ASK) as
        ``media_type``, unparsed: what a SPARQL endpoint in front of this store can pass on.
        ``None`` from Virtuoso, whose answers need the normalising of :meth:`query`."""
        if self.virtuoso:
            return None
        params = _dataset_params(default_graph, named_graphs)
        if union_default_graph:
            params.append(("union-default-graph", ""))
        response = self._post_query(_PROLOGUE + sparql, media_type, params)
        answered = response.headers.get("content-type", "").split(";")[0].strip()
        if answered != media_type.split(";")[0].strip():
            raise RemoteStoreError(self.query_url, f"answered {answered!r}, not {media_type!r}")
        return response.content

    def _post_query(
        self, text: str, accept: str, params: list[tuple[str, str | int | float | bool | None]]
    ) -> httpx.Response:
        """POST a query to Oxigraph; its parse error is raised as pyoxigraph raises one, a
        ``SyntaxError`` placed in the caller's text (the prologue's lines taken off)."""
        try:
            return self._post(
                self.query_url, text, "application/sparql-query", accept=accept, params=params
            )
        except RemoteStoreError as exc:
            found = _SERVER_SYNTAX.search(str(exc)) if exc.status == 400 else None
            if found is None:
                raise
            line = int(found.group(1)) - _PROLOGUE.count("\n")
            raise SyntaxError(f"error at {line}:{found.group(2)}: {found.group(3)}") from None

    def _virtuoso_query(
        self, text: str, params: list[tuple[str, str | int | float | bool | None]]
    ) -> QueryResult:
        # Virtuoso 7.2 reads a query only from form fields; its default graph is already the
        # union of all graphs
        text = _BIND_IRI.sub(r"VALUES ?\2 { \1 }", text)
        body = httpx.QueryParams([("query", text), *params])
        response = self._post(
            self.query_url,
            str(body),
            "application/x-www-form-urlencoded",
            accept=_RESULTS_ACCEPT,
        )
        content = _VIRTUOSO_BNODE.sub(b'"', response.content)
        if query_form(text) == "ASK":
            # an ASK is answered as one row with one integer column
            rows: list[dict[str, dict[str, str]]] = json.loads(content)["results"]["bindings"]
            values = [cell.get("value") for row in rows for cell in row.values()]
            answer = values[:1] in (["1"], ["true"])
            data = json.dumps({"head": {}, "boolean": answer}).encode()
            boolean = pyoxigraph.parse_query_results(data, QueryResultsFormat.JSON)
            assert isinstance(boolean, QueryBoolean)
            return boolean
        return self._parse(response, content)

    def _parse(self, response: httpx.Response, content: bytes | None = None) -> QueryResult:
        body = response.content if content is None else content
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        if media_type in ("application/n-triples", "text/plain"):
            parsed = pyoxigraph.parse(body, RdfFormat.N_TRIPLES)
            return (Triple(q.subject, q.predicate, q.object) for q in parsed)
        if media_type != "application/sparql-results+json":
            raise RemoteStoreError(self.query_url, f"unexpected response type {media_type!r}")
        return pyoxigraph.parse_query_results(body, QueryResultsFormat.JSON)

    def _update(self, update: str) -> None:
        self._post(self.update_url, update, "application/sparql-update")

    def _insert(self, quads: Sequence[Quad]) -> str:
        if not self.virtuoso:
            return "INSERT DATA " + quad_block(quads)
        # Virtuoso compiles each operation to SQL of bounded length and refuses blank nodes in
        # INSERT DATA: several operations of one request (one transaction), INSERT … WHERE {}
        # where a blank node occurs
        operations = []
        for start in range(0, len(quads), _VIRTUOSO_CHUNK):
            chunk = quads[start : start + _VIRTUOSO_CHUNK]
            if any(isinstance(t, BlankNode) for q in chunk for t in (q.subject, q.object)):
                operations.append("INSERT " + quad_block(chunk) + " WHERE {}")
            else:
                operations.append("INSERT DATA " + quad_block(chunk))
        return " ;\n".join(operations)

    def apply(self, changes: Changeset) -> None:
        if not changes:
            return
        if not self.virtuoso:
            self._update(changeset_update(changes))
            return
        if len(changes.remove) + len(changes.add) <= _VIRTUOSO_CHUNK:
            # Virtuoso applies one operation as a whole, but not a request of several: a
            # change of ordinary size (an edit and its PROV record) is one DELETE/INSERT
            changeset_update(Changeset(remove=changes.remove))  # refuses blank nodes to delete
            delete = "DELETE " + quad_block(changes.remove) + " " if changes.remove else ""
            insert = "INSERT " + quad_block(changes.add) + " " if changes.add else ""
            self._update(f"{delete}{insert}WHERE {{}}")
            return
        # larger ones (loads) go in bounded operations, which Virtuoso may leave half-applied
        # if one of them fails (docs/scaling.md)
        operations = []
        if changes.remove:
            operations.append(changeset_update(Changeset(remove=changes.remove)))
        if changes.add:
            operations.append(self._insert(changes.add))
        self._update(" ;\n".join(operations))

    def replace_graph(self, graph: NamedNode, quads: Iterable[Quad]) -> None:
        new = [Quad(q.subject, q.predicate, q.object, graph) for q in quads]
        update = f"DROP SILENT GRAPH {graph}"
        if new:
            update += " ;\n" + self._insert(new)
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
            # Virtuoso's default graph is the union of the named ones: it holds no quads of its own
            where = "{ FILTER(false) }" if self.virtuoso else "{ ?s ?p ?o }"
        elif graph is not None:
            if isinstance(graph, BlankNode):
                raise StoreError("a remote store cannot address blank-node graphs")
            bound["g"] = graph
            where = "{ GRAPH ?g { ?s ?p ?o } }"
        elif self.virtuoso:
            where = "{ GRAPH ?g { ?s ?p ?o } " + _SYSTEM_FILTER + " }"
        else:
            where = "{ { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        result = self.query(f"SELECT ?s ?p ?o ?g WHERE {where}", bindings=bound or None)
        assert isinstance(result, QuerySolutions)
        for row in result:
            g = row["g"]
            yield Quad(row["s"], row["p"], row["o"], g if g is not None else DefaultGraph())

    def named_graphs(self) -> list[NamedNode]:
        system = _SYSTEM_FILTER if self.virtuoso else ""
        result = self.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {system} }}")
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


def _dataset_params(
    default_graph: Sequence[GraphName] | None, named_graphs: Sequence[NamedNode] | None
) -> list[tuple[str, str | int | float | bool | None]]:
    """The protocol's ``default-graph-uri`` and ``named-graph-uri`` parameters."""
    params: list[tuple[str, str | int | float | bool | None]] = [
        ("default-graph-uri", graph.value)
        for graph in default_graph or ()
        if isinstance(graph, NamedNode)
    ]
    params.extend(("named-graph-uri", g.value) for g in named_graphs or ())
    return params
