"""The read-model queries over real HTTP through uvicorn and the GraphQL view."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support import run_app

from graphsvc.settings import Settings

from .seeded import ID

TYPICAL = """query Typical($id: ID!, $filter: PracticeFilter) {
  practice(id: $id) {
    id title(lang: "de")
    themes { nodes { id label } }
    pes { id label acronym country { label region { label } } }
  }
  practices(filter: $filter, first: 20) {
    totalCount
    edges { cursor node { id title year pes { label } country { notation } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    settings = Settings(
        data_dir=Path(tmp_path_factory.mktemp("http")),
        store="memory",
        sparql_workers=1,  # GraphQL reads the store itself: one SPARQL worker to start
    )
    with run_app(settings) as app, app.client() as client:
        yield client


def post(client: httpx.Client, query: str, variables: dict[str, object]) -> dict[str, object]:
    response = client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Accept": "application/graphql-response+json"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_typical_front_end_query(client: httpx.Client) -> None:
    body = post(
        client,
        TYPICAL,
        {"id": f"{ID}practice/jugendberufsagentur-hamburg", "filter": {"countries": ["DEU"]}},
    )
    assert "errors" not in body, body
    data = body["data"]
    assert isinstance(data, dict)
    practice = data["practice"]
    assert practice["title"] == "Jugendberufsagentur Hamburg"
    assert practice["pes"]["acronym"] == "BA"
    assert practice["pes"]["country"] == {"label": "Germany", "region": {"label": "Europe"}}
    assert {t["label"] for t in practice["themes"]["nodes"]} >= {"Career guidance", "Partnerships"}
    listed = data["practices"]
    assert listed["totalCount"] == len(listed["edges"]) == 4  # four BA practices in DEU
    assert {e["node"]["country"]["notation"] for e in listed["edges"]} == {"DEU"}


def test_input_errors_are_graphql_errors_not_500(client: httpx.Client) -> None:
    body = post(client, "query($n: Int) { practices(first: $n) { totalCount } }", {"n": 101})
    errors = body["errors"]
    assert isinstance(errors, list)
    assert "maximum page size" in errors[0]["message"]
    body = post(client, "query($id: ID!) { node(id: $id) { id } }", {"id": "???"})
    errors = body["errors"]
    assert isinstance(errors, list) and "is not a global ID" in errors[0]["message"]
