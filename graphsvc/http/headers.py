"""Security headers on every response, as ASGI middleware.

Every response gets ``X-Content-Type-Options: nosniff``, so that no browser reads a query
result or a download as something else than its declared type. HTML pages also get a
``Content-Security-Policy`` (scripts, frames and everything else only from where the page
needs them, ``frame-ancestors 'none'``), ``X-Frame-Options: DENY`` for older browsers and
``Referrer-Policy: strict-origin-when-cross-origin``; any other response gets the closed policy
``default-src 'none'; frame-ancestors 'none'; sandbox``, in case a browser renders it anyway.
A header the application has set itself is left alone.

:data:`PAGE_POLICY` fits the service's own pages without scripts (:mod:`graphsvc.web.html`):
stylesheets from this origin, forms that post to it; :data:`SCRIPT_PAGE_POLICY` those that run
the bundled scripts of ``frontend/consoles`` (:mod:`graphsvc.http.pages`), which set it
themselves. A page with inline scripts can get a policy of its own from :func:`page_policy`,
keyed by path.
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
    "SCRIPT_PAGE_POLICY",
    "SecurityHeaders",
    "inline_script_hashes",
    "page_policy",
    "secured",
]

PAGE_POLICY = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SCRIPT_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; img-src 'self' data:; connect-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
"""Pages that run the service's own bundled scripts (GraphiQL, the SPARQL editor): files
from this origin only, no inline script (``style-src`` allows the style attributes they set)."""
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
REFERRER_POLICY = "strict-origin-when-cross-origin"

_NOSNIFF = (b"x-content-type-options", b"nosniff")
_OTHER = (b"content-security-policy", OTHER_POLICY.encode())
_FRAME = (b"x-frame-options", b"DENY")
_REFERRER = (b"referrer-policy", REFERRER_POLICY.encode())
_Header = tuple[bytes, bytes]
_Memo = tuple[list[_Header], _Header, list[_Header]]
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

    def __init__(self, app: ASGIApp | None, page_policies: Mapping[str, str] | None = None) -> None:
        self.app = app
        self.page_policies = {
            path: (b"content-security-policy", policy.encode())
            for path, policy in (page_policies or {}).items()
        }
        self.default_page = (b"content-security-policy", PAGE_POLICY.encode())
        self._memo: _Memo | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, self.wrap(scope, send))

    def wrap(self, scope: Scope, send: Send) -> Send:
        """``send``, adding the security headers to the response start."""
        page = self.page_policies.get(scope["path"], self.default_page)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # the message is the sender's to give away; its header list may be shared
                message["headers"] = self.secure(message.get("headers", ()), page)
            await send(message)

        return send_with_headers

    def secure(
        self, headers: Iterable[tuple[bytes, bytes]], page: tuple[bytes, bytes]
    ) -> list[tuple[bytes, bytes]]:
        """:func:`secured`, remembered for the last header list seen: a cached answer sends
        the same list object, which is never changed, every time (see
        :class:`graphsvc.web.cache.Rendered`), and then costs one comparison."""
        memo = self._memo
        if memo is not None and memo[0] is headers and memo[1] is page:
            return memo[2]
        result = secured(headers, page)
        if isinstance(headers, list):
            self._memo = (headers, page, result)  # holds ``headers``, so its id is not reused
        return result


def secured(
    headers: Iterable[tuple[bytes, bytes]], page: tuple[bytes, bytes]
) -> list[tuple[bytes, bytes]]:
    """``headers`` and the security headers they lack (ASGI header names are lower-case)."""
    html = has_policy = has_nosniff = has_frame = has_referrer = False
    for name, value in headers:
        if name == b"content-type":
            html = value.startswith(b"text/html")
        elif name == b"content-security-policy":
            has_policy = True
        elif name == b"x-content-type-options":
            has_nosniff = True
        elif name == b"x-frame-options":
            has_frame = True
        elif name == b"referrer-policy":
            has_referrer = True
    secured = list(headers)
    if not has_nosniff:
        secured.append(_NOSNIFF)
    if not has_policy:
        secured.append(page if html else _OTHER)
    if html:
        if not has_frame:
            secured.append(_FRAME)
        if not has_referrer:
            secured.append(_REFERRER)
    return secured
