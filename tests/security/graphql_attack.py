"""What the GraphQL attack modules share: sending an attack from several clients at once while
``/healthz`` is asked on connections of its own, and reading a refusal.

The health probes run for as long as the attack does, each with a generous time-out: they show
the service stays alive and answering during the attack, not how fast the attack is refused.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from api.gql import Api, running_api
from support import App

__all__ = [
    "GRAPHQL_RESPONSE",
    "Attack",
    "attacked_api",
    "error_codes",
    "post",
    "refusal",
    "under_attack",
]

GRAPHQL_RESPONSE = "application/graphql-response+json"
PROBE_TIMEOUT = 5.0
"""A health probe that takes longer than this fails the test: the service stopped answering."""


@contextlib.contextmanager
def attacked_api(data_dir: Path, **overrides: Any) -> Iterator[Api]:
    """:func:`api.gql.running_api` (the app under uvicorn) with one SPARQL query worker unless
    ``overrides`` say otherwise: GraphQL never uses them, and each is a process that loads the
    data at start."""
    with running_api(data_dir, **{"sparql_workers": 1, **overrides}) as api:
        yield api


def post(
    client: httpx.Client,
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    token: str | None = None,
    accept: str = GRAPHQL_RESPONSE,
) -> httpx.Response:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = dict(variables)
    headers = {"Accept": accept}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.post("/graphql", json=body, headers=headers)


def error_codes(response: httpx.Response) -> set[str]:
    """The ``extensions.code`` of every error of a GraphQL response; each error must have one."""
    body = response.json()
    codes = set()
    for error in body.get("errors", ()):
        assert isinstance(error["message"], str) and error["message"], error
        codes.add(error["extensions"]["code"])
    return codes


def refusal(response: httpx.Response, code: str, status: int = 400) -> str:
    """Assert ``response`` refuses the request with ``code`` and nothing else; its message."""
    assert response.status_code == status, response.text[:2000]
    assert "Traceback" not in response.text
    body = response.json()
    assert body.get("data") is None, body
    assert code in error_codes(response), body
    message: str = next(e["message"] for e in body["errors"] if e["extensions"]["code"] == code)
    return message


@dataclass
class Attack:
    """The answers to an attack, and the health probes sent while it ran."""

    responses: list[httpx.Response]
    probes: list[int]


def under_attack(
    app: App,
    send: Callable[[httpx.Client], httpx.Response],
    *,
    requests: int = 8,
    clients: int = 4,
) -> Attack:
    """Send ``requests`` attacks from ``clients`` connections at once; probe ``/healthz`` on a
    fresh connection until they are all answered, and once more afterwards.

    Every probe must answer 200 within :data:`PROBE_TIMEOUT`.
    """

    def one(_: int) -> httpx.Response:
        with app.client(timeout=120.0) as client:
            return send(client)

    probes: list[int] = []
    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(one, n) for n in range(requests)]
        finished = False
        while not finished:
            finished = len(wait(futures, timeout=0.05).done) == len(futures)
            with app.client(timeout=PROBE_TIMEOUT) as prober:
                probe = prober.get("/healthz")
            assert probe.status_code == 200, probe.text
            assert probe.json()["status"] == "ok"
            probes.append(probe.status_code)
        responses = [f.result() for f in futures]
    return Attack(responses, probes)
