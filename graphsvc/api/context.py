"""The typed context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from graphsvc.model.readmodel import ReadModel
from graphsvc.services import Services

__all__ = ["CommitGate", "Context"]


class CommitGate(Protocol):
    """What a write asks of its operation's deadline (``api.server.limits.Deadline``)."""

    def begin_commit(self) -> bool:
        """True if the write may still commit; from then on the deadline cannot fire."""
        ...


@dataclass
class Context:
    services: Services
    deadline: CommitGate | None = None
    """The deadline of the running operation; a write asks it before it commits."""

    @property
    def read_model(self) -> ReadModel:
        """The in-memory read model every query resolver reads."""
        return self.services.read_model
