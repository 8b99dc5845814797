"""The read model: typed records (``records``) read from the store by one table-driven loader
(``loaders``), indexed for lists, facets and search (``readmodel``, ``selection``, ``search``),
and the one global-ID scheme with its reference resolver (``ids``).

It may import ``store`` and the bottom modules (``errors``, ``settings``, ``vocab``) only.
"""

from __future__ import annotations

from graphsvc.model.readmodel import ReadModel, build_read_model

__all__ = ["ReadModel", "build_read_model"]
