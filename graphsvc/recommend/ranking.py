"""The ranking entry point: one request in, one page of a stable, explained ranking out.

:func:`rank` serves the four rankings (:class:`RankKind`): practices related to a practice,
practices for a PES (of other PES, on its themes), practices for a profile (themes, a country,
target groups) and peer PES. A :class:`RankRequest` says which, with :class:`Filters`, whether to
diversify (default: yes), the strategy, the page (``offset``, ``first``), the language of the
reasons, items to leave out and items to boost (feedback). The answer, a :class:`Ranking`, holds
the page, the number of items in the whole ranking and, when it is empty, the reason why.

Scores are bounded and mean the same in every query (see :mod:`graphsvc.recommend.queries`):
items under :data:`MIN_SCORE` are never shown, and each item's ``strength`` is ``strong`` from
:data:`STRENGTH_BANDS`\\ [0], ``moderate`` from [1], else ``weak``. The order is stable: the same
state gives the same list, so pages cut from it with cursors fit together.

Example::

    >>> page = rank(state, RankRequest(RankKind.RELATED, practice_iri, first=5))  # doctest: +SKIP
    >>> [(r.label, r.strength) for r in page.items]                              # doctest: +SKIP
"""

from __future__ import annotations

from graphsvc.errors import InputError
from graphsvc.recommend import queries
from graphsvc.recommend.filters import Filters
from graphsvc.recommend.queries import MIN_PEER_SCORE
from graphsvc.recommend.requests import (
    HYBRID_WEIGHTS,
    MAX_DEPTH,
    MAX_FIRST,
    MIN_SCORE,
    STRENGTH_BANDS,
    Ranking,
    RankKind,
    RankRequest,
    Strategy,
)
from graphsvc.recommend.state import IndexState

__all__ = [
    "HYBRID_WEIGHTS",
    "MAX_DEPTH",
    "MAX_FIRST",
    "MIN_PEER_SCORE",
    "MIN_SCORE",
    "STRENGTH_BANDS",
    "Filters",
    "RankKind",
    "RankRequest",
    "Ranking",
    "Strategy",
    "rank",
]


def _check_page(request: RankRequest) -> None:
    if not 0 <= request.first <= MAX_FIRST:
        raise InputError(f"first: give a number from 0 to {MAX_FIRST}; got {request.first}")
    if request.offset < 0:
        raise InputError(f"offset: must not be negative; got {request.offset}")
    if request.offset + request.first > MAX_DEPTH:
        raise InputError(
            f"after: a ranking holds at most {MAX_DEPTH} items; "
            f"position {request.offset + request.first} is beyond"
        )


def rank(state: IndexState, request: RankRequest) -> Ranking:
    """One page of the ranking ``request`` asks for (see the module docstring).

    Errors: :class:`~graphsvc.errors.NotFoundError` for an unknown subject or filter value,
    :class:`~graphsvc.errors.InputError` for a bad page, strategy or empty profile.
    """
    _check_page(request)
    return queries.run(state, request)
