"""graphsvc: a knowledge graph of public employment services, their networks and good practices."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
