"""The typed context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass

from graphsvc.model.readmodel import ReadModel
from graphsvc.services import Services

__all__ = ["Context"]


@dataclass
class Context:
    services: Services

    @property
    def read_model(self) -> ReadModel:
        """The in-memory read model every query resolver reads."""
        return self.services.read_model
