"""Attack: frame a page (clickjacking), inject script into one, or have a browser sniff a result.

Every response carries ``X-Content-Type-Options: nosniff``; every HTML page a
``Content-Security-Policy`` with ``frame-ancestors 'none'``, ``X-Frame-Options: DENY`` and a
``Referrer-Policy``; anything else a closed policy. Each page is also audited against its own
policy, so that the policy does not break it: every script, style, image and form it uses must
be allowed, and nothing it would need blocked (inline handlers, frames) may be in it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from support import RunningApp

from graphsvc.http.headers import OTHER_POLICY, PAGE_POLICY, SCRIPT_PAGE_POLICY, SecurityHeaders

from .wire import assert_healthy

JS_TYPES = {"", "text/javascript", "application/javascript", "module"}


def parse_policy(header: str) -> dict[str, set[str]]:
    policy = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        policy[name] = set(sources)
    return policy


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class PageAudit(HTMLParser):
    """What a page asks the browser to load or run, and what its policy would block."""

    def __init__(self, page_url: str, policy: dict[str, set[str]]) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.policy = policy
        self.blocked: list[str] = []
        self._script: str | None = None
        self._style = False

    def sources(self, directive: str) -> set[str]:
        return self.policy.get(directive, self.policy.get("default-src", set()))

    def allows(self, directive: str, url: str) -> bool:
        sources = self.sources(directive)
        absolute = urljoin(self.page_url, url)
        if absolute.startswith("data:"):
            return "data:" in sources
        if origin(absolute) == origin(self.page_url) and "'self'" in sources:
            return True
        return origin(absolute) in sources

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        for name, value in attributes.items():
            if name.startswith("on"):
                self.blocked.append(f"inline handler {name} on <{tag}>")
            if value.strip().lower().startswith("javascript:"):
                self.blocked.append(f"javascript: URL in <{tag} {name}>")
        if "style" in attributes and "'unsafe-inline'" not in self.sources("style-src"):
            self.blocked.append(f"style attribute on <{tag}>")
        if tag in ("iframe", "frame", "object", "embed"):
            self.blocked.append(f"<{tag}>")
        elif tag == "script" and attributes.get("type", "").lower() in JS_TYPES:
            if "src" in attributes:
                if not self.allows("script-src", attributes["src"]):
                    self.blocked.append(f"script {attributes['src']}")
                elif origin(urljoin(self.page_url, attributes["src"])) != origin(self.page_url):
                    assert attributes.get("integrity"), f"unpinned script {attributes['src']}"
            else:
                self._script = ""
        elif tag == "style":
            self._style = True
        elif tag == "link" and "stylesheet" in attributes.get("rel", "").split():
            if not self.allows("style-src", attributes["href"]):
                self.blocked.append(f"stylesheet {attributes['href']}")
            elif origin(urljoin(self.page_url, attributes["href"])) != origin(self.page_url):
                assert attributes.get("integrity"), f"unpinned stylesheet {attributes['href']}"
        elif tag == "link" and "icon" in attributes.get("rel", "").split():
            if not self.allows("img-src", attributes["href"]):
                self.blocked.append(f"icon {attributes['href'][:40]}")
        elif tag == "img" and not self.allows("img-src", attributes.get("src", "")):
            self.blocked.append(f"image {attributes.get('src')}")
        elif tag == "form" and not self.allows("form-action", attributes.get("action", "")):
            self.blocked.append(f"form action {attributes.get('action')}")

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            digest = base64.b64encode(hashlib.sha256(self._script.encode()).digest()).decode()
            sources = self.sources("script-src")
            if f"'sha256-{digest}'" not in sources and "'unsafe-inline'" not in sources:
                self.blocked.append(f"inline script sha256-{digest}")
            self._script = None
        elif tag == "style":
            if "'unsafe-inline'" not in self.sources("style-src"):
                self.blocked.append("<style> element")
            self._style = False


def assert_page_headers(response: httpx.Response) -> dict[str, set[str]]:
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    (header,) = response.headers.get_list("content-security-policy")
    policy = parse_policy(header)
    assert policy["frame-ancestors"] == {"'none'"}
    assert policy["default-src"] == {"'none'"}
    assert policy["base-uri"] == {"'none'"}
    assert "'unsafe-eval'" not in policy.get("script-src", set())
    return policy


PAGES = [
    ("/sparql", 200),  # the query form
    ("/id/theme/green-transition", 200),  # an entity page
    ("/id/pes/no-such-thing", 404),  # the not-found page
    ("/ontology", 200),  # the ontology's documentation (pyLODE)
    ("/graphql", 200),  # GraphiQL
]


@pytest.mark.parametrize(("path", "status"), PAGES)
def test_every_html_page_has_a_policy_that_it_can_live_with(
    seeded_service: RunningApp, path: str, status: int
) -> None:
    with seeded_service.client() as client:
        response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == status
    policy = assert_page_headers(response)
    audit = PageAudit(str(response.url), policy)
    audit.feed(response.text)
    assert audit.blocked == []
    if path in ("/graphql", "/sparql"):  # GraphiQL and the SPARQL editor: bundled scripts
        assert response.headers["content-security-policy"] == SCRIPT_PAGE_POLICY
    else:  # the service's other pages run no script at all
        assert "script-src" not in policy
        assert response.headers["content-security-policy"] == PAGE_POLICY
    assert_healthy(seeded_service)


@pytest.mark.parametrize("path", ["/graphql", "/sparql"])
def test_consoles_run_their_own_scripts_and_no_others(
    seeded_service: RunningApp, path: str
) -> None:
    with seeded_service.client() as client:
        page = client.get(path, headers={"Accept": "text/html"})
    policy = parse_policy(page.headers["content-security-policy"])
    assert policy["script-src"] == {"'self'"}  # no other origin, no 'unsafe-inline'
    assert policy["connect-src"] == {"'self'"}
    assert '<script type="module" src="/static/consoles/assets/' in page.text
    # a script injected into the page would not run
    audit = PageAudit(str(page.url), policy)
    audit.feed(page.text.replace("</body>", "<script>alert(1)</script></body>"))
    assert len(audit.blocked) == 1 and audit.blocked[0].startswith("inline script")
    assert_healthy(seeded_service)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/sparql?query=ASK%20%7B%7D", 200),
        ("GET", "/sparql?query=ASK%20%7B%7D", 200),  # the same again: from the cache
        ("GET", "/sparql?query=SELECT", 400),
        ("GET", "/export/nt", 200),
        ("GET", "/id/theme/green-transition", 200),  # Turtle, by default
        ("GET", "/graph/reference/nothing", 303),
        ("GET", "/context.jsonld", 200),
        ("GET", "/no/such/route", 404),
        ("GET", "/healthz", 200),
        ("DELETE", "/sparql", 405),
        ("GET", "/graphql?query=%7B__typename%7D", 200),
    ],
)
def test_every_other_response_is_nosniff_and_closed(
    seeded_service: RunningApp, method: str, path: str, status: int
) -> None:
    with seeded_service.client() as client:
        response = client.request(method, path, follow_redirects=False)
    assert response.status_code == status
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]
    assert response.headers.get_list("content-security-policy") == [OTHER_POLICY]
    assert "x-frame-options" not in response.headers
    assert_healthy(seeded_service)


def test_a_refusal_carries_the_headers_too(http_service: Callable[..., RunningApp]) -> None:
    app = http_service(web_rate_per_address=0.001, web_burst_per_address=1)
    with app.client() as client:
        client.get("/context.jsonld")
        refused = client.get("/context.jsonld")
    assert refused.status_code == 429
    assert refused.headers["x-content-type-options"] == "nosniff"
    assert_healthy(app)


def test_headers_an_application_sets_itself_are_kept() -> None:
    async def own(request: Request) -> HTMLResponse:
        return HTMLResponse(
            "<p>hi</p>",
            headers={
                "Content-Security-Policy": "default-src 'self'",
                "X-Frame-Options": "SAMEORIGIN",
            },
        )

    app = SecurityHeaders(Starlette(routes=[Route("/own", own)]))

    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/own")

    response = asyncio.run(fetch())
    assert response.headers.get_list("content-security-policy") == ["default-src 'self'"]
    assert response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["x-content-type-options"] == "nosniff"
