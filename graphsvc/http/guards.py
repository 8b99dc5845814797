"""The middleware that stands in front of the whole application, direct routes included."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from starlette.middleware import Middleware

from graphsvc.http.clients import client_identity
from graphsvc.http.headers import SecurityHeaders
from graphsvc.http.limits import ClientLimits
from graphsvc.settings import Settings

__all__ = ["guard_middleware"]


def guard_middleware(
    settings: Settings,
    limited_paths: Iterable[str],
    page_policies: Mapping[str, str] | None = None,
) -> list[Middleware]:
    """Security headers on every response (outermost, so a refusal gets them too), then the
    per-client limits on ``limited_paths``."""
    client_identity(settings)  # a bad proxy setting stops the start, not the first request
    return [
        Middleware(SecurityHeaders, page_policies=dict(page_policies or {})),
        Middleware(ClientLimits, settings=settings, paths=tuple(limited_paths)),
    ]
