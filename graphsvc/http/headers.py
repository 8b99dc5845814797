"""Security headers on every response, as ASGI middleware.

Every response gets ``X-Content-Type-Options: nosniff``, so that no browser reads a query
result or a download as something else than its declared type. HTML pages also get a
``Content-Security-Policy`` (scripts, frames and everything else only from where the page
needs them, ``frame-ancestors 'none'``), ``X-Frame-Options: DENY`` for older browsers and
``Referrer-Policy: strict-origin-when-cross-origin``; any other response gets the closed policy
``default-src 'none'; frame-ancestors 'none'; sandbox``, in case a browser renders it anyway.
A header the application has set itself is left alone.

:data:`PAGE_POLICY` fits the service's own pages (:mod:`graphsvc.web.html`): no script at all,
the inline ``<style>`` element, forms that post to this origin. A page with scripts gets a policy
of its own from :func:`page_policy`, keyed by path (GraphiQL on ``/graphql``).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "OTHER_POLICY",
    "PAGE_POLICY",
    "REFERRER_POLICY",
    "SecurityHeaders",
    "inline_script_hashes",
    "page_policy",
]

PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
REFERRER_POLICY = "strict-origin-when-cross-origin"

_NOSNIFF = (b"x-content-type-options", b"nosniff")
_OTHER = (b"content-security-policy", OTHER_POLICY.encode())
_PAGE_EXTRA = (
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", REFERRER_POLICY.encode()),
)
_INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE
)


def inline_script_hashes(html: str) -> list[str]:
    """CSP sources (``'sha256-…'``) for each inline ``<script>`` element of ``html``."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]


def page_policy(html: str, origins: Iterable[str] = ()) -> str:
    """A policy for a page that runs the inline scripts of ``html`` and loads scripts, styles
    and fonts from ``origins`` (subresource integrity pins the files themselves)."""
    remote = " ".join(origins)
    scripts = " ".join(inline_script_hashes(html))
    return (
        f"default-src 'none'; script-src {scripts} {remote}; "
        f"style-src 'unsafe-inline' {remote}; font-src data: {remote}; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    """Add the security headers to each response's start message."""

    def __init__(self, app: ASGIApp, page_policies: Mapping[str, str] | None = None) -> None:
        self.app = app
        self.page_policies = {
            path: (b"content-security-policy", policy.encode())
            for path, policy in (page_policies or {}).items()
        }
        self.default_page = (b"content-security-policy", PAGE_POLICY.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        page = self.page_policies.get(scope["path"], self.default_page)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = _with_headers(message, page)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _with_headers(message: Message, page: tuple[bytes, bytes]) -> Message:
    headers = message.get("headers") or []
    html = has_policy = has_nosniff = False
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"content-type":
            html = value[:9].lower() == b"text/html"
        elif lowered == b"content-security-policy":
            has_policy = True
        elif lowered == b"x-content-type-options":
            has_nosniff = True
    added = [] if has_nosniff else [_NOSNIFF]
    if html:
        if not has_policy:
            added.append(page)
        added.extend(
            header
            for header in _PAGE_EXTRA
            if all(name.lower() != header[0] for name, _ in headers)
        )
    elif not has_policy:
        added.append(_OTHER)
    # a new list: the application may reuse its own (cached answers do)
    return {**message, "headers": [*headers, *added]}
