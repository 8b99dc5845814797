"""The triple patterns each SHACL shape reads, and so which shapes added triples can concern.

pySHACL's results for a shape are a function of what it looks up in the data graph, and every
look-up (a property path, a target, ``sh:class``, a SPARQL constraint) ends as a triple pattern
asked of the graph's store. Triples that match none of the patterns a shape asked change none of
the answers it got, so adding them cannot change its results. :func:`graphsvc.store.validation.
validate` uses this to validate the ontology once: with a data graph, only the shapes whose reads
the data touches run again.

Example::

    store = RecordingMemory()
    graph = Graph(store=store)
    store.reads = reads.setdefault(shape, set())  # the patterns the shape asks land here
    ...
    ShapeReads(reads).touched(added_triples)  # the shapes whose answers could change
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pyshacl.graph_abstraction import RdfLibDataGraph
from rdflib import Node
from rdflib.plugins.stores.memory import Memory

__all__ = ["NonEmptyAware", "Pattern", "RecordingMemory", "ShapeReads"]

Pattern = tuple[Node | None, Node | None, Node | None]
Triple = tuple[Node, Node, Node]
_EVERYTHING: Pattern = (None, None, None)


class RecordingMemory(Memory):
    """rdflib's in-memory store that notes, in ``reads`` when set, every pattern asked of it."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: set[Pattern] | None = None
        self.by_shape: dict[Node, set[Pattern]] = {}  # for the reads of each shape
        self.outside: set[Pattern] = set()  # for reads outside any shape

    def triples(self, triple_pattern: Any, context: Any = None) -> Any:
        if self.reads is not None:
            subject, predicate, obj = triple_pattern
            self.reads.add((subject, predicate, obj))
        return super().triples(triple_pattern, context)

    def __len__(self, context: Any = None) -> int:
        if self.reads is not None:
            self.reads.add(_EVERYTHING)  # a count changes with any triple
        return super().__len__(context)

    def contexts(self, triple: Any = None) -> Any:
        if self.reads is not None:
            self.reads.add(_EVERYTHING)
        return super().contexts(triple)


class NonEmptyAware(RdfLibDataGraph):
    """pySHACL's view of an rdflib graph, whose truth value (pySHACL asks ``graph or other``
    for every result) is no count: a graph with a triple keeps it as triples are added."""

    def __bool__(self) -> bool:
        store = self.impl.store
        if not isinstance(store, RecordingMemory):
            return len(self.impl) > 0
        reads, store.reads = store.reads, None
        try:
            filled = len(self.impl) > 0
        finally:
            store.reads = reads
        if not filled and reads is not None:
            reads.add(_EVERYTHING)
        return filled


class ShapeReads:
    """The patterns each shape read; :meth:`touched` names the shapes that triples match."""

    def __init__(self, reads: Mapping[Node, Iterable[Pattern]]) -> None:
        self.shapes = frozenset(reads)
        self._readers: dict[Pattern, set[Node]] = {}
        for shape, patterns in reads.items():
            for pattern in patterns:
                self._readers.setdefault(pattern, set()).add(shape)

    def touched(self, triples: Iterable[Triple]) -> set[Node]:
        """The shapes that asked a pattern one of ``triples`` matches."""
        shapes: set[Node] = set()
        for triple in triples:
            for pattern in _patterns_matching(triple):
                readers = self._readers.get(pattern)
                if readers:
                    shapes |= readers
        return shapes


def _patterns_matching(triple: Triple) -> Iterator[Pattern]:
    """The eight patterns ``triple`` matches: each position bound or left open."""
    yield from itertools.product((triple[0], None), (triple[1], None), (triple[2], None))
