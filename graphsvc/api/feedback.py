"""GraphQL feedback on recommendations, and recommendations for the viewer's own PES.

- ``markRecommendation(practice, verdict, recommendedFor)``: a member token marks a recommended
  practice ``USEFUL`` or ``NOT_RELEVANT`` for its PES; marking again replaces the verdict.
- ``clearRecommendationMark(practice)``: withdraws it.
- ``recommendedForMe(first, lang)``: with a member token, practices ranked for the member PES's
  portfolio, leaving out its own practices and those it marked not relevant; useful marks add a
  small boost, which the item's contributions and reasons show.

The mutations are thin over :mod:`graphsvc.edit.feedback` (authorise, validate, commit with PROV);
the marks live in the named graph ``graph/feedback`` and act through
:class:`graphsvc.recommend.feedback.FeedbackIndex`.
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
from graphsvc.api.mutations import FieldError, InvalidInputError, NotAuthorisedError, NotFoundError
from graphsvc.api.recommendations import (
    MAX_RECOMMENDATIONS,
    Contribution,
    Reason,
    ReasonNode,
    RecommendedPractice,
)
from graphsvc.api.types.base import wrap
from graphsvc.edit.auth import ANONYMOUS, Principal
from graphsvc.edit.feedback import FeedbackOutcome, clear_mark, mark_recommendation
from graphsvc.edit.practices import InvalidInput, NotAuthorised, PracticeNotFound
from graphsvc.errors import InputError
from graphsvc.recommend.explain import Recommendation
from graphsvc.recommend.ranking import RankKind, RankRequest

if TYPE_CHECKING:
    from graphsvc.api.types.practices import Practice

__all__ = [
    "FeedbackMutation",
    "FeedbackQuery",
    "FeedbackVerdict",
    "RecommendationMark",
    "recommended_for_pes",
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
        errors = [FieldError(path=list(p.path), message=p.message) for p in exc.problems]
        return InvalidInputError(message=str(exc), path=list(exc.problems[0].path), errors=errors)
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


def _converted(ctx: Context, items: list[Recommendation]) -> list[RecommendedPractice]:
    out: list[RecommendedPractice] = []
    for item in items:
        record = ctx.read_model.practices.get(item.iri)
        if record is None:
            continue
        practice: Any = wrap("Practice", ctx, record)
        out.append(
            RecommendedPractice(
                rank=len(out) + 1,
                score=item.score,
                practice=practice,
                contributions=[
                    Contribution(signal=c.signal, method=c.method, value=c.value)
                    for c in item.contributions
                ],
                reasons=[
                    Reason(
                        signal=r.signal,
                        text=r.text,
                        nodes=[ReasonNode(iri=n.iri, label=n.label, kind=n.kind) for n in r.nodes],
                    )
                    for r in item.reasons
                ],
            )
        )
    return out


def recommended_for_pes(
    ctx: Context, pes: str, first: int, lang: str = "en"
) -> list[Recommendation]:
    """Practices of other PES for ``pes``'s portfolio (diversified, as the default list), without
    those it dismissed, with the useful marks' boosts and their reasons."""
    if not 0 <= first <= MAX_RECOMMENDATIONS:
        raise InputError(f"first: give a number from 0 to {MAX_RECOMMENDATIONS}; got {first}")
    feedback = ctx.services.feedback
    request = RankRequest(
        RankKind.FOR_PES,
        pes,
        first=first,
        lang=lang,
        exclude=feedback.dismissed(pes),
        boosts=feedback.boosts(),
    )
    ranking = ctx.services.recommendations.rank(request)
    return [feedback.explain(item, pes, lang) for item in ranking.items]


@strawberry.type
class FeedbackQuery:
    @strawberry.field(
        description="With a member token: practices of other PES ranked for your PES's "
        "portfolio, leaving out those you marked not relevant; useful marks add a small boost "
        "that the contributions and reasons show."
    )
    def recommended_for_me(
        self,
        info: Info,
        first: Annotated[
            int,
            strawberry.argument(
                description=f"How many (default 10, at most {MAX_RECOMMENDATIONS})."
            ),
        ] = 10,
        lang: Annotated[
            str,
            strawberry.argument(description="Language of the feedback reasons: en, fr, es or sv."),
        ] = "en",
    ) -> list[RecommendedPractice]:
        token = _principal(info).token
        if token is None or token.pes is None:
            raise GraphQLError(
                "recommendedForMe needs a member token: send 'Authorization: Bearer <token>' "
                "with a token made by 'graphsvc tokens create --role member --pes IRI'.",
                extensions={"code": "FORBIDDEN"},
            )
        return _converted(info.context, recommended_for_pes(info.context, token.pes, first, lang))
