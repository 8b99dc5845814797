"""Researcher-facing HTTP: SPARQL protocol, exports, IRI dereferencing."""

from __future__ import annotations

from starlette.routing import BaseRoute

from graphsvc.settings import Settings

__all__ = ["web_routes"]


def web_routes(settings: Settings) -> list[BaseRoute]:
    return []
