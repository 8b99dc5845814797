"""The floor under ``/sparql``'s figures: the cheapest SPARQL endpoint Python serves here.

uvicorn (httptools, uvloop) and pyoxigraph, nothing else: ``GET ?query=`` is evaluated on the
event loop itself (no worker thread) over the union of all graphs and written as SPARQL JSON
results, or N-Triples for a graph. No guard, no row cap, no time budget, no negotiation, no
CORS, no error handling: not a server to run, a measure of what any Python server on this
machine pays per request before doing anything of its own.

    .venv/bin/python -m bench.floor_endpoint STORE_DIR PORT
"""

from __future__ import annotations

import sys
from urllib.parse import parse_qsl

import pyoxigraph
import uvicorn
from starlette.types import Receive, Scope, Send

__all__ = ["floor_app"]

JSON = b"application/sparql-results+json"
NTRIPLES = b"application/n-triples"


def floor_app(location: str) -> object:
    """An ASGI application over a read-only view of the store at ``location``."""
    store = pyoxigraph.Store.read_only(location)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        query = dict(parse_qsl(scope["query_string"].decode("latin-1")))["query"]
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, pyoxigraph.QueryTriples):
            body, media_type = result.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES), NTRIPLES
        else:
            body, media_type = result.serialize(format=pyoxigraph.QueryResultsFormat.JSON), JSON
        body = body or b""
        headers = [(b"content-type", media_type), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


if __name__ == "__main__":
    location, port = sys.argv[1], int(sys.argv[2])
    uvicorn.run(
        floor_app(location),  # type: ignore[arg-type]
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )
