"""Recommendations that explain themselves: the projection of the read model, the fast sparse
scorers, diversity and filters, communities and paths (NetworkX), feedback as a signal, reasons
in four languages, and the offline evaluation with its baselines.

See ``docs/recommendations.md``; the entry point is :func:`graphsvc.recommend.ranking.rank`,
served by :class:`graphsvc.recommend.index.RecommendationIndex`. It may import ``model``,
``store`` and the bottom modules (``errors``, ``settings``, ``vocab``), never the faces above.
"""

from __future__ import annotations

__all__: list[str] = []
