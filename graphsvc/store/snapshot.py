"""A backup of a remote Oxigraph server: one consistent read, written into a new on-disk store.

``oxigraph serve`` answers ``GET /store`` without a ``graph`` parameter (the SPARQL 1.1 Graph
Store HTTP Protocol) with its whole dataset in a dataset format such as N-Quads (the server's
README), serialised from one iteration over the store (``Store::iter`` in ``cli/src/main.rs``);
Oxigraph's store is "repeatable read": the state a read operation sees does not change while it
runs (``oxigraph::store::Store`` on docs.rs). The N-Quads stream is therefore one snapshot:
every write the server acknowledged before the request is in it, and no write is half in it.
It is fed as it arrives into Oxigraph's bulk loader, into a new store in a hidden directory
beside the target, which is renamed to the target only once the load is complete and the store
is closed: a failure leaves no directory behind. The result is an ordinary on-disk store, which
``graphsvc restore`` accepts as it accepts a RocksDB checkpoint.

The server is recognised, as :mod:`graphsvc.store.remote` recognises servers, by the ``Server``
header of its answer. Virtuoso is refused with what to do instead: its own online backup
(``backup_online``, docs.openlinksw.com/virtuoso/fn_backup_online/), or an export.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph
from pyoxigraph import RdfFormat

from graphsvc.errors import RemoteStoreError, StoreError
from graphsvc.store.remote import RemoteSparqlStore

__all__ = ["VIRTUOSO_REFUSAL", "graph_store_url", "snapshot_backup"]

VIRTUOSO_REFUSAL = (
    "this service's store is a Virtuoso server, of which graphsvc knows no consistent read of"
    " the whole dataset: back it up with Virtuoso's own online backup (`checkpoint;` then"
    " `backup_online('prefix_#', 10000);` in `isql`), or dump the data with `graphsvc export`"
)
_N_QUADS = "application/n-quads"
# the server streams as it reads the store; a pause longer than this between chunks is a failure
_TIMEOUT = httpx.Timeout(60.0, read=600.0)


def graph_store_url(query_url: str) -> str:
    """The Graph Store endpoint beside an Oxigraph query endpoint: ``…/query`` -> ``…/store``."""
    url = httpx.URL(query_url)
    path = url.path
    if not path.endswith("/query"):
        raise StoreError(
            f"the store's query endpoint {query_url} is not an Oxigraph server's `/query`,"
            " so its `/store` endpoint, which gives the whole dataset in one read, cannot be"
            " found: back the store up with its server's own tools, or use `graphsvc export`"
        )
    return str(url.copy_with(path=path[: -len("query")] + "store", query=None))


class _Chunks(io.RawIOBase):
    """A readable file over an HTTP body's chunks, counting the lines it hands out."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._pending = b""
        self.bytes = 0
        self.lines = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = chunk
            self.bytes += len(chunk)
            self.lines += chunk.count(b"\n")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def snapshot_backup(store: RemoteSparqlStore, target: Path) -> tuple[int, float]:
    """Write the whole dataset of the Oxigraph server behind ``store``, read in one request,
    into a new on-disk Oxigraph store at ``target`` (which must not exist).

    Returns the number of quads and the seconds taken. Raises
    :class:`~graphsvc.errors.StoreError` when the server cannot be snapshotted (Virtuoso, or
    not an Oxigraph server) or the transfer fails; ``target`` is then left absent.
    """
    if store.virtuoso:
        raise StoreError(VIRTUOSO_REFUSAL)
    url = graph_store_url(store.query_url)
    started = time.perf_counter()
    staging = target.with_name(f".{target.name}.partial-{uuid.uuid4().hex[:12]}")
    try:
        quads = _download_into(url, staging)
        os.rename(staging, target)  # the same directory: atomic, and refused if target appeared
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return quads, time.perf_counter() - started


def _download_into(url: str, staging: Path) -> int:
    with httpx.Client(timeout=_TIMEOUT) as client, _n_quads(client, url) as response:
        server = response.headers.get("server", "")
        if not server.lower().startswith("oxigraph"):
            raise StoreError(
                f"the server at {url} is {server or 'unnamed'!r}, not Oxigraph: a consistent"
                " snapshot through `/store` is known only of Oxigraph; back the store up with"
                " its server's own tools, or use `graphsvc export`"
            )
        body = _Chunks(response.iter_bytes())
        copy = pyoxigraph.Store(str(staging))
        try:
            copy.bulk_load(io.BufferedReader(body, 1 << 20), RdfFormat.N_QUADS)
            copy.flush()
            quads = len(copy)
        except (SyntaxError, OSError) as exc:
            raise StoreError(f"cannot write the dataset from {url} into {staging}: {exc}") from exc
        finally:
            del copy  # closes RocksDB, releasing its lock before the rename
    if quads != body.lines:
        # a dump holds each quad once, one per line: a difference means a damaged transfer
        raise StoreError(f"{url} sent {body.lines} lines of N-Quads, but {quads} quads loaded")
    return quads


@contextlib.contextmanager
def _n_quads(client: httpx.Client, url: str) -> Iterator[httpx.Response]:
    """``GET url`` as N-Quads, streamed; any HTTP failure, then or while the body is read,
    becomes a :class:`~graphsvc.errors.RemoteStoreError`."""
    try:
        with client.stream("GET", url, headers={"Accept": _N_QUADS}) as response:
            if response.status_code != 200:
                text = response.read().decode(errors="replace").strip()[:500]
                raise RemoteStoreError(url, text, response.status_code)
            yield response
    except httpx.HTTPError as exc:
        raise RemoteStoreError(url, f"the transfer failed: {exc}") from exc
