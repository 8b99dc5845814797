"""``/export/{format}``: the whole dataset, or one named graph, streamed as it is serialised.

``format`` is ``ttl``, ``nt``, ``nq``, ``trig`` or ``jsonld``, optionally with ``.gz``; ``?graph=IRI``
picks one named graph. The store's own dump (the code behind ``graphsvc export``) writes into a
worker thread's buffer; chunks of :data:`CHUNK_BYTES` go to the client as they are ready, through
a small bounded queue, so memory stays flat whatever the size of the dataset. Responses carry an
``ETag`` and ``Last-Modified`` from the dataset's version and answer conditional requests with 304.
"""

from __future__ import annotations

import logging
import queue
import threading
import zlib
from collections.abc import AsyncIterator
from typing import IO, cast

import anyio.to_thread
from pyoxigraph import NamedNode
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from graphsvc.errors import GraphsvcError
from graphsvc.store.base import GraphStore
from graphsvc.web.errors import WebRequestError
from graphsvc.web.formats import DATASET_FORMATS
from graphsvc.web.http import error_response, http_date, not_modified
from graphsvc.web.state import etag, web_state

__all__ = ["CHUNK_BYTES", "ExportStream", "export_endpoint", "parse_export_name"]

log = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 18
_QUEUE_CHUNKS = 8
_DONE = b""


class _Cancelled(Exception):
    """The client went away: stop serialising."""


class ExportStream:
    """A file-like sink for ``GraphStore.dump`` in a thread, read as chunks by the event loop."""

    def __init__(self, compress: bool) -> None:
        self._buffer = bytearray()
        self._queue: queue.Queue[bytes | BaseException] = queue.Queue(_QUEUE_CHUNKS)
        self._cancelled = threading.Event()
        self._gzip = zlib.compressobj(6, zlib.DEFLATED, 31) if compress else None

    # --- the writing side (worker thread) ------------------------------------------------------

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= CHUNK_BYTES:
            self._emit(bytes(self._buffer))
            self._buffer.clear()
        return len(data)

    def flush(self) -> None:
        return None

    def _emit(self, chunk: bytes) -> None:
        if self._gzip is not None:
            chunk = self._gzip.compress(chunk)
        if chunk:
            self._put(chunk)

    def _put(self, item: bytes | BaseException) -> None:
        while True:
            if self._cancelled.is_set():
                raise _Cancelled
            try:
                self._queue.put(item, timeout=0.25)
                return
            except queue.Full:
                continue

    def run(self, store: GraphStore, media_type: str, graph: NamedNode | None) -> None:
        """Dump into this stream, then mark its end (or pass the error on). Blocking."""
        try:
            store.dump(cast(IO[bytes], self), media_type, graph)
            tail = bytes(self._buffer)
            self._buffer.clear()
            if self._gzip is not None:
                tail = self._gzip.compress(tail) + self._gzip.flush()
            if tail:
                self._put(tail)
            self._put(_DONE)
        except _Cancelled:
            return
        except BaseException as exc:  # reported to the reader, which logs it
            try:
                self._put(exc)
            except _Cancelled:
                return

    # --- the reading side (event loop) ---------------------------------------------------------

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            while True:
                item = await anyio.to_thread.run_sync(self._queue.get)
                if isinstance(item, BaseException):
                    # the status line is gone: end the body early, so the client sees a short read
                    log.error("export failed mid-stream: %s", item)
                    return
                if item == _DONE:
                    return
                yield item
        finally:
            self._cancelled.set()


def parse_export_name(name: str) -> tuple[str, bool]:
    """``"nq.gz"`` -> ``("nq", True)``; an unknown format is a 404 naming the known ones."""
    base, compressed = (name[:-3], True) if name.endswith(".gz") else (name, False)
    if base not in DATASET_FORMATS:
        known = ", ".join(f"{n}, {n}.gz" for n in DATASET_FORMATS)
        raise WebRequestError(f"no export format {name!r}; available: {known}", 404)
    return base, compressed


async def export_endpoint(request: Request) -> Response:
    state = web_state(request)
    store = state.services.store
    try:
        name, compressed = parse_export_name(request.path_params["format"])
        graph_values = request.query_params.getlist("graph")
        if len(graph_values) > 1:
            raise WebRequestError("give the graph parameter at most once")
        graph: NamedNode | None = None
        if graph_values:
            try:
                graph = NamedNode(graph_values[0])
            except ValueError as exc:
                raise WebRequestError(f"graph {graph_values[0]!r} is not an IRI: {exc}") from None
            known = await anyio.to_thread.run_sync(store.named_graphs)
            if graph not in known:
                raise WebRequestError(
                    f"no graph <{graph.value}> in this dataset (the list is at /.well-known/void)",
                    404,
                )
        token, modified = await state.validators()
        tag = etag(token, "export", name, str(compressed), graph.value if graph else "")
        media_type = DATASET_FORMATS[name][0]
        file_name = "graphsvc" + (f"-{graph.value.rsplit('/', 1)[-1]}" if graph else "")
        headers = {
            "ETag": tag,
            "Last-Modified": http_date(modified),
            "Cache-Control": "no-cache",
            "Content-Disposition": (
                f'attachment; filename="{file_name}.{name}{".gz" if compressed else ""}"'
            ),
        }
        if not_modified(request, tag, modified):
            return Response(status_code=304, headers=headers)
        content_type = "application/gzip" if compressed else media_type
        if not compressed and not media_type.endswith("json"):
            content_type += "; charset=utf-8"
        if request.method == "HEAD":
            return Response(headers=headers, media_type=content_type)
        stream = ExportStream(compressed)
        worker = threading.Thread(
            target=stream.run, args=(store, media_type, graph), name="export", daemon=True
        )
        worker.start()
        return StreamingResponse(stream.chunks(), headers=headers, media_type=content_type)
    except WebRequestError as error:
        return error_response(error)
    except GraphsvcError as error:
        return error_response(WebRequestError(f"the store failed: {error}", 500))
