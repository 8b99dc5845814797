"""Helpers for the GraphQL API tests: a client for an app (in this process or under uvicorn),
tokens, store snapshots."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pyoxigraph import Quad
from starlette.applications import Starlette
from starlette.routing import Route
from support import App, LocalApp, open_app, open_asgi, run_app

from graphsvc.api.server.view import GraphQLView
from graphsvc.edit.auth import TokenRecord, TokenRegistry, tokens_path
from graphsvc.services import Services, open_services
from graphsvc.settings import Settings

__all__ = [
    "BA",
    "GRAPHQL_RESPONSE",
    "ID",
    "KEHA",
    "Api",
    "api_settings",
    "local_api",
    "open_schema",
    "running_api",
    "serve_schema",
    "sha256",
]

ID = "https://w3id.org/graphsvc/id/"
BA = f"{ID}pes/deu-ba"
KEHA = f"{ID}pes/fin-keha"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Api:
    """A client for one running app, with the tokens made for it."""

    app: App
    client: httpx.Client
    registry: TokenRegistry
    tokens: dict[str, str] = field(default_factory=dict)
    records: dict[str, TokenRecord] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.app.settings

    @property
    def services(self) -> Services:
        return self.app.services

    def make_token(self, label: str, role: str, pes: str | None = None) -> str:
        record, token = self.registry.create(role, f"{label} token", pes)
        self.tokens[label] = token
        self.records[label] = record
        return token

    def headers(self, token: str | None, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def post(
        self,
        query: str | None,
        variables: Mapping[str, Any] | None = None,
        *,
        token: str | None = None,
        accept: str | None = GRAPHQL_RESPONSE,
        operation_name: str | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        body: dict[str, Any] = {}
        if query is not None:
            body["query"] = query
        if variables is not None:
            body["variables"] = dict(variables)
        if operation_name is not None:
            body["operationName"] = operation_name
        if extensions is not None:
            body["extensions"] = dict(extensions)
        headers = self.headers(token, {"Accept": accept} if accept else None)
        return self.client.post("/graphql", json=body, headers=headers)

    def data(
        self, query: str, variables: Mapping[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        """Run a query that must succeed; its ``data``."""
        response = self.post(query, variables, token=token)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def snapshot(self) -> frozenset[Quad]:
        """Every quad of the store, to show that a refused or failed write wrote nothing."""
        return frozenset(self.services.store.quads())


@contextlib.contextmanager
def running_api(data_dir: Path, **overrides: Any) -> Iterator[Api]:
    """A seeded in-memory app under uvicorn, with its token file in ``data_dir``.

    For the tests where a socket is the point; :func:`local_api` otherwise. Rate limits are off
    unless ``overrides`` set them: a fast test run from one address would otherwise meet them by
    chance.
    """
    settings = api_settings(data_dir, **overrides)
    with run_app(settings) as app, app.client() as client:
        yield Api(app, client, TokenRegistry(tokens_path(settings)))


@contextlib.contextmanager
def local_api(data_dir: Path, **overrides: Any) -> Iterator[Api]:
    """What :func:`running_api` gives, with the app in this process and no socket: requests go
    through the production middleware and ``/graphql`` view by httpx's ``ASGITransport``."""
    settings = api_settings(data_dir, **overrides)
    with open_app(settings) as app, app.client() as client:
        yield Api(app, client, TokenRegistry(tokens_path(settings)))


def api_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Seeded, in memory, rate limits off, one SPARQL query worker; ``overrides`` applied.

    One worker process rather than four: these services are asked GraphQL, whose resolvers
    read the store themselves; the endpoint's pool is the web and security tests' subject.
    """
    return Settings(
        data_dir=data_dir,
        store="memory",
        load_seeds=True,
        rate_per_address=0,
        rate_per_token=0,
        sparql_workers=1,
    ).with_overrides(**overrides)


@contextlib.contextmanager
def open_schema(schema: Any, settings: Settings) -> Iterator[LocalApp]:
    """Serve ``schema`` through the production ``/graphql`` view, in this process.

    For tests of the view's protection with fields the real schema does not have (one that
    fails, one that hangs, pages of any size); the services hold an empty in-memory store.
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        services = open_services(settings)
        app.state.services = services
        try:
            yield
        finally:
            services.close()

    view = GraphQLView(schema, settings)
    app = Starlette(
        routes=[Route("/graphql", view.handle, methods=["GET", "POST"])], lifespan=lifespan
    )
    with open_asgi(app, settings) as local:
        yield local


@contextlib.contextmanager
def serve_schema(schema: Any, settings: Settings) -> Iterator[httpx.Client]:
    """A client of ``schema`` served as :func:`open_schema` serves it."""
    with open_schema(schema, settings) as local, local.client(timeout=60.0) as client:
        yield client
