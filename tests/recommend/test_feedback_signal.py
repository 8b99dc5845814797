"""The feedback signal on a ranked list: dismissed items hidden for their PES only, useful marks
boost a little (capped) and say so in the requested language, ranks re-numbered."""

from __future__ import annotations

import pytest

from graphsvc.recommend.explain import Contribution, Recommendation
from graphsvc.recommend.feedback import (
    MAX_BOOST,
    USEFUL_BOOST,
    FeedbackIndex,
    Mark,
    Verdict,
    feedback_reason,
)

ID = "https://w3id.org/graphsvc/id/"
ME, OTHER, THIRD, FOURTH = (f"{ID}pes/{k}" for k in ("me", "other", "third", "fourth"))


def item(key: str, rank: int, score: float) -> Recommendation:
    return Recommendation(
        iri=f"{ID}practice/{key}",
        label=key.upper(),
        kind="practice",
        rank=rank,
        score=score,
        contributions=(Contribution("theme", "similarity", score),),
        reasons=(),
    )


def mark(pes: str, key: str, verdict: Verdict) -> Mark:
    return Mark(f"{ID}feedback/{pes[-2:]}-{key}", pes, f"{ID}practice/{key}", verdict, "")


LIST = [item("a", 1, 0.50), item("b", 2, 0.49), item("c", 3, 0.30), item("d", 4, 0.29)]


def test_dismissed_items_are_hidden_for_their_pes_only() -> None:
    fb = FeedbackIndex([mark(ME, "a", Verdict.NOT_RELEVANT)])
    mine = fb.apply(LIST, ME, 10)
    assert [r.label for r in mine] == ["B", "C", "D"]
    assert [r.rank for r in mine] == [1, 2, 3]
    assert [r.label for r in fb.apply(LIST, OTHER, 10)] == ["A", "B", "C", "D"]
    assert [r.label for r in fb.apply(LIST, None, 10)] == ["A", "B", "C", "D"]
    assert fb.dismissed(ME) == {f"{ID}practice/a"} and fb.dismissed(OTHER) == frozenset()


def test_useful_marks_boost_a_little_and_explain_it() -> None:
    fb = FeedbackIndex([mark(OTHER, "b", Verdict.USEFUL), mark(ME, "d", Verdict.USEFUL)])
    out = fb.apply(LIST, ME, 10)
    # B (0.49 + 0.02) overtakes A (0.50); D (0.29 + 0.02) overtakes C (0.30)
    assert [r.label for r in out] == ["B", "A", "D", "C"]
    b = out[0]
    assert b.score == pytest.approx(0.49 + USEFUL_BOOST)
    assert b.contribution("feedback", "feedback") == pytest.approx(USEFUL_BOOST)
    assert sum(c.value for c in b.contributions) == pytest.approx(b.score)
    assert b.reasons[-1].text == "Marked useful by 1 member PES"
    assert out[2].reasons[-1].text == "Marked useful by your PES"
    assert out[1].contribution("feedback") == 0.0 and out[1].reasons == ()
    assert [r.label for r in fb.apply(LIST, ME, 2)] == ["B", "A"]  # first cuts after re-ranking


def test_the_boost_is_capped() -> None:
    marks = [mark(p, "d", Verdict.USEFUL) for p in (ME, OTHER, THIRD, FOURTH)]
    out = FeedbackIndex(marks).apply(LIST, ME, 10)
    d = next(r for r in out if r.label == "D")
    assert d.score == pytest.approx(0.29 + MAX_BOOST) and 4 * USEFUL_BOOST > MAX_BOOST
    assert d.reasons[-1].text == "Marked useful by your PES and 3 other PES"


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
