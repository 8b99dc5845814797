"""The read model: typed records and indexes built from the store (see ``model.readmodel``)."""

from __future__ import annotations

from graphsvc.model.readmodel import ReadModel, build_read_model

__all__ = ["ReadModel", "build_read_model"]
