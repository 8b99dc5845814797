"""The ranking entry point: diversity, filters, pages, the threshold, cold start, feedback.

Generated data (2,000 practices, seed 3) for the properties that need many PES; the hand-made graph
of graphs.py for the cases worked out by hand.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from graphsvc.errors import InputError, NotFoundError
from graphsvc.model.records import Pes, Theme
from graphsvc.recommend.explain import Recommendation, Strength
from graphsvc.recommend.index import RecommendationIndex
from graphsvc.recommend.peers import MIN_PEER_SCORE
from graphsvc.recommend.projection import practice_country, practice_region
from graphsvc.recommend.ranking import (
    MAX_DEPTH,
    MIN_SCORE,
    STRENGTH_BANDS,
    Filters,
    RankKind,
    RankRequest,
)
from graphsvc.recommend.source import RecordSet
from recommend.graphs import CG, EMPLOYERS, FIN, FIN_PES, SWE, SWE_PES, YEMP, YG, A, B, C, D, F, iri

Generated = Callable[[int, int], RecordSet]


@pytest.fixture(scope="module")
def data(generated: Generated) -> RecordSet:
    return generated(2000, 3)


@pytest.fixture(scope="module")
def index(data: RecordSet) -> RecommendationIndex:
    return RecommendationIndex(data)


def sample(data: RecordSet, n: int) -> list[str]:
    iris = sorted(data.practices)
    return iris[:: max(1, len(iris) // n)][:n]


def own_share(data: RecordSet, query: str, items: list[Recommendation]) -> int:
    pes = data.practices[query].pes
    return sum(data.practices[r.iri].pes == pes for r in items)


# -- diversity ------------------------------------------------------------------------------------


def test_at_most_three_of_ten_from_the_own_pes_by_default(
    data: RecordSet, index: RecommendationIndex
) -> None:
    capped = plain = 0
    for query in sample(data, 40):
        mixed = index.related(query, 10)
        assert own_share(data, query, mixed) <= 3
        undiversified = index.related(query, 10, diversify=False)
        plain += own_share(data, query, undiversified)
        capped += own_share(data, query, mixed)
        scores = [r.score for r in undiversified]
        assert scores == sorted(scores, reverse=True)
    assert capped < plain  # without diversity, the own PES dominates generated data


def test_diversity_mixes_pes_and_countries(data: RecordSet, index: RecommendationIndex) -> None:
    for query in sample(data, 20):
        mixed = index.related(query, 10)
        plain = index.related(query, 10, diversify=False)
        pes = {data.practices[r.iri].pes for r in mixed}
        assert len(pes) >= len({data.practices[r.iri].pes for r in plain})


def test_the_own_pes_fills_the_list_when_nothing_else_is_related(data: RecordSet) -> None:
    # six practices of one PES and two of others on a theme nobody else has: the cap defers the
    # own PES's practices behind the others, and never drops them
    work = RecordSet.of(data)
    pes, other = sorted(work.pes)[0], sorted(work.pes)[1]
    theme = iri("theme", "lonely-theme")
    work.themes[theme] = Theme(iri=theme, labels={"en": "Lonely theme"})
    template = next(iter(work.practices.values()))
    for k, owner in enumerate([pes] * 6 + [other] * 2):
        new = iri("practice", f"lonely-{k}")
        work.practices[new] = dataclasses.replace(
            template, iri=new, pes=owner, themes=(theme,), events=(), target_groups=()
        )
    index = RecommendationIndex(work)
    found = index.related(
        iri("practice", "lonely-0"), 10, filters=Filters(themes=frozenset({theme}))
    )
    owners = [work.practices[r.iri].pes for r in found]
    assert len(owners) == 7 and owners.count(pes) == 5
    assert owners.index(other) < 3 and owners[:5].count(pes) <= 3


# -- filters --------------------------------------------------------------------------------------


def themes_under(data: RecordSet, theme: str) -> set[str]:
    out = {theme}
    changed = True
    while changed:
        changed = False
        for t in data.themes.values():
            if t.iri not in out and set(t.broader) & out:
                out.add(t.iri)
                changed = True
    return out


def networks_of(data: RecordSet, pes: str) -> set[str]:
    found = set(data.pes[pes].networks)
    found |= {m.organization for m in data.memberships.values() if m.member == pes}
    return found


@pytest.mark.parametrize(
    "kind", ["country", "region", "theme", "target-group", "years", "network", "other-pes"]
)
def test_every_filter_holds_for_every_item(
    data: RecordSet, index: RecommendationIndex, kind: str
) -> None:
    query = sample(data, 5)[1]
    q = data.practices[query]
    theme = q.themes[0]
    networks = sorted(networks_of(data, q.pes or "")) or sorted(data.networks)
    filters = {
        "country": Filters(countries=frozenset({practice_country(data, q) or ""})),
        "region": Filters(regions=frozenset({practice_region(data, q) or ""})),
        "theme": Filters(themes=frozenset({theme})),
        "target-group": Filters(target_groups=frozenset({sorted(data.target_groups)[0]})),
        "years": Filters(year_from=2019, year_to=2021),
        "network": Filters(networks=frozenset(networks[:1])),
        "other-pes": Filters(other_pes_only=True),
    }[kind]

    def passes(practice: str) -> bool:
        p = data.practices[practice]
        match kind:
            case "country":
                return practice_country(data, p) in filters.countries
            case "region":
                return practice_region(data, p) in filters.regions
            case "theme":
                return bool(set(p.themes) & themes_under(data, theme))
            case "target-group":
                return bool(set(p.target_groups) & filters.target_groups)
            case "years":
                return p.year is not None and 2019 <= p.year <= 2021
            case "network":
                return bool(networks_of(data, p.pes or "") & filters.networks)
            case _:
                return p.pes != q.pes

    related = index.related(query, 50, filters=filters)
    assert related, kind
    assert all(passes(r.iri) for r in related), kind
    for_pes = index.recommended_practices(q.pes or "", 50, filters=filters)
    assert all(passes(r.iri) for r in for_pes), kind
    profile = index.recommend(themes=[theme], first=50, filters=filters)
    if kind != "other-pes":  # a profile has no PES of its own
        assert all(passes(r.iri) for r in profile), kind
    # the filtered list is the unfiltered ranking without what fails (undiversified)
    everything = index.rank(
        RankRequest(RankKind.RELATED, query, diversify=False, first=100, offset=0)
    )
    kept = [r.iri for r in everything.items if passes(r.iri)]
    filtered = index.related(query, 100, filters=filters, diversify=False)
    assert [r.iri for r in filtered][: len(kept)] == kept[: len(filtered)]


def test_filters_apply_to_peers(data: RecordSet, index: RecommendationIndex) -> None:
    pes = sorted(data.pes)[3]
    region = index.state.places.pes_region[pes]
    peers = index.peers(pes, 50, filters=Filters(regions=frozenset({region or ""})))
    assert peers
    assert all(index.state.places.pes_region[p.iri] == region for p in peers)
    theme = sorted(data.themes)[0]
    on_theme = index.peers(pes, 50, filters=Filters(themes=frozenset({theme})))
    under = themes_under(data, theme)
    for p in on_theme:
        assert any(x.pes == p.iri and set(x.themes) & under for x in data.practices.values())
    years = index.peers(pes, 50, filters=Filters(year_from=2023, year_to=2023))
    for p in years:
        assert any(x.pes == p.iri and x.year == 2023 for x in data.practices.values())


@pytest.mark.parametrize(
    ("filters", "error", "message"),
    [
        (Filters(countries=frozenset({"https://example.org/atlantis"})), NotFoundError, "country"),
        (Filters(themes=frozenset({FIN})), NotFoundError, "theme"),
        (Filters(regions=frozenset({YG})), NotFoundError, "region"),
        (Filters(networks=frozenset({FIN_PES})), NotFoundError, "network"),
        (Filters(year_from=2022, year_to=2020), InputError, "2022 to 2020"),
    ],
)
def test_a_bad_filter_is_a_clear_error(
    small: RecordSet, filters: Filters, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        RecommendationIndex(small).related(A, filters=filters)


# -- pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("diversify", [True, False])
def test_pages_cut_one_stable_ranking(
    data: RecordSet, index: RecommendationIndex, diversify: bool
) -> None:
    query = sample(data, 7)[3]
    whole = index.rank(RankRequest(RankKind.RELATED, query, first=60, diversify=diversify))
    pages = [
        index.rank(RankRequest(RankKind.RELATED, query, first=7, offset=o, diversify=diversify))
        for o in range(0, 60, 7)
    ]
    joined = [r for page in pages for r in page.items][:60]
    assert [(r.iri, r.rank) for r in joined] == [(r.iri, r.rank) for r in whole.items]
    assert {page.total for page in pages} == {whole.total}
    assert whole.total >= 60


def test_page_limits(small: RecordSet) -> None:
    index = RecommendationIndex(small)
    with pytest.raises(InputError, match="first"):
        index.rank(RankRequest(RankKind.RELATED, A, first=101))
    with pytest.raises(InputError, match=str(MAX_DEPTH)):
        index.rank(RankRequest(RankKind.RELATED, A, first=10, offset=MAX_DEPTH - 5))
    beyond = index.rank(RankRequest(RankKind.RELATED, A, first=10, offset=50))
    assert beyond.items == () and beyond.total == 4 and beyond.empty_reason is None


# -- scores, strength and the threshold ------------------------------------------------------------


def test_scores_are_bounded_with_a_strength_and_a_threshold(
    data: RecordSet, index: RecommendationIndex
) -> None:
    for query in sample(data, 20):
        for r in index.related(query, 30):
            assert MIN_SCORE <= r.score <= 1.0 + 1e-9
            expected = (
                Strength.STRONG
                if r.score >= STRENGTH_BANDS[0]
                else Strength.MODERATE
                if r.score >= STRENGTH_BANDS[1]
                else Strength.WEAK
            )
            assert r.strength is expected


def test_nothing_related_is_an_empty_list_with_a_reason(small: RecordSet) -> None:
    lonely = iri("practice", "lonely")
    small.practices[lonely] = dataclasses.replace(
        small.practices[A],
        iri=lonely,
        themes=(),
        target_groups=(),
        pes=None,
        country=None,
        title={"en": "Zzz"},
    )
    index = RecommendationIndex(small)
    found = index.rank(RankRequest(RankKind.RELATED, lonely))
    assert found.items == () and found.total == 0
    assert (
        found.empty_reason
        == "there is nothing to compare with yet: no practice, theme or place to start from"
    )
    none_pass = index.rank(
        RankRequest(RankKind.RELATED, A, filters=Filters(year_from=1990, year_to=1991))
    )
    assert none_pass.items == () and none_pass.empty_reason == "no item passes the filters"
    nobody = index.rank(RankRequest(RankKind.PROFILE, target_groups=(EMPLOYERS,), lang="fr"))
    assert nobody.items == ()  # no practice serves employers: no filler
    assert nobody.empty_reason is not None
    assert nobody.empty_reason.startswith("rien n'est assez proche")
    weak = index.rank(RankRequest(RankKind.PROFILE, country=SWE))
    assert weak.items and all(r.score < 0.5 for r in weak.items)  # a country alone is weak


def test_cold_start_ties_are_broken_on_content(small: RecordSet) -> None:
    new = iri("pes", "swe-new")
    small.pes[new] = Pes(iri=new, labels={"en": "New Swedish PES"}, country=SWE)
    index = RecommendationIndex(small)
    peers = index.peers(new, 10)
    # same WAPES region alone: SWE (2 practices) before FIN (2 practices) by label, then nothing
    assert [p.iri for p in peers] == sorted(
        [p.iri for p in peers],
        key=lambda i: (
            -round(next(p.score for p in peers if p.iri == i), 12),
            -sum(index.state.peers_index.portfolio(i).values()),
            small.pes[i].labels["en"].casefold(),
        ),
    )
    assert all(p.score >= MIN_PEER_SCORE and p.score < 0.5 for p in peers)
    for_new = index.recommended_practices(new, 10, diversify=False)
    assert all(r.score < 0.5 for r in for_new)  # no 1.0 from a place alone
    assert [r.rank for r in for_new] == list(range(1, len(for_new) + 1))


def test_ties_never_depend_on_a_hash(small: RecordSet) -> None:
    # twins: same links, same year; the title decides, then the IRI
    for key, title in (("twin-b", "Beta"), ("twin-a", "Alpha"), ("twin-c", "Alpha")):
        small.practices[iri("practice", key)] = dataclasses.replace(
            small.practices[B], iri=iri("practice", key), title={"en": title}
        )
    index = RecommendationIndex(small)
    order = [r.iri for r in index.related(A, 10, "similarity", diversify=False)]
    twins = [i for i in order if "twin" in i]
    assert twins == [
        iri("practice", "twin-a"),
        iri("practice", "twin-c"),
        iri("practice", "twin-b"),
    ]


# -- feedback -------------------------------------------------------------------------------------


def test_excluded_items_never_show_and_boosts_explain_themselves(small: RecordSet) -> None:
    index = RecommendationIndex(small)
    plain = index.rank(RankRequest(RankKind.RELATED, A, diversify=False))
    assert B in [r.iri for r in plain.items]
    hidden = index.rank(RankRequest(RankKind.RELATED, A, exclude=frozenset({B})))
    assert B not in [r.iri for r in hidden.items]
    boosted = index.rank(
        RankRequest(RankKind.RELATED, A, diversify=False, boosts={D: 0.05}, boosted_by=SWE_PES)
    )
    d = next(r for r in boosted.items if r.iri == D)
    before = next(r for r in plain.items if r.iri == D)
    assert d.score == pytest.approx(before.score + 0.05)
    assert d.contribution("feedback") == pytest.approx(0.05)
    assert sum(c.value for c in d.contributions) == pytest.approx(d.score)
    assert "marked useful by Arbetsförmedlingen" in [x.text for x in d.reasons]


def test_recommend_for_a_profile_matches_narrower_themes(small: RecordSet) -> None:
    index = RecommendationIndex(small)
    found = index.rank(RankRequest(RankKind.PROFILE, themes=(YEMP,), strategy="similarity"))
    assert {r.iri for r in found.items} == {A, B, D}
    assert found.total == 3
    by_theme = index.rank(RankRequest(RankKind.PROFILE, themes=(CG,), country=FIN))
    assert by_theme.items[0].iri == A
    assert C not in [r.iri for r in by_theme.items[:1]]


def test_the_title_order_sorts_as_a_fresh_build_after_any_changes() -> None:
    import random

    import numpy as np

    from graphsvc.recommend.titles import TitleOrder

    rng = random.Random(4)
    words = ["alpha", "beta", "gamma", "delta", "alpha beta", ""]
    titles = {n: rng.choice(words) for n in range(40)}
    rank = np.zeros(200)
    order = TitleOrder()
    order.build([(titles[n], f"iri-{n:03d}", n) for n in range(20)], rank)
    alive = set(range(20))
    for step in range(300):
        node = rng.randrange(60)
        if rng.random() < 0.2 and node in alive:
            order.remove(node, rank)
            alive.discard(node)
        else:
            titles[node] = rng.choice(words)
            order.set(node, titles[node], f"iri-{node:03d}", rank)
            alive.add(node)
        if step % 25 == 0:
            by_rank = sorted(alive, key=lambda n: rank[n])
            assert by_rank == sorted(alive, key=lambda n: (titles[n], f"iri-{n:03d}"))


def test_many_twins_of_the_own_pes_never_hide_the_others(small: RecordSet) -> None:
    # more near-twins of the query's PES than the diversity pool holds, all scoring above the
    # practices of other PES: the cap still finds the others
    for k in range(450):
        twin = iri("practice", f"twin-{k:03d}")
        small.practices[twin] = dataclasses.replace(small.practices[A], iri=twin)
    index = RecommendationIndex(small)
    plain = index.related(A, 10, diversify=False)
    assert all(small.practices[r.iri].pes == FIN_PES for r in plain)
    mixed = index.related(A, 10)
    others = [r.rank for r in mixed if small.practices[r.iri].pes != FIN_PES]
    own = [r.rank for r in mixed if small.practices[r.iri].pes == FIN_PES]
    assert {B, D, F} <= {r.iri for r in mixed}  # other PES's practices on the same themes
    # three of the own PES at most until the others run out, then the twins fill the list
    assert max(others) < own[3]
    assert [r.rank for r in mixed] == list(range(1, 11))
