"""The seeded service behind the GraphQL API, and an independent SPARQL oracle over the seeds.

``Seeded.data(query)`` posts a query to ``/graphql`` of the application running in this process
(the production view: compiled plans, direct resolvers, limits and result cache, reached through
httpx's ``ASGITransport``) and returns its data; ``Seeded.errors(query)`` returns the error
messages of a query that must fail. ``Seeded.reference(query)`` runs Strawberry's own executor
instead, for the tests that compare the compiled plans with it. ``Seeded.oracle(sparql)`` answers
from the seed quads themselves (every graph merged into one), so expected answers come from the
seed facts rather than from the read model.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pyoxigraph import DefaultGraph, Quad, QuerySolutions, Store
from strawberry.types import ExecutionResult
from support import LocalApp, open_app

from graphsvc.api.context import Context
from graphsvc.api.schema import schema
from graphsvc.services import Services
from graphsvc.settings import Settings

__all__ = ["ID", "PREFIXES", "Seeded", "gid", "seeded"]

ID = "https://w3id.org/graphsvc/id/"
PREFIXES = """
PREFIX pes: <https://w3id.org/graphsvc/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX cv: <http://data.europa.eu/m8g/>
PREFIX schema: <https://schema.org/>
PREFIX id: <https://w3id.org/graphsvc/id/>
PREFIX country: <http://publications.europa.eu/resource/authority/country/>
"""


def gid(type_name: str, iri: str) -> str:
    """A global ID, computed here from its documented format (base64url of ``Type:IRI``)."""
    raw = f"{type_name}:{iri}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Seeded:
    app: LocalApp
    client: httpx.Client
    union: Store

    @property
    def services(self) -> Services:
        return self.app.services

    @property
    def context(self) -> Context:
        return Context(services=self.services)

    def post(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The JSON body of the answer of ``/graphql`` to ``query``."""
        response = self.client.post(
            "/graphql",
            json={"query": query, "variables": dict(variables or {})},
            headers={"Accept": "application/graphql-response+json"},
        )
        assert response.status_code in (200, 400), response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = self.post(query, variables)
        assert "errors" not in body, [e["message"] for e in body["errors"]]
        data: dict[str, Any] = body["data"]
        return data

    def errors(self, query: str, variables: Mapping[str, Any] | None = None) -> list[str]:
        body = self.post(query, variables)
        assert body.get("errors"), f"expected errors, got {body.get('data')}"
        return [e["message"] for e in body["errors"]]

    def reference(self, query: str, variables: Mapping[str, Any] | None = None) -> ExecutionResult:
        """What Strawberry's own executor answers, without the view and its compiled plans."""
        return schema.execute_sync(
            query, variable_values=dict(variables or {}), context_value=self.context
        )

    def oracle(self, sparql: str) -> list[dict[str, str]]:
        """Rows of a SELECT over every seed graph merged, values as plain strings."""
        solutions = self.union.query(PREFIXES + sparql)
        assert isinstance(solutions, QuerySolutions)
        names = [v.value for v in solutions.variables]
        return [{n: row[n].value for n in names if row[n] is not None} for row in solutions]

    def column(self, sparql: str) -> set[str]:
        """The values of the single variable of a SELECT (see :meth:`oracle`)."""
        return {next(iter(r.values())) for r in self.oracle(sparql) if r}


def seeded(tmp: Path) -> Iterator[Seeded]:
    """The seeded in-memory service in ``tmp``, running in this process, and the oracle.

    The rate limits are off (the tests send queries faster than any one client may), and so is
    the cost limit: a test asks for whole lists in one query to compare them with the oracle.
    ``tests/api/test_limits.py`` tests the limits. One SPARQL query worker is enough: the API's
    resolvers read the store themselves.
    """
    settings = Settings(
        data_dir=tmp,
        store="memory",
        load_seeds=True,
        rate_per_address=0,
        rate_per_token=0,
        max_query_cost=10**9,
        sparql_workers=1,
    )
    with open_app(settings) as app, app.client() as client:
        union = Store()
        union.extend(
            Quad(q.subject, q.predicate, q.object, DefaultGraph())
            for q in app.services.store.quads()
        )
        yield Seeded(app, client, union)
