"""Embedded Oxigraph backends: on disk (the default) and in memory (tests)."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store

from graphsvc.errors import StoreError
from graphsvc.store.base import (
    BoundTerm,
    Changeset,
    GraphName,
    GraphStore,
    QueryResult,
    variables,
)
from graphsvc.store.sparql_text import bind_values, changeset_update
from graphsvc.vocab import PREFIXES

__all__ = ["OxigraphStore", "finish_interrupted_swap", "replaced_path"]


def replaced_path(path: Path) -> Path:
    """Where a store's directory waits while a bulk load's copy takes its place."""
    return path.with_name(path.name + ".replaced")


def finish_interrupted_swap(path: Path) -> None:
    """Complete or undo a swap of store directories that a crash interrupted
    (see :mod:`graphsvc.store.bulk`)."""
    replaced = replaced_path(path)
    if not replaced.exists():
        return
    if path.exists():
        shutil.rmtree(replaced)  # the new store is in place: the old one is no longer needed
    else:
        replaced.rename(path)  # the new store never took its place: the old one comes back


class OxigraphStore(GraphStore):
    """pyoxigraph ``Store``: RocksDB on disk when ``path`` is given, memory otherwise.

    Each write is one Oxigraph transaction whose RocksDB write-ahead log entry is written before
    the call returns, so an acknowledged write survives a crash of the process.

    RocksDB locks the directory, so this object is the only writer of an on-disk store while it
    is open: every change goes through :meth:`apply` or :meth:`replace_graph` (bulk loads go
    to a copy that replaces the directory, :mod:`graphsvc.store.bulk`), and :attr:`generation`
    counts them.
    """

    _generation = 0

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.kind = "oxigraph" if path is not None else "memory"
        try:
            if path is not None:
                finish_interrupted_swap(path)
                path.mkdir(parents=True, exist_ok=True)
                self._store = Store(str(path))
            else:
                self._store = Store()
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc

    @property
    def raw(self) -> Store:
        """The pyoxigraph store, for callers that need its native fast paths (a caller that
        writes through it calls :meth:`mark_changed`)."""
        return self._store

    @property
    def generation(self) -> int:
        return self._generation

    def mark_changed(self) -> None:
        """Record a write made through :attr:`raw`."""
        self._generation += 1

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, BoundTerm] | None = None,
        default_graph: Sequence[GraphName] | None = None,
        named_graphs: Sequence[NamedNode] | None = None,
        union_default_graph: bool = False,
    ) -> QueryResult:
        substitutions = None
        if bindings and any(isinstance(term, BlankNode) for term in bindings.values()):
            # a stored blank node can only be bound natively (the variable must be projected)
            substitutions = dict(variables(bindings))
        elif bindings:
            sparql = bind_values(sparql, bindings)
        try:
            return self._store.query(
                sparql,
                prefixes=PREFIXES,
                substitutions=substitutions,
                default_graph=list(default_graph) if default_graph is not None else None,
                named_graphs=list(named_graphs) if named_graphs is not None else None,
                use_default_graph_as_union=union_default_graph,
            )
        except RuntimeError as exc:  # e.g. a substituted variable that is not projected
            raise StoreError(f"cannot run the query: {exc}") from None

    def apply(self, changes: Changeset) -> None:
        if not changes:
            return
        try:
            if not changes.remove:
                self._store.extend(changes.add)  # one transaction
            else:
                self._store.update(changeset_update(changes))  # one transaction
        finally:  # counted even when it failed: a stale cache entry must never survive
            self._generation += 1

    def replace_graph(self, graph: NamedNode, quads: Iterable[Quad]) -> None:
        new = [Quad(q.subject, q.predicate, q.object, graph) for q in quads]
        update = f"DROP SILENT GRAPH {graph} ;\n" + changeset_update(Changeset(add=new))
        try:
            self._store.update(update)
        finally:
            self._generation += 1

    def quads(
        self,
        subject: NamedNode | BlankNode | None = None,
        predicate: NamedNode | None = None,
        obj: NamedNode | BlankNode | Literal | None = None,
        graph: GraphName | None = None,
    ) -> Iterator[Quad]:
        return iter(self._store.quads_for_pattern(subject, predicate, obj, graph))

    def named_graphs(self) -> list[NamedNode]:
        return [g for g in self._store.named_graphs() if isinstance(g, NamedNode)]

    def dump(self, output: IO[bytes], media_type: str, graph: GraphName | None = None) -> None:
        fmt = pyoxigraph.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise StoreError(f"no RDF format for media type {media_type!r}")
        if graph is not None and fmt.supports_datasets:
            # keep the graph name, so that loading the dump restores the graph
            pyoxigraph.serialize(
                self._store.quads_for_pattern(None, None, None, graph),
                output,
                fmt,
                prefixes=PREFIXES,
            )
        elif graph is not None:
            self._store.dump(output, fmt, from_graph=graph, prefixes=PREFIXES)
        elif fmt.supports_datasets:
            self._store.dump(output, fmt, prefixes=PREFIXES)
        else:
            triples = (Quad(q.subject, q.predicate, q.object) for q in self._store)
            pyoxigraph.serialize(triples, output, fmt, prefixes=PREFIXES)

    def __len__(self) -> int:
        return len(self._store)

    def close(self) -> None:
        """Flush and release the store (and its directory lock); closing twice is harmless."""
        store = self.__dict__.pop("_store", None)
        if store is not None and self.path is not None:
            store.flush()
