"""The discovery app's files at ``/``: cache headers, the app's addresses, its policy, no build.

A small build directory is made here (an ``index.html`` and two hashed assets) and served by
:func:`app_routes` under uvicorn, behind the service's real security headers; the service's own
routes keep their answers whatever the app's state (checked on the seeded service).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from support import RunningApp, free_port

from graphsvc.http.headers import SecurityHeaders
from graphsvc.web.app_files import APP_PATHS, APP_POLICY, IMMUTABLE, app_documents, app_routes

INDEX = (
    '<!doctype html><html lang="en"><head><title>app</title>'
    '<script type="module" src="/assets/index-AbC123.js"></script>'
    '<link rel="stylesheet" href="/assets/index-XyZ789.css"></head>'
    '<body><div id="app"></div></body></html>'
)


@contextlib.contextmanager
def serving(dist: Path) -> Iterator[httpx.Client]:
    app = Starlette(routes=app_routes(dist), middleware=[Middleware(SecurityHeaders)])
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Path]]:
    dist = tmp_path_factory.mktemp("dist")
    (dist / "assets").mkdir()
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "index-AbC123.js").write_text("console.log('app')\n")
    (dist / "assets" / "index-XyZ789.css").write_text("body{margin:0}\n")
    with serving(dist) as client:
        yield client, dist


@pytest.fixture
def client(built: tuple[httpx.Client, Path]) -> httpx.Client:
    return built[0]


@pytest.mark.parametrize(
    "path",
    ["/", "/search?q=youth&theme=green-transition&page=2", "/map", "/my", "/practice/ohjaamo",
     "/pes/fin-te", "/theme/youth-guarantee", "/event/wapes-world-congress-2018",
     "/project/japan-wapes-joint-project"],
)  # fmt: skip
def test_every_app_address_is_the_page_without_cache_and_with_its_policy(
    client: httpx.Client, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-security-policy"] == APP_POLICY
    assert "script-src 'self';" in APP_POLICY and "unsafe-inline" not in APP_POLICY
    assert response.headers["x-frame-options"] == "DENY"


def test_the_page_revalidates_with_its_etag(client: httpx.Client) -> None:
    etag = client.get("/").headers["etag"]
    again = client.get("/search", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_a_new_build_is_served_at_once(built: tuple[httpx.Client, Path]) -> None:
    client, dist = built
    before = client.get("/").headers["etag"]
    index = dist / "index.html"
    index.write_text(INDEX.replace("AbC123", "New456"))
    try:
        response = client.get("/")
        assert "index-New456.js" in response.text
        assert response.headers["etag"] != before
    finally:
        index.write_text(INDEX)


@pytest.mark.parametrize(
    ("name", "media"), [("index-AbC123.js", "javascript"), ("index-XyZ789.css", "text/css")]
)
def test_hashed_assets_are_cached_for_a_year(client: httpx.Client, name: str, media: str) -> None:
    response = client.get(f"/assets/{name}")
    assert response.status_code == 200
    assert media in response.headers["content-type"]
    assert response.headers["cache-control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/assets/missing-1.js", "/assets/..%2Findex.html", "/assets/.hidden", "/nowhere"]
)
def test_unknown_files_and_addresses_are_404(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "immutable" not in response.headers.get("cache-control", "")


def test_without_a_build_the_page_says_how_to_build_it(tmp_path: Path) -> None:
    with serving(tmp_path / "missing") as client:
        response = client.get("/search?q=x")
        assert response.status_code == 503
        assert "make frontend" in response.text and "Node.js" in response.text
        assert response.headers["cache-control"] == "no-store"
        assert client.get("/assets/index-AbC123.js").status_code == 404


def test_the_build_carries_the_apps_operations_by_hash() -> None:
    source = Path(__file__).parents[2] / "frontend" / "app" / "src" / "gql"
    assert app_documents() == json.loads((source / "persisted-documents.json").read_text())


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"{not json", "not readable JSON"), (b'["query { x }"]', "not an object of texts"),
     (b'{"sha256:00": 1}', "not an object of texts")],
)  # fmt: skip
def test_an_unreadable_operations_file_trusts_nothing_and_says_why(
    tmp_path: Path, content: bytes, problem: str, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "persisted-documents.json").write_bytes(content)
    assert app_documents(tmp_path) == {}
    assert problem in caplog.text and "persisted-documents.json" in caplog.text
    assert app_documents(tmp_path / "missing") == {}


def test_the_app_paths_match_the_routers_list() -> None:
    router = (Path(__file__).parents[2] / "frontend" / "app" / "src" / "router.ts").read_text()
    for path in APP_PATHS:
        head = path.split("/{")[0].strip("/")
        assert head in router, f"{path} is not an address of the app's router"


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/healthz", "application/json"), ("/dataset", ""), ("/id/practice/ohjaamo", ""),
     ("/ontology", ""), ("/context.jsonld", "json")],
)  # fmt: skip
def test_the_services_own_routes_keep_priority(web_app: RunningApp, path: str, kind: str) -> None:
    with web_app.client() as http:
        response = http.get(path, headers={"Accept": "application/ld+json"})
    assert response.status_code == 200, path
    assert kind in response.headers["content-type"]
    assert response.headers.get("content-security-policy") != APP_POLICY
    assert '<div id="app">' not in response.text


def test_graphql_keeps_priority(web_app: RunningApp) -> None:
    with web_app.client() as http:
        response = http.post("/graphql", json={"query": "{ viewer { role } }"})
    assert response.status_code == 200 and response.json() == {"data": {"viewer": None}}
