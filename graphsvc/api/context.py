"""The typed context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass

from graphsvc.api.limits import Deadline
from graphsvc.model.readmodel import ReadModel
from graphsvc.services import Services

__all__ = ["Context"]


@dataclass
class Context:
    services: Services
    deadline: Deadline | None = None
    """The deadline of the running operation; a write asks it before it commits."""

    @property
    def read_model(self) -> ReadModel:
        """The in-memory read model every query resolver reads."""
        return self.services.read_model
