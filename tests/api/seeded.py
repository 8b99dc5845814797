"""The seeded read model behind the GraphQL schema, and an independent SPARQL oracle over the seeds.

``Seeded.data(query)`` runs a query on the real schema (the same compiled schema the HTTP view
runs) and returns its data; ``Seeded.errors(query)`` returns the error messages of a query that
must fail. ``Seeded.oracle(sparql)`` answers from the seed quads themselves (every graph merged
into one), so expected answers come from the seed facts rather than from the read model.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import DefaultGraph, Quad, QuerySolutions, Store

from graphsvc.api.context import Context
from graphsvc.api.schema import schema
from graphsvc.services import Services, open_services
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
    services: Services
    union: Store

    @property
    def context(self) -> Context:
        return Context(services=self.services)

    def run(self, query: str, variables: Mapping[str, Any] | None = None) -> Any:
        return schema.execute_sync(
            query, variable_values=dict(variables or {}), context_value=self.context
        )

    def data(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        result = self.run(query, variables)
        assert not result.errors, [e.message for e in result.errors]
        assert result.data is not None
        data: dict[str, Any] = result.data
        return data

    def errors(self, query: str, variables: Mapping[str, Any] | None = None) -> list[str]:
        result = self.run(query, variables)
        assert result.errors, f"expected errors, got {result.data}"
        return [e.message for e in result.errors]

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
    """Seeded in-memory services in ``tmp``, and the oracle; closed at the end."""
    services = open_services(Settings(data_dir=tmp, store="memory", load_seeds=True))
    union = Store()
    union.extend(
        Quad(q.subject, q.predicate, q.object, DefaultGraph()) for q in services.store.quads()
    )
    try:
        yield Seeded(services, union)
    finally:
        services.close()
