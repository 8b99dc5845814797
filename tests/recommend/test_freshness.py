"""Freshness: an index updated practice by practice answers exactly like one built afresh, and a
practice created, updated or deleted through the GraphQL mutations shows in recommendations at once.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Iterator

import pytest
from api.gql import KEHA, Api, local_api

from graphsvc.errors import NotFoundError
from graphsvc.model.records import Event
from graphsvc.recommend.explain import Recommendation
from graphsvc.recommend.index import RecommendationIndex
from graphsvc.recommend.source import RecordSet
from graphsvc.vocab import ID

OHJAAMO = str(ID["practice/ohjaamo"])


def summary(found: list[Recommendation]) -> list[tuple[str, float]]:
    return [(r.iri, round(r.score, 9)) for r in found]


def same_communities(a: RecommendationIndex, b: RecommendationIndex) -> None:
    """Give ``b`` the communities of ``a``, node by node (Louvain runs at a build: between two
    builds a practice joins its neighbours' community, so a fresh build may draw other lines)."""
    sa, sb = a.state, b.state
    sa.grow()
    sb.grow()
    for iri, node in sb.ids.items():
        sb.community[node] = sa.community[sa.ids[iri]] if iri in sa.ids else -1


def same_answers(a: RecommendationIndex, b: RecommendationIndex, practices: list[str]) -> None:
    for iri in practices:
        for strategy in ("similarity", "pagerank", "hybrid"):
            assert summary(a.related(iri, 10, strategy, diversify=False)) == summary(
                b.related(iri, 10, strategy, diversify=False)
            )
        assert a.related(iri, 5)[0].reasons == b.related(iri, 5)[0].reasons
    same_communities(a, b)
    for iri in practices:
        assert summary(a.related(iri, 10)) == summary(b.related(iri, 10))  # diversified
    for pes in sorted(a.source.pes)[:5]:
        assert summary(a.peers(pes, 5)) == summary(b.peers(pes, 5))
        assert summary(a.recommended_practices(pes, 5)) == summary(b.recommended_practices(pes, 5))


def test_incremental_updates_equal_a_fresh_build(
    generated: Callable[[int, int], RecordSet],
) -> None:
    source = generated(600, 2)
    index = RecommendationIndex(source)
    rng = random.Random(1)
    iris = sorted(source.practices)
    themes = sorted(source.themes)
    # change the themes and events of some practices, delete some, add new ones on a new event
    for iri in rng.sample(iris, 12):
        old = source.practices[iri]
        source.practices[iri] = dataclasses.replace(
            old, themes=tuple(sorted(rng.sample(themes, 2))), events=()
        )
        index.update_practice(iri)
    deleted = rng.sample(iris, 5)
    for iri in deleted:
        del source.practices[iri]
        index.update_practice(iri)
    event = str(ID["event/new-webinar"])
    source.events[event] = Event(iri=event, name={"en": "New webinar"}, themes=(themes[0],))
    template = source.practices[iris[0]] if iris[0] not in deleted else source.practices[iris[1]]
    added = []
    for k in range(4):
        new = str(ID[f"practice/new-{k}"])
        source.practices[new] = dataclasses.replace(template, iri=new, events=(event,))
        index.update_practice(new)
        added.append(new)
    fresh = RecommendationIndex(source)
    probe = [*added, *rng.sample(sorted(source.practices), 10)]
    same_answers(index, fresh, probe)
    # the shared event (all four are of one PES: undiversified, or the cap of 3 would apply)
    assert {r.iri for r in index.related(added[0], 10, diversify=False)} >= set(added[1:])
    recommended = {r.iri for p in probe for r in index.related(p, 20)}
    for iri in deleted:
        with pytest.raises(NotFoundError):
            index.related(iri)
        assert iri not in recommended
    index.adjacency.compact()
    assert index.adjacency.replaced_rows == 0
    same_answers(index, fresh, probe)

    def context(i: RecommendationIndex) -> set[frozenset[str]]:
        s = i.state
        return {frozenset((s.iris[a], s.iris[b])) for a, b in s.context_graph.edges}

    assert context(index) == context(fresh)  # the NetworkX graph that paths are found on too


def test_a_change_to_another_node_rebuilds(generated: Callable[[int, int], RecordSet]) -> None:
    source = generated(200, 3)
    index = RecommendationIndex(source)
    pes = sorted(source.pes)[0]
    source.pes[pes] = dataclasses.replace(source.pes[pes], country=sorted(source.countries)[0])
    before = index.version
    index.apply_change([pes, "https://w3id.org/graphsvc/id/change/unrelated"])
    assert index.wait_until_current(60)  # the rebuild runs in the background
    assert index.version > before
    same_answers(index, RecommendationIndex(source), sorted(source.practices)[:5])


CREATE = """mutation($input: CreatePracticeInput!) { createPractice(input: $input) {
  __typename ... on PracticeCreated { id } } }"""
UPDATE = """mutation($id: ID!, $input: UpdatePracticeInput!) { updatePractice(id: $id, input: $input) {
  __typename } }"""
DELETE = """mutation($id: ID!) { deletePractice(id: $id) { __typename } }"""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with local_api(tmp_path_factory.mktemp("fresh")) as api:  # in this process: no socket needed
        api.make_token("admin", "admin")
        yield api


def test_mutations_show_in_recommendations_at_once(api: Api) -> None:
    index = api.services.recommendations
    assert index is not None
    token = api.tokens["admin"]
    twin = {
        "title": [{"lang": "en", "text": "Youth guidance centres in Lapland"}],
        "themes": ["youth-guarantee", "career-guidance", "partnerships"],
        "targetGroups": ["young-people"],
        "country": "FIN",
        "pes": KEHA,
        "date": "2022",
        "sources": ["https://example.org/lapland"],
    }
    created = api.data(CREATE, {"input": twin}, token=token)["createPractice"]
    assert created["__typename"] == "PracticeCreated"
    new = created["id"]
    top = index.related(OHJAAMO, 3)[0]
    assert top.iri == new
    assert "shares themes" in top.reasons[0].text and "Youth Guarantee" in top.reasons[0].text

    changed = {"themes": ["short-time-work"], "targetGroups": ["employers"], "country": "DEU"}
    updated = api.data(UPDATE, {"id": new, "input": changed}, token=token)["updatePractice"]
    assert updated["__typename"] == "PracticeUpdated"
    assert new not in [r.iri for r in index.related(OHJAAMO, 3)]
    again = index.related(new, 5, "similarity")
    assert all("Youth Guarantee" not in reason.text for r in again for reason in r.reasons)
    assert any("Short-time work" in reason.text for r in again for reason in r.reasons)

    deleted = api.data(DELETE, {"id": new}, token=token)["deletePractice"]
    assert deleted["__typename"] == "PracticeDeleted"
    assert new not in [r.iri for r in index.related(OHJAAMO, 50)]
    with pytest.raises(NotFoundError):
        index.related(new)


def test_a_change_to_a_pes_rebuilds_from_the_refreshed_read_model(api: Api) -> None:
    services = api.services
    index = services.recommendations
    assert index is not None
    before = index.version
    services.notify(frozenset({KEHA}))  # what a write to the PES reports
    assert index.wait_until_current(60)
    assert index.version > before and not index.rebuilding
    same_answers(index, RecommendationIndex(services.read_model), [OHJAAMO])


def test_services_register_the_index_after_the_read_model(api: Api) -> None:
    services = api.services
    assert services.recommendations is not None
    assert services.recommendations.source is services.read_model
    # the read model's listener is the first; the index's comes after it (the web
    # interface's own listener, registered when the service starts, may follow)
    # listeners may be wrapped (timed for the metrics): compare what they wrap
    listeners = [getattr(f, "__wrapped__", f) for f in services.listeners]
    index_listener = listeners.index(services.recommendations.apply_change)
    assert index_listener > 0
    assert listeners.count(services.recommendations.apply_change) == 1
