"""Peer ranking and place features read the places of the build the index serves: a change to a
PES that the index was not told about changes no answer, and a PES a practice brings in after the
build is ranked as a fresh build would rank it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from graphsvc.model.records import Pes
from graphsvc.recommend.index import RecommendationIndex
from graphsvc.recommend.ranking import RankKind, RankRequest
from graphsvc.recommend.source import RecordSet
from graphsvc.vocab import ID


def peer_answers(index: RecommendationIndex, pes: str) -> list[object]:
    return [(r.iri, round(r.score, 9), r.contributions, r.reasons) for r in index.peers(pes, 10)]


def for_idle(index: RecommendationIndex, pes: str) -> list[tuple[str, float]]:
    # a PES without practices is a weak profile: below the threshold too, to see every answer
    ranking = index.rank(RankRequest(RankKind.FOR_PES, pes, first=5, min_score=0.0))
    return [(r.iri, r.score) for r in ranking.items]


def test_untold_changes_to_places_change_no_answer(
    generated: Callable[[int, int], RecordSet],
) -> None:
    source = generated(200, 6)
    index = RecommendationIndex(source)
    everyone = sorted(source.pes)
    # a PES with no practice: its recommendations start from its country and region
    idle = str(ID["pes/without-practices"])
    source.pes[idle] = dataclasses.replace(source.pes[everyone[0]], iri=idle)
    index.rebuild()
    before = [peer_answers(index, p) for p in everyone[:5]]
    profile_before = for_idle(index, idle)
    assert profile_before

    # every PES moves to a country of another region, and loses its networks; nobody says so
    by_region = {c: r.region for c, r in source.countries.items()}
    for pes in [*everyone, idle]:
        record = source.pes[pes]
        elsewhere = next(
            c
            for c in sorted(source.countries)
            if by_region[c] is not None and by_region[c] != by_region.get(record.country or "")
        )
        source.pes[pes] = dataclasses.replace(record, country=elsewhere, networks=())
    source.memberships.clear()

    assert [peer_answers(index, p) for p in everyone[:5]] == before
    assert for_idle(index, idle) == profile_before
    del source.pes[idle]  # nor does a PES the source lost since the build break its answers
    assert for_idle(index, idle) == profile_before


def test_a_pes_a_practice_brings_in_is_ranked_as_by_a_fresh_build(
    generated: Callable[[int, int], RecordSet],
) -> None:
    source = generated(200, 7)
    index = RecommendationIndex(source)
    model = sorted(source.pes)[0]
    twin = str(ID["pes/twin-of-the-first"])
    source.pes[twin] = Pes(
        iri=twin,
        labels={"en": "Twin PES"},
        country=source.pes[model].country,
        networks=source.pes[model].networks,
    )
    practices = [p for p in sorted(source.practices) if source.practices[p].pes == model][:3]
    assert practices
    for iri in practices:  # the twin presents the same practices, under new IRIs
        copy = str(ID[f"practice/twin-{iri.rsplit('/', 1)[-1]}"])
        source.practices[copy] = dataclasses.replace(source.practices[iri], iri=copy, pes=twin)
        index.apply_change([copy])  # a practice change: no rebuild, the twin comes in with it
    assert not index.rebuilding and index.has_node(twin)

    peers = index.peers(twin, 10)
    assert peers[0].iri == model
    assert {c.signal for c in peers[0].contributions} >= {"region", "network"}
    fresh = RecommendationIndex(source)
    assert peer_answers(index, twin) == peer_answers(fresh, twin)
    assert peer_answers(index, model) == peer_answers(fresh, model)
