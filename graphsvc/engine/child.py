"""The query worker: a process that answers SPARQL queries from read-only snapshots of the store.

Started by :class:`graphsvc.engine.pool.WorkerPool` as ``python -m graphsvc.engine.child FD``.
Before it loads anything else it leaves the host's network: it moves into a network namespace
of its own (``unshare(CLONE_NEWNET)``, with a user namespace where it lacks the privilege), in
which no interface but a down loopback exists. A query that reaches the engine's ``SERVICE``
client despite the text checks therefore cannot open any connection.

Queries run in one thread with a large stack, so that a deep but admitted query cannot overflow
it. The worker asks the kernel to kill it when the service dies, and ends when its socket closes.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import sys
import threading
from typing import Any

from graphsvc.engine.wire import Snapshot, read_message, write_message

__all__ = ["leave_network", "main"]

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_PR_SET_PDEATHSIG = 1


def leave_network() -> bool:
    """Move this process into a network namespace of its own; ``True`` if it worked.

    Must run while the process has one thread (a user namespace requires it).
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    if libc.unshare(_CLONE_NEWNET) == 0:
        return True
    return bool(libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0)


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


class _Worker:
    def __init__(self, sock: socket.socket, prefixes: dict[str, str]) -> None:
        self.sock = sock
        self.prefixes = prefixes
        self.snapshot: Snapshot | None = None
        self.store: Any = None

    def open(self, snapshot: Snapshot) -> None:
        import pyoxigraph

        if snapshot == self.snapshot:
            return
        self.store = None  # release the old snapshot's files first
        if snapshot.kind == "rocksdb":
            self.store = pyoxigraph.Store.read_only(snapshot.path)
        else:
            store = pyoxigraph.Store()
            store.bulk_load(path=snapshot.path, format=pyoxigraph.RdfFormat.N_QUADS)
            self.store = store
        self.snapshot = snapshot

    def answer(self, request: tuple[Any, ...]) -> tuple[Any, ...]:
        import pyoxigraph

        from graphsvc.engine.evaluate import (
            Budget,
            BudgetExceeded,
            QueryDataset,
            QuerySyntaxError,
            evaluate,
        )

        _, snapshot, text, defaults, named, union, media_types, max_rows, seconds = request
        budget = Budget(seconds)
        self.open(snapshot)
        store = self.store
        dataset = QueryDataset(
            tuple(pyoxigraph.NamedNode(g) for g in defaults) if defaults is not None else None,
            tuple(pyoxigraph.NamedNode(g) for g in named) if named is not None else None,
            union,
        )

        def querying(query: str, on: QueryDataset) -> object:
            return store.query(
                query,
                prefixes=self.prefixes,
                default_graph=list(on.default_graphs) if on.default_graphs is not None else None,
                named_graphs=list(on.named_graphs) if on.named_graphs is not None else None,
                use_default_graph_as_union=on.union_default_graph,
            )

        try:
            answer = evaluate(querying, text, dataset, media_types, max_rows, budget, self.prefixes)
        except QuerySyntaxError as exc:
            return ("syntax", exc.reason, exc.line, exc.column)
        except BudgetExceeded as exc:
            return ("timeout", exc.seconds)
        except Exception as exc:  # reported to the service, which logs it and answers 500
            return ("error", f"{type(exc).__name__}: {exc}")
        return ("ok", answer.body, answer.media_type, answer.kind, answer.count, answer.truncated)

    def serve(self) -> None:
        while (request := read_message(self.sock)) is not None:
            if request[0] == "open":
                self.open(request[1])
                write_message(self.sock, ("opened", request[1].generation))
            else:
                write_message(self.sock, self.answer(request))


def main(argv: list[str]) -> int:
    isolated = leave_network()
    _die_with_parent()
    sock = socket.socket(fileno=int(argv[0]))
    init = read_message(sock)
    if init is None or init[0] != "init":
        return 2
    _, prefixes, stack_mib = init
    threading.stack_size(stack_mib << 20)
    worker = _Worker(sock, prefixes)
    write_message(sock, ("ready", isolated))
    thread = threading.Thread(target=worker.serve, name="sparql-worker")
    thread.start()
    thread.join()
    return 0


if __name__ == "__main__":
    os._exit(main(sys.argv[1:]))
