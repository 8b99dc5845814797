"""The typed context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass

from graphsvc.services import Services

__all__ = ["Context"]


@dataclass
class Context:
    services: Services
