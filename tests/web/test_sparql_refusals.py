"""Every refusal and limit of ``/sparql``, with raw HTTP requests: status, reason, position."""

from __future__ import annotations

import re

import httpx
import pytest
from support import RunningApp

from graphsvc.store import OxigraphStore
from graphsvc.web.query_check import inspect_query

MARKER = "<https://w3id.org/graphsvc/id/test/injected>"
ASK_MARKER = f"ASK {{ {MARKER} ?p ?o }}"
JSON = {"Accept": "application/sparql-results+json"}


def ask(client: httpx.Client, query: str) -> bool:
    response = client.get("/sparql", params={"query": query}, headers=JSON)
    assert response.status_code == 200, response.text
    answer: bool = response.json()["boolean"]
    return answer


def post_query(client: httpx.Client, query: str, **params: str) -> httpx.Response:
    return client.post(
        "/sparql",
        content=query.encode(),
        params=params,
        headers={"Content-Type": "application/sparql-query", **JSON},
    )


# --- read-only ---------------------------------------------------------------------------------

INSERT = f"INSERT DATA {{ {MARKER} a <https://w3id.org/graphsvc/ontology#Theme> }}"


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.get("/sparql", params={"update": INSERT}),
        lambda c: c.post("/sparql", data={"update": INSERT}),
        lambda c: c.post(
            "/sparql",
            content=INSERT.encode(),
            headers={"Content-Type": "application/sparql-update"},
        ),
        lambda c: c.get("/sparql", params={"query": INSERT}),
        lambda c: c.post("/sparql", data={"query": INSERT}),
        lambda c: post_query(c, INSERT),
        lambda c: post_query(c, "delete where { ?s ?p ?o }"),
        lambda c: post_query(c, "PREFIX ex: <http://example.org/>\nCLEAR ALL"),
        lambda c: post_query(c, "DROP GRAPH <https://w3id.org/graphsvc/graph/source/004>"),
    ],
    ids=[
        "get-update",
        "form-update",
        "sparql-update",
        "get-query",
        "form-query",
        "post-query",
        "delete-where",
        "clear",
        "drop",
    ],
)
def test_updates_are_refused(client: httpx.Client, send: object) -> None:
    response = send(client)  # type: ignore[operator]
    assert response.status_code == 403
    assert "read-only" in response.text
    assert not ask(client, ASK_MARKER)
    assert ask(client, "ASK { GRAPH <https://w3id.org/graphsvc/graph/source/004> { ?s ?p ?o } }")


@pytest.mark.parametrize(
    "query",
    [
        "LOAD <http://example.org/data.ttl>",
        "LOAD <file:///etc/passwd> INTO GRAPH <http://example.org/g>",
    ],
)
def test_load_is_refused(client: httpx.Client, query: str) -> None:
    response = post_query(client, query)
    assert response.status_code == 403
    assert "LOAD at line 1, column 1" in response.text


# --- federation and foreign graphs ------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "line", "column"),
    [
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 1, 18),
        ("select *\nwhere {\n  service silent <http://example.org/sparql> { ?s ?p ?o } }", 3, 3),
        ("SELECT * WHERE { ?s ?p ?o . \\u0053ERVICE <http://example.org/q> { ?s ?p ?x } }", 1, 29),
    ],
    ids=["upper", "lower-silent", "escaped"],
)
def test_service_is_refused(client: httpx.Client, query: str, line: int, column: int) -> None:
    response = post_query(client, query)
    assert response.status_code == 403
    assert f"SERVICE (federated query) at line {line}, column {column}" in response.text


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?service WHERE { ?service a pes:Network }",
        "SELECT * WHERE { ?s skos:prefLabel 'SERVICE' } LIMIT 1",
        "# SERVICE <http://example.org/> in a comment\nASK { ?s ?p ?o }",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    ],
)
def test_the_word_service_elsewhere_is_fine(client: httpx.Client, query: str) -> None:
    response = post_query(client, query)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("query", "params", "what"),
    [
        ("SELECT * FROM <http://example.org/remote.ttl> WHERE { ?s ?p ?o }", {}, "not in this"),
        ("SELECT * FROM NAMED <file:///etc/passwd> WHERE { ?s ?p ?o }", {}, "never reads files"),
        ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": "http://example.org/g"}, "not in"),
        ("SELECT * WHERE { ?s ?p ?o }", {"named-graph-uri": "file:///etc/hosts"}, "never reads"),
        (
            "PREFIX remote: <https://example.org/>\nSELECT * FROM remote:data WHERE { ?s ?p ?o }",
            {},
            "<https://example.org/data> is not in this dataset",
        ),
    ],
    ids=["from-remote", "from-named-file", "default-graph-uri", "named-graph-uri", "prefixed"],
)
def test_foreign_graphs_are_refused(
    client: httpx.Client, query: str, params: dict[str, str], what: str
) -> None:
    response = post_query(client, query, **params)
    assert response.status_code == 403
    assert what in response.text


def test_graph_parameter_must_be_an_iri(client: httpx.Client) -> None:
    response = post_query(client, "ASK { ?s ?p ?o }", **{"default-graph-uri": "not an iri"})
    assert response.status_code == 400
    assert "'not an iri' is not an absolute IRI" in response.text


# --- malformed requests -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p }",
        "SELECT *\nWHERE {\n  ?s ?p ?o .\n  FILTER(?o = )\n}",
        "SELECT ?x\nWHERE { ?s ?p ?o }\nGROUP BY ?y\nHAVING ?x",
        "ASK { ?s ?p ?o } LIMIT",
    ],
)
def test_malformed_query_gives_the_parsers_line_and_column(
    client: httpx.Client, seeded_store: OxigraphStore, query: str
) -> None:
    response = post_query(client, query)
    assert response.status_code == 400
    found = re.match(r"malformed query at line (\d+), column (\d+): (.+)", response.text, re.S)
    assert found, response.text
    with pytest.raises(SyntaxError) as parsed:
        seeded_store.query(query)
    assert f"error at {found.group(1)}:{found.group(2)}: " in str(parsed.value)
    assert found.group(3).strip() in str(parsed.value)
    assert 1 <= int(found.group(1)) <= query.count("\n") + 1


def test_unterminated_string_points_at_its_quote(client: httpx.Client) -> None:
    response = post_query(client, "SELECT * WHERE {\n  ?s ?p 'abc }")
    assert response.status_code == 400
    assert "line 2, column 9: unterminated string literal" in response.text


@pytest.mark.parametrize(
    ("send", "status", "reason"),
    [
        (lambda c: c.get("/sparql", params={"query": "  "}), 400, "the query is empty"),
        (lambda c: c.get("/sparql", params={"query": "HELLO"}), 400, "malformed query"),
        (
            lambda c: c.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")]),
            400,
            "given once",
        ),
        (lambda c: c.post("/sparql", data={"format": "json"}), 400, "exactly one query"),
        (
            lambda c: c.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"}),
            415,
            "unsupported Content-Type 'text/plain'",
        ),
        (
            lambda c: c.post(
                "/sparql",
                content=b"ASK { ?s ?p '\xff' }",
                headers={"Content-Type": "application/sparql-query"},
            ),
            400,
            "not UTF-8",
        ),
        (
            lambda c: c.post(
                "/sparql",
                content=b"#" * (1 << 20) + b"\nASK {}",
                headers={"Content-Type": "application/sparql-query"},
            ),
            413,
            "larger than",
        ),
        (
            lambda c: c.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"}),
            406,
            "application/sparql-results+json (format=json)",
        ),
        (lambda c: c.get("/sparql", params={"query": "ASK {}", "format": "png"}), 406, "png"),
        (
            lambda c: c.get(
                "/sparql",
                params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                headers={"Accept": "text/csv"},
            ),
            406,
            "text/turtle (format=ttl)",
        ),
    ],
    ids=[
        "empty",
        "garbage",
        "two-queries",
        "form-without-query",
        "content-type",
        "utf-8",
        "too-large",
        "accept",
        "format",
        "csv-for-a-graph",
    ],
)
def test_bad_requests(client: httpx.Client, send: object, status: int, reason: str) -> None:
    response = send(client)  # type: ignore[operator]
    assert response.status_code == status
    assert reason in response.text
    assert response.headers["content-type"].startswith("text/plain")
    assert "Traceback" not in response.text


# --- limits ---------------------------------------------------------------------------------


def test_row_cap_is_stated(limited_app: RunningApp) -> None:
    with limited_app.client() as client:
        many = client.get("/sparql", params={"query": "SELECT * WHERE { ?s a ?c }"}, headers=JSON)
        few = client.get(
            "/sparql", params={"query": "SELECT * WHERE { ?s a pes:Network } LIMIT 2"}, headers=JSON
        )
        graph = client.get(
            "/sparql",
            params={"query": "CONSTRUCT WHERE { ?s a ?c }"},
            headers={"Accept": "application/n-triples"},
        )
        tsv = client.get(
            "/sparql",
            params={"query": "SELECT * WHERE { ?s a ?c }"},
            headers={"Accept": "text/tab-separated-values"},
        )
    assert many.status_code == 200
    assert many.headers["X-SPARQL-MaxRows"] == "3"
    assert many.headers["X-SPARQL-Truncated"] == "true"
    body = many.json()
    assert len(body["results"]["bindings"]) == 3
    assert body["truncated"] is True and "first 3 rows" in body["note"]
    assert "X-SPARQL-MaxRows" not in few.headers and len(few.json()["results"]["bindings"]) == 2
    assert graph.headers["X-SPARQL-Truncated"] == "true"
    assert len(graph.text.strip().splitlines()) == 3
    assert len(tsv.text.strip().splitlines()) == 1 + 3
    assert "X-SPARQL-MaxRows" in many.headers["Access-Control-Expose-Headers"]


def test_timeout_is_an_explicit_error(slow_app: RunningApp) -> None:
    cross_product = "SELECT ?x WHERE { ?a ?b ?c . ?d ?e ?f BIND(1 AS ?x) }"
    with slow_app.client() as client:
        response = client.get("/sparql", params={"query": cross_product}, headers=JSON)
        after = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=JSON)
    assert response.status_code == 503
    assert "query timed out" in response.text and "0.2 s" in response.text
    assert "no partial result" in response.text
    assert after.status_code == 200 and after.json()["boolean"] is True


# --- CORS and bound values -----------------------------------------------------------------


def test_any_origin_may_read(client: httpx.Client) -> None:
    origin = {"Origin": "https://yasgui.example.org"}
    response = client.get("/sparql", params={"query": "ASK {}"}, headers=origin)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/sparql",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type"
    graphql = client.options(
        "/graphql", headers={**origin, "Access-Control-Request-Method": "POST"}
    )
    assert graphql.headers.get("Access-Control-Allow-Origin") != "*"


@pytest.mark.parametrize(
    "path",
    [
        "/id/x%3E%20%3Fp%20%3Fo%20%7D%20UNION%20%7B%20%3Fs%20%3Fp%20%3Fo",
        "/id/practice/ohjaamo%22%20.%20%3Fs%20%3Fp%20%3Fo%20%23",
    ],
)
def test_dereferencing_binds_the_iri(client: httpx.Client, path: str) -> None:
    response = client.get(path, headers={"Accept": "application/n-triples"})
    assert response.status_code == 404
    assert "says nothing about" in response.text


def test_guard_is_cached_and_pure() -> None:
    first = inspect_query("SELECT * WHERE { ?s ?p ?o }")
    assert first is inspect_query("SELECT * WHERE { ?s ?p ?o }")
    assert first.form == "SELECT" and not first.forbidden and first.update is None
    construct = inspect_query("PREFIX e: <http://e/>\nCONSTRUCT { ?s ?p ?o } FROM e:g WHERE {}")
    assert construct.form == "CONSTRUCT" and construct.from_graphs == ("http://e/g",)


# --- methods and failures (``/sparql`` answers for itself, outside the middleware chain) -------


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_refused_with_allow(client: httpx.Client, method: str) -> None:
    response = client.request(method, "/sparql", params={"query": "ASK {}"})
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert f"method {method} is not allowed on /sparql" in response.text
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_options_without_cors_lists_the_methods(client: httpx.Client) -> None:
    response = client.options("/sparql")
    assert response.status_code == 204
    assert response.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
