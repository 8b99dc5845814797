"""The recommendation index of a running service, kept current by the change listener.

:func:`attach_recommendations` builds the index from the service's read model and registers
:meth:`~graphsvc.recommend.index.RecommendationIndex.apply_change` with ``services.on_change``,
after the read model's own listener, so that it reads the refreshed records: after a practice is
created, updated or deleted, its recommendations reflect it as soon as the write is acknowledged
(one practice costs O(degree of its neighbours), far under a millisecond at 100k practices).
A change to a PES, a theme, an event or another non-practice node does not wait for the rebuild
it needs (seconds at 100k practices): the index rebuilds in a background thread and serves the
previous state until then (see :mod:`graphsvc.recommend.index`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from graphsvc.errors import GraphsvcError
from graphsvc.recommend.index import RecommendationIndex

if TYPE_CHECKING:
    from graphsvc.services import Services

__all__ = ["attach_recommendations", "recommendations"]

log = logging.getLogger(__name__)


def attach_recommendations(services: Services) -> RecommendationIndex:
    """Build the index for ``services`` and keep it current; call after the read model exists."""
    index = RecommendationIndex(services.read_model)
    services.recommendations = index
    services.on_change(index.apply_change)
    log.info("built the recommendation index in %.2f s", index.build_seconds)
    return index


def recommendations(services: Services) -> RecommendationIndex:
    """The service's index (an error if the service was started without one)."""
    index = services.recommendations
    if index is None:
        raise GraphsvcError("the recommendation index is not built for this service")
    return index
