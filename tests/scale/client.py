"""What the scale-out tests do through a worker: edit practices, read every interface, subscribe."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from graphsvc.vocab import ID

from .servers import Cluster

BA = f"{ID}pes/deu-ba"
YOUTH = f"{ID}theme/youth-guarantee"
FRESH_WITHIN = 1.0
"""Seconds in which a write through one worker must be visible through every other."""

CREATE = """mutation C($input: CreatePracticeInput!) { createPractice(input: $input) {
  __typename ... on PracticeCreated { id } ... on InvalidInput { errors { path message } } } }"""
UPDATE = """mutation U($id: ID!, $input: UpdatePracticeInput!) { updatePractice(id: $id, input: $input) {
  __typename ... on MutationError { message } } }"""
DELETE = """mutation D($id: ID!) { deletePractice(id: $id) { __typename } }"""


def practice_input(title: str) -> dict[str, Any]:
    return {
        "title": [{"lang": "en", "text": title}],
        "abstract": [{"lang": "en", "text": f"What {title} does."}],
        "themes": ["youth-guarantee"],
        "country": "DEU",
        "pes": BA,
        "date": "2024",
        "sources": ["https://example.org/practice"],
    }


def graphql(cluster: Cluster, worker: int, query: str, variables: dict[str, Any]) -> Any:
    with cluster.client(worker) as client:
        response = client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {cluster.token}"},
        )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def create(cluster: Cluster, worker: int, title: str | None = None) -> str:
    title = title or f"Scale practice {uuid.uuid4().hex[:8]}"
    data = graphql(cluster, worker, CREATE, {"input": practice_input(title)})
    result = data["createPractice"]
    assert result["__typename"] == "PracticeCreated", result
    iri: str = result["id"]
    return iri


def update_title(cluster: Cluster, worker: int, iri: str, title: str) -> None:
    data = graphql(
        cluster, worker, UPDATE, {"id": iri, "input": {"title": [{"lang": "en", "text": title}]}}
    )
    assert data["updatePractice"]["__typename"] == "PracticeUpdated", data


def delete(cluster: Cluster, worker: int, iri: str) -> None:
    data = graphql(cluster, worker, DELETE, {"id": iri})
    assert data["deletePractice"]["__typename"] == "PracticeDeleted", data


def eventually(check: Callable[[], bool], what: str, within: float = FRESH_WITHIN) -> float:
    """Seconds until ``check()`` holds; fails the test if it does not within ``within``."""
    started = time.monotonic()
    while True:
        if check():
            return time.monotonic() - started
        if time.monotonic() - started > within:
            pytest.fail(f"not visible within {within} s: {what}")
        time.sleep(0.02)


# -- reading one worker through each interface ----------------------------------------------------


def graphql_title(client: httpx.Client, iri: str) -> str | None:
    response = client.post(
        "/graphql",
        json={"query": "query($id: ID!) { practice(id: $id) { title } }", "variables": {"id": iri}},
    )
    practice = response.json()["data"]["practice"]
    return None if practice is None else str(practice["title"])


def related_iris(client: httpx.Client, iri: str) -> set[str]:
    query = "query($id: ID!) { practice(id: $id) { related(first: 20) { nodes { practice { iri } } } } }"
    response = client.post("/graphql", json={"query": query, "variables": {"id": iri}})
    practice = response.json()["data"]["practice"]
    if practice is None:
        return set()
    return {item["practice"]["iri"] for item in practice["related"]["nodes"]}


def sparql_title(client: httpx.Client, iri: str) -> str | None:
    query = f"SELECT ?t WHERE {{ GRAPH ?g {{ <{iri}> <http://purl.org/dc/terms/title> ?t }} }}"
    response = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    return rows[0]["t"]["value"] if rows else None


def id_turtle(client: httpx.Client, iri: str) -> str | None:
    response = client.get(f"/id/{iri.removeprefix(str(ID))}", headers={"Accept": "text/turtle"})
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    return response.text


def export_text(client: httpx.Client) -> str:
    response = client.get("/export/nq")
    assert response.status_code == 200, response.text
    return response.text


def atom(client: httpx.Client, **filters: str) -> str:
    response = client.get("/feeds/practices.atom", params=filters)
    assert response.status_code == 200, response.text
    return response.text


# -- graphql-transport-ws ----------------------------------------------------------------------

SUBSCRIBE = """subscription S($themes: [ID!], $since: Int) {
  practiceChanges(themes: $themes, since: $since) { revision kind practice title } }"""


class Subscriber:
    """One graphql-transport-ws connection with one subscription."""

    def __init__(self, url: str, variables: dict[str, Any]) -> None:
        ws_url = url.replace("http://", "ws://") + "/graphql"
        self._stack = contextlib.ExitStack()
        self.ws: ClientConnection = self._stack.enter_context(
            connect(ws_url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        )
        self.ws.send(json.dumps({"type": "connection_init"}))
        ack = json.loads(self.ws.recv(timeout=10))
        assert ack["type"] == "connection_ack", ack
        self.ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": SUBSCRIBE, "variables": variables},
                }
            )
        )

    def next(self, timeout: float = 10.0) -> dict[str, Any]:
        message = json.loads(self.ws.recv(timeout=timeout))
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        change: dict[str, Any] = message["payload"]["data"]["practiceChanges"]
        return change

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Subscriber:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
