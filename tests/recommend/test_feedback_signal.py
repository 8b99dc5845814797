"""The feedback signal: dismissed items for their PES only, useful marks boost a little (capped)
through the ranking, and the reason says so in the requested language."""

from __future__ import annotations

import pytest

from graphsvc.recommend.feedback import (
    MAX_BOOST,
    USEFUL_BOOST,
    FeedbackIndex,
    Mark,
    Verdict,
    feedback_reason,
)
from graphsvc.recommend.index import RecommendationIndex
from graphsvc.recommend.ranking import RankKind, RankRequest
from graphsvc.recommend.source import RecordSet
from recommend.graphs import A

ID = "https://w3id.org/graphsvc/id/"
ME, OTHER, THIRD, FOURTH = (f"{ID}pes/{k}" for k in ("me", "other", "third", "fourth"))


def mark(pes: str, key: str, verdict: Verdict) -> Mark:
    return Mark(f"{ID}feedback/{pes[-2:]}-{key}", pes, f"{ID}practice/{key}", verdict, "")


def test_dismissed_items_are_for_their_pes_only() -> None:
    fb = FeedbackIndex([mark(ME, "a", Verdict.NOT_RELEVANT), mark(ME, "b", Verdict.USEFUL)])
    assert fb.dismissed(ME) == {f"{ID}practice/a"}
    assert fb.dismissed(OTHER) == frozenset()


def test_useful_marks_give_small_capped_boosts() -> None:
    marks = [mark(p, "d", Verdict.USEFUL) for p in (ME, OTHER, THIRD, FOURTH)]
    marks += [mark(OTHER, "b", Verdict.USEFUL), mark(ME, "a", Verdict.NOT_RELEVANT)]
    boosts = FeedbackIndex(marks).boosts()
    assert boosts == {
        f"{ID}practice/d": pytest.approx(MAX_BOOST),  # four PES, capped
        f"{ID}practice/b": pytest.approx(USEFUL_BOOST),
    }
    assert 4 * USEFUL_BOOST > MAX_BOOST


def test_the_explanation_says_who_marked_it(small: RecordSet) -> None:
    fb = FeedbackIndex([mark(OTHER, "b", Verdict.USEFUL), mark(ME, "b", Verdict.USEFUL)])
    index = RecommendationIndex(small)
    b = f"{ID}practice/b"
    request = RankRequest(RankKind.RELATED, A, first=5, boosts=fb.boosts())
    items = index.rank(request).items
    boosted = next(r for r in items if r.iri == b)
    plain = next(
        r for r in index.rank(RankRequest(RankKind.RELATED, A, first=5)).items if r.iri == b
    )
    assert boosted.score == pytest.approx(plain.score + 2 * USEFUL_BOOST)
    assert boosted.contribution("feedback", "feedback") == pytest.approx(2 * USEFUL_BOOST)
    explained = fb.explain(boosted, ME)
    assert explained.reasons[-1].text == "Marked useful by your PES and 1 other PES"
    assert fb.explain(boosted, None).reasons[-1].text == "Marked useful by 2 member PES"
    others = [r for r in items if r.iri != b]
    assert all(fb.explain(r, ME) is r for r in others)  # no boost, no reason


@pytest.mark.parametrize(
    ("lang", "viewer", "expected"),
    [
        ("en", OTHER, "Marked useful by 2 member PES"),
        ("fr", ME, "Jugée utile par votre service public de l'emploi et 1 autre(s)"),
        ("es", OTHER, "Marcada como útil por 2 servicio(s) público(s) de empleo miembro(s)"),
        ("sv", ME, "Markerad som användbar av er arbetsförmedling och 1 andra"),
        ("xx", OTHER, "Marked useful by 2 member PES"),  # unknown language: English
    ],
)
def test_the_reason_in_each_language(lang: str, viewer: str, expected: str) -> None:
    reason = feedback_reason([ME, THIRD], viewer, lang)
    assert reason.signal == "feedback" and reason.nodes == ()
    assert reason.text.startswith(expected)


def test_a_new_verdict_replaces_the_old_one() -> None:
    fb = FeedbackIndex([mark(ME, "a", Verdict.NOT_RELEVANT)])
    assert fb.verdict(ME, f"{ID}practice/a") is Verdict.NOT_RELEVANT
    fb = FeedbackIndex([mark(ME, "a", Verdict.NOT_RELEVANT), mark(ME, "a", Verdict.USEFUL)])
    assert fb.verdict(ME, f"{ID}practice/a") is Verdict.USEFUL
    assert fb.dismissed(ME) == frozenset() and fb.useful_by(f"{ID}practice/a") == {ME}
