"""Every example query in ``docs/queries/`` answers what its ``.csv`` says, over HTTP, and the
same through SPARQLWrapper with the query text unchanged.

The expected answers were written from the seed documents (each query's header names the file);
``id:`` in a ``.csv`` stands for ``https://w3id.org/graphsvc/id/``. Order matters when the query
has ``ORDER BY``.

SPARQLWrapper decides on the client whether a text is a query or an update: it drops comment
lines (every second one of a run of consecutive comment lines survives its pattern) and takes the
first of its keywords found anywhere, even inside a word, so a comment saying "remove" reads as
MOVE and the text is sent as an update, which the endpoint refuses (403).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest
from SPARQLWrapper import CSV, GET, POST, SPARQLWrapper

from graphsvc.settings import PROJECT_ROOT
from graphsvc.vocab import ID

QUERIES = sorted((PROJECT_ROOT / "docs" / "queries").glob("*.rq"))


def expand(value: str) -> str:
    return str(ID) + value[3:] if value.startswith("id:") else value


def read_csv(text: str) -> tuple[list[str], list[tuple[str, ...]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], [tuple(expand(v) for v in row) for row in rows[1:] if row]


def test_there_are_at_least_twelve() -> None:
    assert len(QUERIES) >= 12
    for query in QUERIES:
        assert query.with_suffix(".csv").is_file(), f"{query.name} has no expected answer"
        assert query.read_text().startswith("# "), f"{query.name} does not say what it asks"


def assert_answers(query: Path, body: str) -> None:
    header, rows = read_csv(body)
    expected_header, expected_rows = read_csv(query.with_suffix(".csv").read_text())
    assert header == expected_header
    if "ORDER BY" in query.read_text():
        assert rows == expected_rows
    else:
        assert sorted(rows) == sorted(expected_rows)


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_example_query(client: httpx.Client, query: Path) -> None:
    text = query.read_text()
    response = client.post("/sparql", data={"query": text}, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    assert "X-SPARQL-Truncated" not in response.headers
    assert_answers(query, response.text)


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_example_query_through_sparqlwrapper(sparql_url: str, query: Path, method: str) -> None:
    client = SPARQLWrapper(sparql_url)
    client.setQuery(query.read_text())
    assert client.isSparqlQueryRequest(), (
        f"SPARQLWrapper reads {query.name} as {client.queryType}: reword its comments"
    )
    client.setReturnFormat(CSV)
    client.setMethod(method)
    body = client.query().convert()
    assert isinstance(body, bytes)
    assert_answers(query, body.decode())
