"""GraphQL feedback on recommendations, and recommendations for the viewer's own PES.

- ``markRecommendation(practice, verdict, recommendedFor)``: a member token marks a recommended
  practice ``USEFUL`` or ``NOT_RELEVANT`` for its PES; marking again replaces the verdict.
- ``clearRecommendationMark(practice)``: withdraws it.
- ``recommendedForMe``: with a member token, the ``Pes.recommendedPractices`` connection of the
  member's PES: practices of other PES for its portfolio.

The mutations are thin over :mod:`graphsvc.edit.feedback` (authorise, validate, commit with PROV);
the marks live in the named graph ``graph/feedback`` and act on every ranking of practices through
:class:`graphsvc.recommend.feedback.FeedbackIndex` (see ``graphsvc.api.recommendations._rank``):
what the viewer's PES dismissed is left out, useful marks add a small boost that the item's
contributions and reasons show.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import anyio.to_thread
import strawberry
from graphql import GraphQLError

from graphsvc.api.context import Context
from graphsvc.api.history import Revision
from graphsvc.api.mutations import InvalidInputError, NotAuthorisedError, NotFoundError
from graphsvc.api.recommendations import (
    AFTER_DESCRIPTION,
    DIVERSIFY_DESCRIPTION,
    FIRST_DESCRIPTION,
    LANG_DESCRIPTION,
    RecommendationFilter,
    RecommendationStrategy,
    RecommendedPracticeConnection,
    ranked_practices,
)
from graphsvc.api.types.base import wrap
from graphsvc.edit.auth import ANONYMOUS, Principal
from graphsvc.edit.feedback import FeedbackOutcome, clear_mark, mark_recommendation
from graphsvc.edit.practices import InvalidInput, NotAuthorised, PracticeNotFound
from graphsvc.recommend.ranking import RankKind

if TYPE_CHECKING:
    from graphsvc.api.types.practices import Practice

__all__ = [
    "FeedbackMutation",
    "FeedbackQuery",
    "FeedbackVerdict",
    "RecommendationMark",
]

Info = strawberry.Info[Context, None]
PracticeT = Annotated["Practice", strawberry.lazy("graphsvc.api.types")]


@strawberry.enum(description="What a member PES says of a recommended practice.")
class FeedbackVerdict(enum.Enum):
    USEFUL = "useful"
    NOT_RELEVANT = "not-relevant"


FeedbackVerdict.USEFUL.__doc__ = "Worth learning from: adds a small boost in every PES's lists."
FeedbackVerdict.NOT_RELEVANT.__doc__ = "Not relevant: hidden from this PES's lists from now on."


@strawberry.type(description="A member PES's mark on a recommended practice, as stored now.")
class RecommendationMark:
    id: strawberry.ID = strawberry.field(description="The IRI of the mark, id:feedback/<hash>.")
    practice: PracticeT | None
    pes: strawberry.ID = strawberry.field(description="The PES that gave it.")
    verdict: FeedbackVerdict | None = strawberry.field(description="Null once withdrawn.")
    revision: Revision | None = strawberry.field(
        description="The change record; null when there was nothing to withdraw."
    )


MarkResult = Annotated[
    RecommendationMark | NotAuthorisedError | NotFoundError | InvalidInputError,
    strawberry.union("RecommendationMarkResult"),
]
Work = Callable[[Callable[[], bool]], FeedbackOutcome]


def _principal(info: Info) -> Principal:
    principal = getattr(info.context, "principal", ANONYMOUS)
    return principal if isinstance(principal, Principal) else ANONYMOUS


def _always() -> bool:
    return True


async def _run(info: Info, work: Work) -> MarkResult:
    """Run ``work`` in a worker thread (its commit refreshes the feedback index); expected
    failures become results."""
    deadline = info.context.deadline
    may_commit = deadline.begin_commit if deadline is not None else _always
    task = asyncio.ensure_future(anyio.to_thread.run_sync(work, may_commit))
    try:
        outcome = await asyncio.shield(task)  # a commit under way still refreshes the index
    except NotAuthorised as exc:
        return NotAuthorisedError(message=str(exc), path=list(exc.path))
    except PracticeNotFound as exc:
        return NotFoundError(
            message=f"No practice has the id {exc.iri}.",
            path=list(exc.path),
            id=strawberry.ID(exc.iri),
        )
    except InvalidInput as exc:
        return InvalidInputError.of(exc)
    found: Any = wrap(
        "Practice", info.context, info.context.read_model.practices.get(outcome.practice)
    )
    return RecommendationMark(
        id=strawberry.ID(outcome.iri),
        practice=found,
        pes=strawberry.ID(outcome.pes),
        verdict=FeedbackVerdict(outcome.verdict.value) if outcome.verdict else None,
        revision=Revision.from_record(outcome.record) if outcome.record else None,
    )


@strawberry.type
class FeedbackMutation:
    @strawberry.mutation(
        description="Mark a recommended practice useful or not relevant for your PES (member "
        "tokens). Marking again replaces the verdict. References accept a global ID, an IRI or "
        "a slug."
    )
    async def mark_recommendation(
        self,
        info: Info,
        practice: strawberry.ID,
        verdict: FeedbackVerdict,
        recommended_for: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The practice whose related list showed it."),
        ] = None,
    ) -> MarkResult:
        work = partial(
            mark_recommendation,
            info.context.services,
            _principal(info),
            str(practice),
            verdict.value,
            str(recommended_for) if recommended_for else None,
        )
        return await _run(info, work)

    @strawberry.mutation(description="Withdraw your PES's mark on a practice (member tokens).")
    async def clear_recommendation_mark(self, info: Info, practice: strawberry.ID) -> MarkResult:
        work = partial(clear_mark, info.context.services, _principal(info), str(practice))
        return await _run(info, work)


@strawberry.type
class FeedbackQuery:
    @strawberry.field(
        description="With a member token: practices of other PES ranked for your PES's "
        "portfolio (as Pes.recommendedPractices), leaving out those you marked not relevant; "
        "useful marks add a small boost that the contributions and reasons show. Without a "
        "member token: an error (FORBIDDEN)."
    )
    def recommended_for_me(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description=FIRST_DESCRIPTION)] = 10,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
        strategy: RecommendationStrategy = RecommendationStrategy.HYBRID,
        diversify: Annotated[bool, strawberry.argument(description=DIVERSIFY_DESCRIPTION)] = True,
        filter: RecommendationFilter | None = None,
        lang: Annotated[str, strawberry.argument(description=LANG_DESCRIPTION)] = "en",
    ) -> RecommendedPracticeConnection:
        token = _principal(info).token
        if token is None or token.pes is None:
            raise GraphQLError(
                "recommendedForMe needs a member token: send 'Authorization: Bearer <token>' "
                "with a token made by 'graphsvc tokens create --role member --pes IRI'.",
                extensions={"code": "FORBIDDEN"},
            )
        return ranked_practices(
            info.context,
            RankKind.FOR_PES,
            token.pes,
            first,
            after,
            strategy,
            diversify,
            filter,
            lang,
        )
