"""An rdflib store that reads as a shared, read-only graph plus triples of its own.

Validation merges each data graph with the whole ontology; copying the ~5,000 ontology triples
into a new graph cost more than validating a small data graph. :class:`OverlayMemory` holds
only the data and answers every look-up from both.

Example::

    merged = Graph(store=OverlayMemory(ontology_graph().store))
    merged.add(triple)  # only to the overlay; add nothing the base already holds
"""

from __future__ import annotations

import itertools
from typing import Any

from rdflib.plugins.stores.memory import Memory
from rdflib.store import Store

__all__ = ["OverlayMemory"]


class OverlayMemory(Memory):
    """A :class:`Memory` store that also answers with every triple of ``base``.

    ``base`` must not change while the overlay is in use, and the overlay must not be given a
    triple ``base`` holds (it would be counted and listed twice).
    """

    def __init__(self, base: Store) -> None:
        super().__init__()
        self._base = base

    def triples(self, triple_pattern: Any, context: Any = None) -> Any:
        return itertools.chain(
            self._base.triples(triple_pattern, None), super().triples(triple_pattern, context)
        )

    def __len__(self, context: Any = None) -> int:
        return len(self._base) + super().__len__(context)
