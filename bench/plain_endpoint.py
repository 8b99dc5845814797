"""The benchmark's baseline: the typical front-end query as a plain Starlette JSON endpoint.

``GET /typical?id=<practice IRI>&theme=<theme IRI>`` answers exactly the JSON that ``/graphql``
gives for :data:`bench.graphql.QUERY` (``{"data": {...}}``), computed from the same read model
with the same selection, ordering, label and ID functions, but without GraphQL: no parsing,
validation or resolver machinery, just Python building a dict and orjson encoding it.

``GET /sample?n=200&seed=1`` lists ``n`` (practice, theme) pairs to send, each theme one of the
practice's own, so that the filtered list is never empty.

    .venv/bin/python -m bench.plain_endpoint --data-dir DIR [--port 8001]
"""

from __future__ import annotations

import argparse
import contextlib
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from graphsvc.api.connections import encode_cursor
from graphsvc.api.types.base import label_in
from graphsvc.model import selection as sel
from graphsvc.model.ids import global_id
from graphsvc.model.readmodel import ReadModel, build_read_model
from graphsvc.store import OxigraphStore

__all__ = ["create_plain_app", "serve", "typical"]

PAGE = 20


def _label(record: Any) -> str:
    labels = getattr(record, "labels", None)
    if labels is None:
        labels = record.name
    alt = getattr(record, "alt_labels", ())
    return label_in(labels, "en", alt[0] if alt else record.iri)


def _ref(type_name: str, record: Any | None) -> dict[str, str] | None:
    if record is None:
        return None
    return {"id": global_id(type_name, record.iri), "label": _label(record)}


def _themes(rm: ReadModel, iris: tuple[str, ...]) -> list[dict[str, str]]:
    rank = rm.rank("themes:label")
    known = sorted((i for i in iris if i in rm.themes), key=lambda i: rank.get(i, 0))
    return [{"id": global_id("Theme", i), "label": _label(rm.themes[i])} for i in known[:PAGE]]


def typical(rm: ReadModel, practice_iri: str, theme_iri: str) -> dict[str, Any]:
    """The ``data`` of the typical query: one practice, and a page of practices with a theme."""
    p = rm.practices.get(practice_iri)
    practice = None
    if p is not None:
        practice = {
            "id": global_id("Practice", p.iri),
            "title": label_in(p.title, "en", p.iri),
            "abstract": label_in(p.abstract, "en") or None,
            "date": p.date,
            "year": p.year,
            "themes": {"nodes": _themes(rm, p.themes)},
            "pes": _ref("Pes", rm.pes.get(p.pes or "")),
            "country": _ref("Country", rm.countries.get(rm.practice_country(p) or "")),
            "region": _ref("Region", rm.regions.get(rm.practice_region(p) or "")),
        }
    selection, _scores = sel.select_practices(rm, sel.PracticeFilter(themes=(theme_iri,)))
    records = rm.practices
    if selection is not None and not records.keys() >= selection:
        selection = frozenset(records.keys() & selection)
    total = sel.count(rm, "practices", selection)
    end = min(PAGE, total)
    iris = sel.page(rm.ordered("practice:title"), rm.rank("practice:title"), selection, 0, end)
    edges = []
    for position, iri in enumerate(iris):
        item = records[iri]
        pes = rm.pes.get(item.pes or "")
        country = rm.countries.get(rm.practice_country(item) or "")
        edges.append(
            {
                "cursor": encode_cursor(position),
                "node": {
                    "id": global_id("Practice", iri),
                    "title": label_in(item.title, "en", iri),
                    "year": item.year,
                    "pes": None if pes is None else {"label": _label(pes)},
                    "country": None if country is None else {"label": _label(country)},
                },
            }
        )
    page_info = {
        "hasNextPage": len(iris) < total,
        "endCursor": encode_cursor(len(iris) - 1) if iris else None,
    }
    return {
        "practice": practice,
        "practices": {"totalCount": total, "pageInfo": page_info, "edges": edges},
    }


def sample(rm: ReadModel, n: int, seed: int) -> list[tuple[str, str]]:
    chooser = random.Random(seed)
    candidates = sorted(i for i, p in rm.practices.items() if p.themes)
    picked = chooser.sample(candidates, min(n, len(candidates)))
    return [(iri, chooser.choice(sorted(rm.practices[iri].themes))) for iri in picked]


def create_plain_app(data_dir: Path) -> Starlette:
    holder: dict[str, ReadModel] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = OxigraphStore(data_dir / "store")
        try:
            holder["rm"] = build_read_model(store)
            yield
        finally:
            store.close()

    async def typical_endpoint(request: Request) -> Response:
        params = request.query_params
        body = {"data": typical(holder["rm"], params["id"], params["theme"])}
        return Response(orjson.dumps(body), media_type="application/json")

    async def sample_endpoint(request: Request) -> Response:
        params = request.query_params
        pairs = sample(holder["rm"], int(params.get("n", "200")), int(params.get("seed", "1")))
        return Response(orjson.dumps(pairs), media_type="application/json")

    async def healthz(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    routes = [
        Route("/typical", typical_endpoint),
        Route("/sample", sample_endpoint),
        Route("/healthz", healthz),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def serve(argv: list[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.plain_endpoint", description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    # the uvicorn settings of `graphsvc serve --no-access-log`
    uvicorn.run(
        create_plain_app(args.data_dir),
        host="127.0.0.1",
        port=args.port,
        log_level="info",
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(serve())
