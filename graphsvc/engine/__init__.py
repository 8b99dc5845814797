"""SPARQL evaluation for the public endpoint, in worker processes of its own.

A query from an anonymous client runs in a child process (:mod:`graphsvc.engine.child`) that
holds a read-only snapshot of the store, has no network and may be killed: at its deadline the
work stops and its slot is free, and a native crash of the engine costs one worker, not the
service. :mod:`graphsvc.engine.evaluate` is the evaluation itself (row caps, native
serialisation), shared by the children and by the in-process path used for remote stores.

This package imports only the standard library and pyoxigraph, so a worker starts in a tenth of
a second.
"""

from __future__ import annotations

__all__: list[str] = []
