"""Attack: texts that make the query check work hard on the event loop (a 1 MiB text once
blocked every request for 2.5 s in the lexer; an unterminated string full of escaped quotes made
it quadratic).

The lexer is linear (no backtracking on strings, names or dots), stops at the token limit, and
texts over 16 KiB are inspected in a thread. Each shape is refused with a 4xx that says why,
while ``/healthz`` keeps answering. (``make bench`` prints how fast it answers meanwhile.)
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Iterator

import pytest
from support import RunningApp, run_app

from graphsvc.settings import Settings
from graphsvc.web.query_check import inspect_query
from graphsvc.web.sparql import MAX_QUERY_BYTES

from .wire import assert_healthy

SIZE = MAX_QUERY_BYTES - 64

SHAPES: dict[str, str] = {
    "parentheses": "ASK { FILTER(" + "(" * SIZE + "true) }",
    "variables": "ASK { " + "?a " * (SIZE // 3) + "}",
    "unterminated string of escaped quotes": "ASK { ?s ?p '" + "a\\'" * (SIZE // 3),
    "unterminated strings": "ASK { ?s ?p " + "'a" * (SIZE // 2),
    "words and dots": "ASK { " + "a." * (SIZE // 2) + "}",
    "prefixed names with dots": "ASK { ?s ?p " + "e:a." * (SIZE // 4) + " }",
    "blank nodes with dots": "ASK { ?s ?p " + "_:a." * (SIZE // 4) + " }",
    "escapes": "ASK { ?s ?p '" + "\\u0041" * (SIZE // 6) + "' } SERVICE",
    "open IRIs": "ASK { " + "<a" * (SIZE // 2) + "}",
}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("event-loop"),
        store="memory",
        seeds_dir=tmp_path_factory.mktemp("no-seeds"),
        web_rate_per_address=1e6,
        web_burst_per_address=1_000_000,
    )
    with run_app(settings) as app:
        yield app


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_a_huge_text_is_refused_with_a_reason(service: RunningApp, name: str) -> None:
    text = SHAPES[name]
    assert len(text.encode()) <= MAX_QUERY_BYTES
    with service.client() as client:
        response = client.post(
            "/sparql",
            content=text.encode(),
            headers={"Content-Type": "application/sparql-query"},
        )
    assert 400 <= response.status_code < 500, (name, response.status_code)
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.strip() and "Traceback" not in response.text
    assert_healthy(service)


def test_healthz_answers_throughout_a_barrage(service: RunningApp) -> None:
    stop = threading.Event()
    health: list[int] = []

    def poll() -> None:
        with service.client(timeout=10.0) as client:
            while not stop.is_set():
                health.append(client.get("/healthz").status_code)

    def attack(text: str) -> int:
        with service.client() as client:
            return client.post(
                "/sparql",
                content=text.encode(),
                headers={"Content-Type": "application/sparql-query"},
            ).status_code

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(attack, list(SHAPES.values()) * 2))
    finally:
        stop.set()
        poller.join()
    assert all(400 <= status < 500 for status in statuses), statuses
    assert health and set(health) == {200}


def test_an_unterminated_string_is_reported_where_it_starts() -> None:
    inspection = inspect_query(SHAPES["unterminated string of escaped quotes"])
    assert inspection.lex_error == (1, 13, "unterminated string literal")
