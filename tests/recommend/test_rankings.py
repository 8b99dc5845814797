"""Rankings on the hand-made graph of conftest.py, worked out by hand, and their explanations.

Adamic–Adar weights there (``SIGNAL_WEIGHTS[s] / log(1 + df)``): Youth Guarantee and Career guidance
(3 practices each) 0.721; their broader themes Youth employment and Inclusion 0.3 x 0.721; Young
people (A, B) 0.455; the KEHA Centre (A, C) 0.546; Finland 0.273; Europe (A, B, C, F) 0.124. A's
profile weighs 3.272, so B matches 2.453 / 3.272 = 0.750, D 0.353, C 0.288, F 0.258, E nothing.
The hierarchy adds Youth employment (0.5) and Inclusion (0.25) as decayed themes to A's profile,
which no other practice has as a theme, so these scores stand.
"""

from __future__ import annotations

import math

import networkx as nx
import pytest

from graphsvc.errors import InputError, NotFoundError
from graphsvc.recommend.index import HYBRID_WEIGHTS, RecommendationIndex, Strategy
from graphsvc.recommend.ppr import personalized_pagerank
from graphsvc.recommend.projection import build_projection
from graphsvc.recommend.source import RecordSet
from recommend.graphs import (
    CG,
    CMR_PES,
    E1,
    EMPLOYERS,
    FIN,
    FIN_PES,
    GREEN,
    SWE_PES,
    YEMP,
    YG,
    YOUNG,
    A,
    B,
    C,
    D,
    E,
    F,
    hand_made,
)


def test_similarity_ranking_and_scores(small: RecordSet) -> None:
    index = RecommendationIndex(small)
    related = index.related(A, first=10, strategy="similarity", diversify=False)
    assert [r.iri for r in related] == [B, D, C, F]
    aa = {2: 1 / math.log(4), 3: 1 / math.log(5), 1: 1 / math.log(3)}
    total = 2 * aa[2] + 2 * 0.3 * aa[2] + 0.5 * aa[1] + 0.6 * aa[1] + 0.3 * aa[1] + 0.2 * aa[3]
    expected_b = (2 * aa[2] + 2 * 0.3 * aa[2] + 0.5 * aa[1] + 0.2 * aa[3]) / total
    assert related[0].score == pytest.approx(expected_b)
    assert related[0].score == pytest.approx(0.750, abs=1e-3)
    assert [round(r.score, 3) for r in related[1:]] == [0.353, 0.288, 0.258]


def test_contributions_sum_to_the_score_and_name_the_signals(small: RecordSet) -> None:
    for strategy in Strategy:
        for r in RecommendationIndex(small).related(A, strategy=strategy):
            assert sum(c.value for c in r.contributions) == pytest.approx(r.score)
    best = RecommendationIndex(small).related(A, strategy="similarity", diversify=False)[0]
    assert {c.signal for c in best.contributions} == {
        "theme",
        "broader-theme",
        "target-group",
        "region",
    }
    assert best.contribution("theme") == pytest.approx(2 * (1 / math.log(4)) / 3.272, abs=1e-3)


def test_reasons_name_the_shared_nodes_with_labels(small: RecordSet) -> None:
    best = RecommendationIndex(small).related(A, strategy="similarity")[0]
    texts = [r.text for r in best.reasons]
    assert texts == [
        "shares themes Career guidance and Youth Guarantee",
        "same target group (Young people)",  # 0.455 before 2 x 0.216
        "related themes under Inclusion and Youth employment",
        "same WAPES region (Europe)",
    ]
    themes = best.reasons[0]
    assert [(n.iri, n.kind) for n in themes.nodes] == [(CG, "theme"), (YG, "theme")]
    same_pes = RecommendationIndex(small).related(A, strategy="similarity", diversify=False)[2]
    assert same_pes.iri == C
    assert "same PES (KEHA Centre)" in [r.text for r in same_pes.reasons]
    assert "same country (Finland)" in [r.text for r in same_pes.reasons]


def test_pagerank_follows_the_shared_event(small: RecordSet) -> None:
    related = RecommendationIndex(small).related(C, strategy="pagerank", diversify=False)
    assert related[0].iri == E
    assert related[1].iri == A  # same PES and country, no shared theme
    assert related[0].contribution("event", "pagerank") > 0  # C and E share the workshop
    # E's PES is not C's: what came to E through its PES is a walk, never "pes"
    assert related[0].contribution("pes", "pagerank") == 0
    assert related[1].contribution("pes", "pagerank") > 0  # A is of C's PES


def test_push_matches_networkx_pagerank(small: RecordSet) -> None:
    index = RecommendationIndex(small)
    graph = build_projection(small)
    exact = nx.pagerank(
        graph, alpha=0.85, personalization={C: 1.0}, weight="weight", tol=1e-12, max_iter=10_000
    )
    approx = personalized_pagerank(
        index.adjacency, {index.state.ids[C]: 1.0}, epsilon=1e-10, max_rounds=2000
    )
    for iri, value in exact.items():
        assert approx[index.state.ids[iri]] == pytest.approx(value, abs=1e-6)


def test_a_path_explains_a_practice_that_shares_nothing(small: RecordSet) -> None:
    related = RecommendationIndex(small).related(D, first=10, strategy="pagerank")
    c = next(r for r in related if r.iri == C)  # cost 2 + 2 + 1 through the PES and event
    (reason,) = c.reasons
    assert reason.signal == "path"
    assert [n.iri for n in reason.nodes] == [D, CMR_PES, E1, C]
    assert reason.text == (
        "linked through Practice D → National Employment Fund → Green jobs workshop → Practice C"
    )


def test_hybrid_combines_the_three_with_the_documented_weights(small: RecordSet) -> None:
    index = RecommendationIndex(small)
    hybrid = {r.iri: r for r in index.related(A, strategy="hybrid", diversify=False)}
    alone = {
        method: {r.iri: r.score for r in index.related(A, 10, strategy, diversify=False)}
        for method, strategy in (("similarity", "similarity"), ("pagerank", "pagerank"))
    }
    for iri, r in hybrid.items():
        for method, scores in alone.items():
            if iri in scores:  # shown alone too (above the threshold)
                part = sum(c.value for c in r.contributions if c.method == method)
                assert part == pytest.approx(HYBRID_WEIGHTS[method] * scores[iri])
    assert next(iter(hybrid)) == B
    assert sum(HYBRID_WEIGHTS.values()) == pytest.approx(1.0)


def test_rankings_do_not_depend_on_insertion_order() -> None:
    forward = hand_made()
    backward = RecordSet.of(forward)
    backward.practices = dict(reversed(list(forward.practices.items())))
    backward.themes = dict(reversed(list(forward.themes.items())))
    for iri in (A, C, D):
        one = RecommendationIndex(forward).related(iri)
        two = RecommendationIndex(backward).related(iri)
        assert [(r.iri, round(r.score, 12)) for r in one] == [
            (r.iri, round(r.score, 12)) for r in two
        ]
        assert one == RecommendationIndex(forward).related(iri)


def test_recommend_from_a_profile_uses_the_theme_hierarchy(small: RecordSet) -> None:
    index = RecommendationIndex(small)
    found = index.recommend(themes=[YEMP], strategy="similarity")
    assert {r.iri for r in found} == {A, B, D}  # all on Youth Guarantee, narrower than YEMP
    assert found[0].reasons[0].text == "on a broader or narrower theme: Youth Guarantee"
    assert found[0].contribution("related-theme") > 0
    by_country = index.recommend(themes=[CG], country=FIN, first=2, strategy="similarity")
    assert by_country[0].iri == A  # career guidance and in Finland


def test_practices_recommended_to_a_pes_are_from_other_pes(small: RecordSet) -> None:
    index = RecommendationIndex(small)
    found = index.recommended_practices(FIN_PES, diversify=False)
    assert found and not {A, C} & {r.iri for r in found}
    assert {r.iri for r in found[:2]} == {B, E}  # B is like A, E like C
    assert all(small.practices[r.iri].pes != FIN_PES for r in found)


def test_peers_by_portfolio_with_reasons(small: RecordSet) -> None:
    peers = RecommendationIndex(small).peers(FIN_PES)
    assert [p.iri for p in peers] == [SWE_PES, CMR_PES]
    assert peers[0].score == pytest.approx(0.625, abs=2e-3)
    assert peers[1].score == pytest.approx(0.540, abs=2e-3)
    texts = [r.text for r in peers[0].reasons]
    assert "same WAPES region (Europe)" in texts
    assert "both serve Young people (1 and 1 practices)" in texts
    assert any(t.startswith("both work on Career guidance (1 and 2 practices)") for t in texts)
    assert "both presented practices at Green jobs workshop (1 and 1 practices)" in [
        r.text for r in peers[1].reasons
    ]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda i: i.related("https://w3id.org/graphsvc/id/practice/nope"), NotFoundError, "nope"),
        (lambda i: i.related(YG), NotFoundError, "practice"),
        (lambda i: i.related(A, strategy="magic"), InputError, "unknown strategy"),
        (lambda i: i.related(A, first=-1), InputError, "first"),
        (lambda i: i.related(A, first=101), InputError, "first"),
        (lambda i: i.recommend(), InputError, "at least one"),
        (lambda i: i.recommend(themes=[EMPLOYERS]), NotFoundError, "theme"),
        (lambda i: i.recommend(target_groups=[YOUNG], country=GREEN), NotFoundError, "country"),
        (lambda i: i.peers(A), NotFoundError, "PES"),
        (lambda i: i.recommended_practices(YG), NotFoundError, "PES"),
    ],
)
def test_bad_input_is_a_clear_error(
    small: RecordSet, call: object, error: type[Exception], message: str
) -> None:
    index = RecommendationIndex(small)
    with pytest.raises(error, match=message):
        call(index)  # type: ignore[operator]


def test_first_limits_and_zero_is_empty(small: RecordSet) -> None:
    index = RecommendationIndex(small)
    assert len(index.related(A, first=2)) == 2
    assert index.related(A, first=0) == []
    assert [r.rank for r in index.related(A)] == list(range(1, len(index.related(A)) + 1))
