"""``/export/{format}``: every format, gzip, one graph, validators and conditional requests, and the
same bytes as ``graphsvc export``."""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable
from pathlib import Path

import httpx
import pyoxigraph
import pytest
from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat
from support import RunningApp, run_app

from graphsvc.cli import main as cli_main
from graphsvc.services import Services
from graphsvc.settings import Settings
from graphsvc.store import OxigraphStore
from graphsvc.store.loading import load_ontology_and_seeds
from graphsvc.store.verdicts import Verdicts

SOURCE_003 = "https://w3id.org/graphsvc/graph/source/003"
FORMATS = {
    "ttl": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "nq": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "jsonld": RdfFormat.JSON_LD,
}


def quads_of(body: bytes, fmt: RdfFormat) -> set[Quad]:
    parsed = pyoxigraph.parse(body, fmt)
    if fmt.supports_datasets:
        return {q for q in parsed if not any(isinstance(t, pyoxigraph.BlankNode) for t in q)}
    return {
        Quad(q.subject, q.predicate, q.object)
        for q in parsed
        if not any(isinstance(t, pyoxigraph.BlankNode) for t in q)
    }


def stored(store: OxigraphStore, graph: str | None, keep_graph: bool) -> set[Quad]:
    found = set()
    for quad in store.quads(graph=NamedNode(graph) if graph else None):
        if any(isinstance(t, pyoxigraph.BlankNode) for t in quad):
            continue
        found.add(quad if keep_graph else Quad(quad.subject, quad.predicate, quad.object))
    return found


@pytest.fixture(scope="module")
def expected(seeded_store: OxigraphStore) -> Callable[[str | None, bool], set[Quad]]:
    """``stored`` of the read-only comparison store, worked out once per graph and shape."""
    found: dict[tuple[str | None, bool], set[Quad]] = {}

    def of(graph: str | None, keep_graph: bool) -> set[Quad]:
        if (graph, keep_graph) not in found:
            found[graph, keep_graph] = stored(seeded_store, graph, keep_graph)
        return found[graph, keep_graph]

    return of


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gz"])
def test_full_export_in_every_format(
    client: httpx.Client,
    expected: Callable[[str | None, bool], set[Quad]],
    name: str,
    compressed: bool,
) -> None:
    response = client.get(f"/export/{name}{'.gz' if compressed else ''}")
    assert response.status_code == 200, response.text
    body = response.content
    if compressed:
        assert response.headers["content-type"] == "application/gzip"
        assert body[:2] == b"\x1f\x8b"
        body = gzip.decompress(body)
    fmt = FORMATS[name]
    assert f'filename="graphsvc.{name}' in response.headers["content-disposition"]
    whole = expected(None, fmt.supports_datasets)
    assert len(whole) > 1000
    assert quads_of(body, fmt) == whole


@pytest.mark.parametrize("name", ["nq", "trig", "nt"])
def test_one_graph(client: httpx.Client, seeded_store: OxigraphStore, name: str) -> None:
    response = client.get(f"/export/{name}", params={"graph": SOURCE_003})
    assert response.status_code == 200
    fmt = FORMATS[name]
    got = quads_of(response.content, fmt)
    assert got == stored(seeded_store, SOURCE_003, fmt.supports_datasets)
    if fmt.supports_datasets:
        assert {q.graph_name for q in got} == {NamedNode(SOURCE_003)}
    else:
        assert {q.graph_name for q in got} == {DefaultGraph()}


def test_validators_and_conditional_requests(client: httpx.Client) -> None:
    first = client.get("/export/nq.gz")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and modified.endswith("GMT")
    assert client.get("/export/nq.gz").headers["ETag"] == etag
    assert client.get("/export/nq").headers["ETag"] != etag
    assert client.get("/export/nq.gz", params={"graph": SOURCE_003}).headers["ETag"] != etag
    again = client.get("/export/nq.gz", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    since = client.get("/export/nq.gz", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    other = client.get("/export/nq.gz", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.content[:2] == b"\x1f\x8b"
    old = client.get(
        "/export/nq.gz", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    )
    assert old.status_code == 200


def test_a_write_changes_the_validators(tmp_path: Path) -> None:
    # empty: the validators change with a write whatever the store held
    settings = Settings(
        data_dir=tmp_path / "data", store="memory", sparql_workers=1, load_seeds=False
    )
    with run_app(settings) as app, app.client() as client:
        before = client.get("/export/nt")
        etag = before.headers["ETag"]
        services: Services = app.services
        subject = NamedNode("https://w3id.org/graphsvc/id/theme/written-by-the-test")
        added = Quad(
            subject,
            NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
            pyoxigraph.Literal("written", language="en"),
            NamedNode("https://w3id.org/graphsvc/graph/test"),
        )
        services.store.add([added])
        services.notify(frozenset({subject.value}))
        after = client.get("/export/nq", headers={"If-None-Match": etag})
        nt_after = client.get("/export/nt", headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert added in quads_of(after.content, RdfFormat.N_QUADS)
    assert nt_after.status_code == 200 and nt_after.headers["ETag"] != etag


@pytest.mark.parametrize(
    ("path", "params", "status", "reason"),
    [
        ("/export/xlsx", {}, 404, "no export format 'xlsx'; available: ttl, ttl.gz"),
        ("/export/rdfxml", {}, 404, "no export format"),
        ("/export/nq", {"graph": "https://example.org/none"}, 404, "no graph <https://"),
        ("/export/nq", {"graph": "not an iri"}, 400, "is not an IRI"),
    ],
)
def test_export_errors(
    client: httpx.Client, path: str, params: dict[str, str], status: int, reason: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status
    assert reason in response.text


def test_http_export_matches_the_cli(client: httpx.Client, tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = OxigraphStore(data / "store")
    settings = Settings()
    verdicts = Verdicts.at(settings.cache_dir)  # validated once, as the service seeds
    load_ontology_and_seeds(store, settings.ontology_dir, settings.seeds_dir, verdicts=verdicts)
    store.close()
    out = tmp_path / "dump.nq.gz"
    assert cli_main(["--data-dir", str(data), "export", "--format", "nq", "-o", str(out)]) == 0
    from_cli = quads_of(gzip.decompress(out.read_bytes()), RdfFormat.N_QUADS)
    from_http = quads_of(gzip.decompress(client.get("/export/nq.gz").content), RdfFormat.N_QUADS)
    assert len(from_cli) > 1000
    assert from_cli == from_http


def test_export_streams_in_chunks(web_app: RunningApp) -> None:
    with (
        httpx.Client(base_url=web_app.base_url) as client,
        client.stream("GET", "/export/nq") as response,
    ):
        assert "content-length" not in response.headers
        chunks = list(response.iter_raw())
    body = b"".join(chunks)
    assert quads_of(body, RdfFormat.N_QUADS)
    assert io.BytesIO(body).read(1) == b"<"
