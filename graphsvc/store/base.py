"""The store interface every backend implements.

The RDF store is the single source of truth. Writes are atomic: :meth:`GraphStore.apply` removes and
adds quads in one transaction, and returns only once the change is durable.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TypeAlias

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    Triple,
    Variable,
)

__all__ = [
    "BoundTerm",
    "Changeset",
    "GraphName",
    "GraphStore",
    "QueryResult",
]

BoundTerm: TypeAlias = NamedNode | BlankNode | Literal
GraphName: TypeAlias = NamedNode | BlankNode | DefaultGraph
QueryResult: TypeAlias = QuerySolutions | QueryBoolean | Iterator[Triple]


@dataclass(frozen=True, slots=True)
class Changeset:
    """Quads to remove and quads to add, applied in one transaction (removals first)."""

    remove: Sequence[Quad] = field(default_factory=tuple)
    add: Sequence[Quad] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return bool(self.remove or self.add)


class GraphStore(abc.ABC):
    """A quad store that answers SPARQL and applies changesets atomically."""

    kind: str = "abstract"

    @property
    def generation(self) -> int | None:
        """A number that changes with every write made through this object, or ``None`` when
        the data may also change behind its back (a remote store shared with other writers).

        Caches of query results key on it; ``None`` means nothing may be cached.
        """
        return None

    @abc.abstractmethod
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, BoundTerm] | None = None,
        default_graph: Sequence[GraphName] | None = None,
        named_graphs: Sequence[NamedNode] | None = None,
        union_default_graph: bool = False,
    ) -> QueryResult:
        """Run a SPARQL query. ``bindings`` fix variables to values before the pattern is
        evaluated (filters see them; they need not be projected); values are never pasted
        unescaped into the query."""

    @abc.abstractmethod
    def apply(self, changes: Changeset) -> None:
        """Apply ``changes`` atomically and durably: all of it or nothing."""

    @abc.abstractmethod
    def quads(
        self,
        subject: NamedNode | BlankNode | None = None,
        predicate: NamedNode | None = None,
        obj: NamedNode | BlankNode | Literal | None = None,
        graph: GraphName | None = None,
    ) -> Iterator[Quad]:
        """Quads matching a pattern; ``None`` matches anything."""

    @abc.abstractmethod
    def named_graphs(self) -> list[NamedNode]:
        """The named graphs that hold at least one quad."""

    @abc.abstractmethod
    def dump(self, output: IO[bytes], media_type: str, graph: GraphName | None = None) -> None:
        """Serialise the dataset (or one graph) to ``output`` in the RDF ``media_type``."""

    @abc.abstractmethod
    def replace_graph(self, graph: NamedNode, quads: Iterable[Quad]) -> None:
        """Atomically replace the content of ``graph`` by ``quads``."""

    def add(self, quads: Iterable[Quad]) -> None:
        self.apply(Changeset(add=tuple(quads)))

    def is_empty(self) -> bool:
        return next(self.quads(), None) is None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources; the default does nothing."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def variables(
    bindings: Mapping[str, BoundTerm],
) -> dict[Variable, NamedNode | BlankNode | Literal | Triple]:
    return {Variable(name.lstrip("?$")): value for name, value in bindings.items()}
