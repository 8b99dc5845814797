"""The SPARQL result cache over real HTTP: answers reused exactly, and never after a write.

Every test reads the cache's own counters from the running application, so it shows whether a
response came from the cache, not only that it looked the same.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pyoxigraph import NamedNode, Quad
from support import OxigraphServer, RunningApp, run_app

from graphsvc.services import Services
from graphsvc.settings import Settings
from graphsvc.store.base import Changeset
from graphsvc.web.cache import ResultCache

JSON = {"Accept": "application/sparql-results+json"}
MARKER = NamedNode("https://w3id.org/graphsvc/id/test/cache-marker")
THEME = NamedNode("https://w3id.org/graphsvc/ontology#Theme")
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
GRAPH = NamedNode("https://w3id.org/graphsvc/graph/test-cache")
ASK_MARKER = f"ASK {{ {MARKER} a {THEME} }}"
VOLATILE_HEADERS = {"date", "server", "x-request-id"}  # the id is each request's own


def services_of(app: RunningApp) -> Services:
    services: Services = app.server.config.app.state.services  # type: ignore[union-attr]
    return services


def cache_of(app: RunningApp) -> ResultCache:
    """The running service's result cache (created by its first /sparql request)."""
    cache: ResultCache = app.server.config.app.state.graphsvc_web.results  # type: ignore[union-attr]
    return cache


def stable_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in VOLATILE_HEADERS}


@pytest.fixture
def writable_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """A service of the test's own, on the embedded store, that the test writes to (empty: the
    test asks only of what it writes)."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("cache-data"),
        store="oxigraph",
        sparql_workers=1,
        load_seeds=False,
    )
    with run_app(settings) as app:
        yield app


def test_a_repeated_get_is_answered_from_the_cache_byte_for_byte(web_app: RunningApp) -> None:
    query = "SELECT DISTINCT ?network WHERE { ?network a pes:Network } ORDER BY ?network # GET"
    with web_app.client() as client:
        first = client.get("/sparql", params={"query": query}, headers=JSON)
        cache = cache_of(web_app)
        hits = cache.hits
        second = client.get("/sparql", params={"query": query}, headers=JSON)
        head = client.head("/sparql", params={"query": query}, headers=JSON)
    assert first.status_code == second.status_code == head.status_code == 200
    assert cache.hits == hits + 2
    assert second.content == first.content
    assert stable_headers(second) == stable_headers(first)
    assert second.headers["Access-Control-Allow-Origin"] == "*"
    assert second.headers["Vary"] == "Accept"
    assert head.content == b"" and head.headers["content-length"] == str(len(first.content))
    assert len(first.json()["results"]["bindings"]) == 2


def test_each_format_has_its_own_answer(web_app: RunningApp) -> None:
    query = "SELECT ?network WHERE { ?network a pes:Network } # formats"
    with web_app.client() as client:
        answers = [
            client.get("/sparql", params={"query": query}, headers={"Accept": accept})
            for accept in ("application/sparql-results+json", "text/csv") * 2
        ]
    assert [a.headers["content-type"].split(";")[0] for a in answers] == [
        "application/sparql-results+json",
        "text/csv",
    ] * 2
    assert answers[0].content == answers[2].content and answers[1].content == answers[3].content
    assert answers[1].text.splitlines()[0] == "network"


def test_a_post_reuses_the_answer_of_the_same_query(web_app: RunningApp) -> None:
    query = "SELECT ?pes WHERE { ?pes a pes:PublicEmploymentService } LIMIT 3 # posted"
    with web_app.client() as client:
        got = client.get("/sparql", params={"query": query}, headers=JSON)
        cache = cache_of(web_app)
        hits = cache.hits
        posted = client.post(
            "/sparql",
            content=query.encode(),
            headers={"Content-Type": "application/sparql-query", **JSON},
        )
        form = client.post("/sparql", data={"query": query}, headers=JSON)
    assert cache.hits == hits + 2
    assert posted.content == form.content == got.content


def test_a_write_is_seen_by_the_very_next_query(writable_app: RunningApp) -> None:
    store = services_of(writable_app).store
    marker = Quad(MARKER, RDF_TYPE, THEME, GRAPH)
    with writable_app.client() as client:

        def marked() -> bool:
            response = client.get("/sparql", params={"query": ASK_MARKER}, headers=JSON)
            assert response.status_code == 200, response.text
            answer: bool = response.json()["boolean"]
            return answer

        assert marked() is False and marked() is False  # the second from the cache
        hits = cache_of(writable_app).hits
        store.apply(Changeset(add=[marker]))
        assert marked() is True
        assert marked() is True
        store.apply(Changeset(remove=[marker]))
        assert marked() is False
    assert cache_of(writable_app).hits == hits + 1


def test_queries_with_volatile_functions_run_every_time(web_app: RunningApp) -> None:
    query = "SELECT (STRUUID() AS ?id) (NOW() AS ?at) WHERE {}"
    with web_app.client() as client:
        first = client.get("/sparql", params={"query": query}, headers=JSON)
        cache = cache_of(web_app)
        hits = cache.hits
        second = client.get("/sparql", params={"query": query}, headers=JSON)
    assert cache.hits == hits
    ids = [r.json()["results"]["bindings"][0]["id"]["value"] for r in (first, second)]
    assert ids[0] != ids[1]


def test_refusals_and_errors_are_not_kept(web_app: RunningApp) -> None:
    with web_app.client() as client:
        sizes = []
        for _ in range(2):
            refused = client.get("/sparql", params={"query": "SELECT * { SERVICE <http://x/> {} }"})
            malformed = client.get("/sparql", params={"query": "SELECT WHERE"})
            assert (refused.status_code, malformed.status_code) == (403, 400)
            sizes.append(len(cache_of(web_app)))
    assert sizes[0] == sizes[1]


def test_truncated_answers_keep_saying_so(limited_app: RunningApp) -> None:
    with limited_app.client() as client:
        answers = [
            client.get(
                "/sparql", params={"query": "SELECT * WHERE { ?s a ?c } # cap"}, headers=JSON
            )
            for _ in range(2)
        ]
    for answer in answers:
        assert answer.headers["X-SPARQL-Truncated"] == "true"
        assert answer.json()["truncated"] is True
        assert len(answer.json()["results"]["bindings"]) == 3
    assert answers[0].content == answers[1].content


def test_the_cache_can_be_turned_off(tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("no-cache"),
        store="memory",
        sparql_cache_bytes=0,
        sparql_workers=1,  # one query at a time: one worker to start
        load_seeds=False,  # ASK {} needs no data
    )
    with run_app(settings) as app, app.client() as client:
        for _ in range(3):
            assert (
                client.get("/sparql", params={"query": "ASK {}"}, headers=JSON).status_code == 200
            )
        cache = cache_of(app)
        assert not cache.enabled and cache.hits == 0 and len(cache) == 0


def test_a_remote_store_is_never_cached(
    oxigraph_server: OxigraphServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Other writers may change a remote store behind the service's back."""
    assert oxigraph_server.store().generation is None
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("remote-cache"),
        store="sparql",
        sparql_query_url=oxigraph_server.query_url,
        sparql_update_url=oxigraph_server.update_url,
        load_seeds=False,
    )
    with run_app(settings) as app, app.client() as client:
        for _ in range(3):
            assert (
                client.get("/sparql", params={"query": "ASK {}"}, headers=JSON).status_code == 200
            )
        assert cache_of(app).hits == 0 and len(cache_of(app)) == 0
