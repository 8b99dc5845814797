"""The service's own HTML over plain HTTP: content negotiation (a browser gets a page, every other
client RDF or results as before), the bundled consoles with their caching, and the templates'
escaping."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, Triple

from graphsvc.http.assets import CONSOLES, IMMUTABLE, BuildMissingError, ViteBuild
from graphsvc.http.pages import graphiql_response
from graphsvc.web.describe import Description
from graphsvc.web.examples import example_queries
from graphsvc.web.html import app_url, entity_page

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
QUERIES = Path(__file__).resolve().parents[2] / "docs" / "queries"


def _base(client: httpx.Client) -> str:
    return str(client.base_url).rstrip("/")


# --- /dataset ----------------------------------------------------------------------------------


def test_dataset_is_a_page_for_browsers(client: httpx.Client) -> None:
    response = client.get("/dataset", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Accept" in response.headers["vary"]
    page = response.text
    base = _base(client)
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in page
    assert f'href="{base}/export/nq.gz"' in page and f'href="{base}/export/trig"' in page
    assert f'href="{base}/sparql"' in page
    for example in sorted(QUERIES.glob("*.rq")):
        assert f'href="{base}/sparql#example={example.stem}"' in page


@pytest.mark.parametrize(
    ("path", "accept", "media_type"),
    [
        ("/dataset", None, "text/turtle"),  # curl
        ("/dataset", "text/turtle", "text/turtle"),
        ("/dataset", "application/ld+json", "application/ld+json"),
        ("/.well-known/void", BROWSER, "application/rdf+xml"),  # the well-known address stays RDF
    ],
)
def test_dataset_is_rdf_for_everyone_else(
    client: httpx.Client, path: str, accept: str | None, media_type: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


def test_void_names_the_landing_page_as_homepage(client: httpx.Client) -> None:
    graph = rdflib.Graph().parse(
        data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).text,
        format="turtle",
    )
    dataset = rdflib.URIRef("https://w3id.org/graphsvc/dataset")
    homepage = graph.value(dataset, rdflib.FOAF.homepage)
    assert homepage == rdflib.URIRef(_base(client) + "/dataset")
    assert client.get(str(homepage), headers={"Accept": BROWSER}).text.startswith("<!doctype html>")


# --- /sparql and /graphql in a browser ----------------------------------------------------------


def test_sparql_editor_page_carries_every_example(client: httpx.Client) -> None:
    response = client.get("/sparql", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = response.text
    assert re.search(
        r'<script type="module" src="/static/consoles/assets/sparql-[\w-]+\.js">', page
    )
    block = re.search(
        r'<script type="application/json" id="example-queries">(.*?)</script>', page, re.S
    )
    assert block is not None
    texts = json.loads(block.group(1))
    files = {path.stem: path.read_text(encoding="utf-8") for path in QUERIES.glob("*.rq")}
    assert texts == files and len(files) >= 10
    for name in files:
        assert f'data-example="{name}"' in page
    # without scripts, the form still submits to the endpoint
    assert '<form id="sparql-form" method="get" action="' in page and 'name="query"' in page


def test_sparql_answers_are_unchanged_for_programs(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert not response.headers["content-type"].startswith("text/html")


def test_graphiql_is_bundled(client: httpx.Client) -> None:
    response = client.get("/graphql", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    page = response.text
    assert "unpkg" not in page and "https://" not in page.split("<body>")[0]
    scripts = re.findall(r'<script type="module" src="(/static/consoles/assets/[^"]+)">', page)
    styles = re.findall(r'<link rel="stylesheet" href="(/static/consoles/assets/[^"]+)">', page)
    assert scripts and styles
    for path in scripts + styles:
        asset = client.get(path)
        assert asset.status_code == 200, path
        assert asset.headers["cache-control"] == IMMUTABLE
    assert client.get(scripts[0]).headers["content-type"].split(";")[0] in (
        "text/javascript",
        "application/javascript",
    )


@pytest.mark.parametrize(
    "path",
    [
        "/static/consoles/assets/no-such-file.js",
        "/static/consoles/assets/..%2F.vite%2Fmanifest.json",
        "/static/consoles/assets/%2E%2E",
    ],
)
def test_only_built_assets_are_served(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "manifest" not in response.text.split("not found")[0]


# --- entity pages --------------------------------------------------------------------------------


def test_practice_page_lists_related_practices_with_reasons(client: httpx.Client) -> None:
    page = client.get("/id/practice/ohjaamo", headers={"Accept": BROWSER}).text
    base = _base(client)
    assert '<h2 id="related">Related practices</h2>' in page
    assert "shares theme" in page and "Share of the score: shared themes" in page
    assert f'href="{base}/practice/ohjaamo">Open in the discovery app</a>' in page
    assert f'class="app" href="{base}/practice/' in page


def test_pes_page_lists_peers_and_recommended_practices(client: httpx.Client) -> None:
    page = client.get("/id/pes/fin-te-services", headers={"Accept": BROWSER}).text
    assert '<h2 id="peers">Peer PES</h2>' in page
    assert '<h2 id="recommended">Practices recommended for this PES</h2>' in page
    assert page.count('class="app" href=') >= 2


def test_app_links_exist_for_the_app_views_only() -> None:
    base = "http://x"
    assert (
        app_url("https://w3id.org/graphsvc/id/practice/ohjaamo", base)
        == "http://x/practice/ohjaamo"
    )
    assert (
        app_url("https://w3id.org/graphsvc/id/pes/fin-te-services", base)
        == "http://x/pes/fin-te-services"
    )
    assert (
        app_url("https://w3id.org/graphsvc/id/theme/youth-guarantee", base)
        == "http://x/theme/youth-guarantee"
    )
    assert app_url("https://w3id.org/graphsvc/id/membership/a/b", base) is None
    assert app_url("https://w3id.org/graphsvc/id/role/member", base) is None
    assert app_url("https://example.org/practice/x", base) is None


def test_templates_escape_every_value() -> None:
    iri = "https://w3id.org/graphsvc/id/practice/x"
    evil = '<script>alert("x")</script>'
    title = NamedNode("http://purl.org/dc/terms/title")
    description = Description(
        iri, triples=[Triple(NamedNode(iri), title, Literal(evil, language="en"))]
    )
    description.add_label(NamedNode(iri), Literal(evil))
    page = entity_page(description, "http://x", 'http://x/id/practice/x"><b>')
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert '"><b>' not in page


# --- the build and its manifest --------------------------------------------------------------------


def test_an_entry_names_its_chunks_and_styles(tmp_path: Path) -> None:
    manifest = {
        "src/a.js": {
            "file": "assets/a-1.js",
            "isEntry": True,
            "imports": ["_shared"],
            "css": ["assets/a-2.css"],
        },
        "_shared": {"file": "assets/shared-3.js", "css": ["assets/shared-4.css"]},
    }
    (tmp_path / ".vite").mkdir()
    (tmp_path / ".vite" / "manifest.json").write_text(json.dumps(manifest))
    files = ViteBuild("x", tmp_path, "/static/x/").entry("src/a.js")
    assert files.scripts == ("/static/x/assets/a-1.js",)
    assert files.preloads == ("/static/x/assets/shared-3.js",)
    assert files.styles == ("/static/x/assets/a-2.css", "/static/x/assets/shared-4.css")


def test_a_missing_build_says_how_to_make_it(tmp_path: Path) -> None:
    build = ViteBuild("consoles", tmp_path / "dist", "/static/consoles/")
    with pytest.raises(BuildMissingError, match="make frontend"):
        build.entry("src/graphiql.js")
    assert build.optional_entry("src/pages.css").styles == ()


def test_graphiql_without_its_build_is_503(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(CONSOLES, "dist", tmp_path)
    response = graphiql_response()
    assert response.status_code == 503
    assert b"make frontend" in response.body


def test_every_example_has_a_title() -> None:
    examples = example_queries()
    assert [e.name for e in examples] == sorted(p.stem for p in QUERIES.glob("*.rq"))
    assert all(e.title and not e.title.startswith("#") for e in examples)
