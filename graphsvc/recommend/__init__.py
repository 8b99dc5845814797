"""Recommendations that explain themselves: projection, algorithms, index, data generator, evaluation.

See ``docs/recommendations.md``; the entry point is :class:`graphsvc.recommend.index.RecommendationIndex`.
"""

from __future__ import annotations

__all__: list[str] = []
