"""Attack: make ``/sparql`` call another server (SSRF through ``SERVICE``), whatever the spelling.

``SERVICEex:x`` (the keyword glued to a prefixed name) used to pass the text check, because its
lexer read one token where Oxigraph's parser reads two, and Oxigraph then POSTed to the IRI.
Hypothesis now generates spellings (letter case, escapes, glue, comments, SILENT, targets as IRIs,
prefixed names or variables, after every kind of term), and a listener on loopback counts every
connection:

* oracle: each spelling is run by pyoxigraph itself on a store where the pattern before the
  ``SERVICE`` matches; whenever pyoxigraph connects to the listener, the text check must refuse
  the text (so the check decides on what the engine parses, not on a tokenisation of its own);
* the service: every spelling sent to ``/sparql`` causes no connection at all;
* defence in depth: a query that reaches a worker despite the check cannot connect either,
  because workers have no network.

600 and 300 spellings under ``GRAPHSVC_TEST_PROFILE=thorough``, a fifth by default (see
:mod:`support.profiles`).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import RunningApp, run_app
from support.profiles import examples

from graphsvc.engine.evaluate import QueryDataset
from graphsvc.engine.pool import EngineFailure, WorkerPool
from graphsvc.engine.snapshots import SnapshotKeeper
from graphsvc.settings import Settings
from graphsvc.web.query_check import inspect_query

from .wire import assert_healthy

JSON = {"Accept": "application/sparql-results+json"}


class Listener:
    """A TCP server on loopback that counts the connections it accepts and closes each."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port: int = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("ssrf"),
        store="memory",
        seeds_dir=tmp_path_factory.mktemp("no-seeds"),
        sparql_workers=1,  # the spellings go one at a time
        rate_per_address=1e6,
        burst_per_address=1_000_000,
        web_rate_per_address=1e6,
        web_burst_per_address=1_000_000,
    )
    with run_app(settings) as app:
        yield app


# --- the spellings ------------------------------------------------------------------------------

_LEADS = [
    "",
    "?s ?p ?o .",
    "?s ?p ?o",
    "?s ?p true",
    "?s ?p 1",
    "?s ?p 'x'",
    '?s ?p "x"',
    "?s ?p <http://x/o>",
    "?s ?p <http://x/o> ;",
    "FILTER(true)",
    "BIND(1 AS ?b)",
    "{}",
    "OPTIONAL {}",
    "VALUES ?v { 1 }",
]
_GLUE = st.sampled_from(["", " ", "\n", "\t", "#c\n", " \r\n "])


@st.composite
def _keyword(draw: st.DrawFn, word: str) -> str:
    letters = []
    for letter in word:
        letter = draw(st.sampled_from([letter.upper(), letter.lower()]))
        if draw(st.integers(0, 5)) == 0:  # a codepoint escape, which the parser decodes first
            letter = draw(st.sampled_from([f"\\u{ord(letter):04X}", f"\\U{ord(letter):08x}"]))
        letters.append(letter)
    return "".join(letters)


@st.composite
def spellings(draw: st.DrawFn, port: int) -> str:
    prefix = draw(st.sampled_from(["ex", "e", "s", "x1", "service", ""]))
    target = draw(
        st.sampled_from(
            [f"<http://127.0.0.1:{port}/sparql>", f"{prefix}:sparql", f"{prefix}:", "?u"]
        )
    )
    silent = draw(st.sampled_from(["", _keyword_text(draw, "SILENT")]))
    parts = [
        f"PREFIX {prefix}: <http://127.0.0.1:{port}/>\n",
        "SELECT * WHERE {",
        f"BIND(<http://127.0.0.1:{port}/v> AS ?u) " if target == "?u" else "",
        draw(st.sampled_from(_LEADS)),
        draw(_GLUE),
        draw(_keyword("SERVICE")),
        draw(_GLUE),
        silent,
        draw(_GLUE) if silent else "",
        target,
        draw(_GLUE),
        "{ ?a ?b ?c } }",
    ]
    return "".join(parts)


def _keyword_text(draw: st.DrawFn, word: str) -> str:
    return draw(_keyword(word))


# --- the tests ----------------------------------------------------------------------------------


def _oracle_store() -> ox.Store:
    """A store on which every lead pattern has a solution, so the engine reaches SERVICE."""
    store = ox.Store()
    s, p = ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p")
    for term in (
        ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")),
        ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ox.Literal("x"),
        ox.NamedNode("http://x/o"),
    ):
        store.add(ox.Quad(s, p, term))
    return store


_LISTENER = Listener()
_STORE = _oracle_store()


def _engine_connects(text: str) -> bool:
    before = _LISTENER.connections
    try:
        result = _STORE.query(text)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    return _LISTENER.connections > before


@settings(
    max_examples=examples(600),
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.data())
def test_the_check_refuses_every_spelling_the_engine_would_call(data: st.DataObject) -> None:
    text = data.draw(spellings(_LISTENER.port))
    if _engine_connects(text):
        assert inspect_query(text).forbidden == ("SERVICE",), text


def test_the_oracle_sees_the_known_bypass() -> None:
    # the spelling that once passed: the engine does call it, and the check refuses it
    text = (
        f"PREFIX ex: <http://127.0.0.1:{_LISTENER.port}/>\nSELECT * WHERE {{ SERVICEex:x {{ }} }}"
    )
    assert _engine_connects(text)
    assert inspect_query(text).forbidden == ("SERVICE",)


def test_no_spelling_sent_to_the_service_connects(service: RunningApp, listener: Listener) -> None:
    texts: list[str] = []

    @settings(max_examples=examples(300), derandomize=True, database=None, deadline=None)
    @given(spellings(listener.port))
    def collect(text: str) -> None:
        texts.append(text)

    collect()
    with service.client() as client:
        for text in texts:
            response = client.post(
                "/sparql",
                content=text.encode(),
                headers={"Content-Type": "application/sparql-query", **JSON},
            )
            assert response.status_code in (400, 403), (text, response.status_code)
            if response.status_code == 403:
                assert "SERVICE" in response.text
    assert listener.connections == 0
    assert_healthy(service)


def test_workers_have_no_network(tmp_path: object, listener: Listener) -> None:
    # a SERVICE call handed straight to a worker, past every check, still reaches nobody
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"), ox.Literal("o")))

    async def scenario() -> None:
        from pathlib import Path

        keeper = SnapshotKeeper(store, False, lambda: 0, Path(str(tmp_path)) / "snapshots")
        pool = WorkerPool(keeper, 1, {})
        try:
            await pool.start()
            assert pool.isolated
            query = (
                f"SELECT * WHERE {{ ?s ?p ?o SERVICE <http://127.0.0.1:{listener.port}/> "
                "{ ?a ?b ?c } }"
            )
            media = ("application/sparql-results+json", "text/turtle")
            with pytest.raises(EngineFailure, match=r"(?i)network|unreachable|connect"):
                await pool.answer(query, QueryDataset(), media, 10, 5.0)
        finally:
            await pool.close()

    before = listener.connections
    asyncio.run(scenario())
    assert listener.connections == before


def test_known_spellings_over_http(service: RunningApp, listener: Listener) -> None:
    port = listener.port
    for text in [
        f"PREFIX ex: <http://127.0.0.1:{port}/>\nSELECT * WHERE {{ SERVICEex:x {{ }} }}",
        f"PREFIX ex: <http://127.0.0.1:{port}/>\nSELECT * WHERE {{ ?s ?p 1SERVICE ex:x {{}} }}",
        f"SELECT * WHERE {{ ?s ?p true sErViCe<http://127.0.0.1:{port}/>{{}} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/> {{}} }}",
        f"SELECT * WHERE {{ SERVICE#comment\n<http://127.0.0.1:{port}/> {{}} }}",
    ]:
        with service.client() as client:
            response = client.get("/sparql", params={"query": text}, headers=JSON)
        assert response.status_code == 403, (text, response.text)
        assert "SERVICE" in response.text
    assert listener.connections == 0
    assert_healthy(service)
