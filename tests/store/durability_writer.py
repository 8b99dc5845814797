"""A writer process for the durability test: ``python durability_writer.py STORE_DIR MODE START``.

Applies changesets numbered START, START+1, … to an on-disk OxigraphStore, each of
:data:`ITEMS` quads carrying its number; prints ``ack N`` only after ``apply`` returned. In mode
``update`` each changeset also moves a single marker (removes the previous one, adds its own), which
goes through a SPARQL update; in mode ``extend`` it only adds, which goes through a bulk insert.
It stops by itself after :data:`LIMIT` changesets; the test kills it long before.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from graphsvc.store import Changeset, OxigraphStore

__all__ = ["GRAPH", "ITEMS", "LAST", "LIMIT", "MARKER", "SEQ", "changeset", "main"]

GRAPH = NamedNode("urn:durability:graph")
SEQ = NamedNode("urn:durability:seq")
LAST = NamedNode("urn:durability:last")
MARKER = NamedNode("urn:durability:marker")
ITEMS = 10
LIMIT = 100_000
PAD = "x" * 512  # makes each changeset a few kB, so kills land inside writes too


def item(n: int, k: int) -> NamedNode:
    return NamedNode(f"urn:durability:item/{n}/{k}")


def changeset(n: int, mode: str) -> Changeset:
    add = [Quad(item(n, k), SEQ, Literal(f"{n} {PAD}"), GRAPH) for k in range(ITEMS)]
    if mode == "extend":
        return Changeset(add=add)
    remove = [Quad(MARKER, LAST, Literal(n - 1), GRAPH)] if n > 0 else []
    return Changeset(remove=remove, add=[*add, Quad(MARKER, LAST, Literal(n), GRAPH)])


def main(argv: list[str]) -> int:
    path, mode, start = Path(argv[0]), argv[1], int(argv[2])
    store = OxigraphStore(path)
    print("ready", flush=True)
    for n in range(start, start + LIMIT):
        store.apply(changeset(n, mode))
        print(f"ack {n}", flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
