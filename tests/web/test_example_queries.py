"""Every example query in ``docs/queries/`` answers what its ``.csv`` says, over HTTP.

The expected answers were written from the seed documents (each query's header names the file);
``id:`` in a ``.csv`` stands for ``https://w3id.org/graphsvc/id/``. Order matters when the query
has ``ORDER BY``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest

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


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_example_query(client: httpx.Client, query: Path) -> None:
    text = query.read_text()
    response = client.post("/sparql", data={"query": text}, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    assert "X-SPARQL-Truncated" not in response.headers
    header, rows = read_csv(response.text)
    expected_header, expected_rows = read_csv(query.with_suffix(".csv").read_text())
    assert header == expected_header
    if "ORDER BY" in text:
        assert rows == expected_rows
    else:
        assert sorted(rows) == sorted(expected_rows)
