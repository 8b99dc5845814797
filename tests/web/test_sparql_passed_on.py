"""Over an Oxigraph server, ``/sparql`` passes the server's own answer to a SELECT or ASK on
unparsed when it fits the row cap: byte for byte what the embedded store answers, with the
same cap, errors and headers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from support import LocalApp, OxigraphServer

from graphsvc.settings import Settings

SELECT = (
    "SELECT ?pes ?title WHERE { ?pes a pes:PublicEmploymentService ; skos:prefLabel ?title }"
    " ORDER BY ?pes ?title"
)
FORMATS = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)


@pytest.fixture
def server(oxigraph_server: OxigraphServer) -> Iterator[OxigraphServer]:
    """The session's ``oxigraph serve``, empty before and after the test."""
    oxigraph_server.clear()
    yield oxigraph_server
    oxigraph_server.clear()


def _settings(tmp: pytest.TempPathFactory, **extra: object) -> Settings:
    """The embedded reference, with one SPARQL query worker: queries go one at a time."""
    return Settings(
        data_dir=tmp.mktemp("data"),
        store="memory",
        sparql_workers=1,
        **extra,  # type: ignore[arg-type]
    )


def _remote(server: OxigraphServer, tmp: pytest.TempPathFactory, **extra: object) -> Settings:
    return Settings(
        data_dir=tmp.mktemp("data"),
        store="sparql",
        sparql_query_url=server.query_url,
        sparql_update_url=server.update_url,
        **extra,  # type: ignore[arg-type]
    )


def _ask(client: httpx.Client, query: str, accept: str) -> httpx.Response:
    return client.get("/sparql", params={"query": query}, headers={"Accept": accept})


def test_answers_are_the_bytes_the_embedded_store_gives(
    server: OxigraphServer,
    tmp_path_factory: pytest.TempPathFactory,
    local_app: Callable[[Settings], LocalApp],
) -> None:
    remote = local_app(_remote(server, tmp_path_factory))
    embedded = local_app(_settings(tmp_path_factory))
    with remote.client() as over_server, embedded.client() as in_process:
        for accept in FORMATS:
            for query in (SELECT, "ASK { ?s a pes:GoodPractice }", "ASK { ?s a pes:Nothing }"):
                passed = _ask(over_server, query, accept)
                reference = _ask(in_process, query, accept)
                assert passed.status_code == reference.status_code == 200, passed.text
                assert passed.headers["content-type"] == reference.headers["content-type"]
                assert passed.content == reference.content, (accept, query)
        rows = _ask(over_server, SELECT, FORMATS[0]).json()["results"]["bindings"]
        assert len(rows) > 10


def test_the_row_cap_still_truncates_a_long_answer(
    server: OxigraphServer,
    tmp_path_factory: pytest.TempPathFactory,
    local_app: Callable[[Settings], LocalApp],
) -> None:
    app = local_app(_remote(server, tmp_path_factory, sparql_max_rows=3))
    with app.client() as client:
        for accept in FORMATS:
            long = _ask(client, SELECT, accept)
            assert long.status_code == 200
            assert long.headers["x-sparql-truncated"] == "true", accept
            assert long.headers["x-sparql-maxrows"] == "3"
        rows = _ask(client, SELECT, FORMATS[0]).json()["results"]["bindings"]
        assert len(rows) == 3
        short = _ask(client, SELECT + " LIMIT 3", FORMATS[0])
        assert "x-sparql-truncated" not in short.headers
        assert len(short.json()["results"]["bindings"]) == 3


def test_a_query_the_server_refuses_is_a_400_that_says_why(
    server: OxigraphServer,
    tmp_path_factory: pytest.TempPathFactory,
    local_app: Callable[[Settings], LocalApp],
) -> None:
    app = local_app(_remote(server, tmp_path_factory, load_seeds=False))
    with app.client() as client:
        # parsed by the service's lexer, refused by the engine: an unbound prefix
        query = "SELECT * WHERE { ?s nope:x ?o }"
        answer = _ask(client, query, FORMATS[0])
        embedded = local_app(_settings(tmp_path_factory, load_seeds=False))
        with embedded.client() as in_process:
            reference = _ask(in_process, query, FORMATS[0])
        assert answer.status_code == reference.status_code == 400
        # the same message, placed in the client's text, naming no server
        assert answer.text == reference.text
        assert "line 1" in answer.text and server.base_url not in answer.text
