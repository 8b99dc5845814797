"""Explanations that are true: labels checked against the graph, the SKOS hierarchy, languages,
communities and paths."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

import networkx as nx
import pytest

from graphsvc.model.records import Theme
from graphsvc.recommend.communities import LOUVAIN_SEED
from graphsvc.recommend.index import RecommendationIndex
from graphsvc.recommend.projection import NodeKind, build_projection
from graphsvc.recommend.queries import THEME_DECAY
from graphsvc.recommend.source import RecordSet
from recommend.graphs import CG, CMR_PES, E1, INC, YEMP, YG, A, B, C, D, iri

Generated = Callable[[int, int], RecordSet]

_EDGE_OF = {
    "theme": "theme",
    "event": "event",
    "target-group": "target-group",
    "pes": "pes",
    "country": "country",
}


@pytest.fixture(scope="module")
def data(generated: Generated) -> RecordSet:
    return generated(1500, 5)


def test_every_contribution_is_labelled_by_what_produced_it(data: RecordSet) -> None:
    index = RecommendationIndex(data)
    graph = build_projection(data)
    queries = sorted(data.practices)[::150]
    checked = 0
    for query in queries:
        q = data.practices[query]
        for strategy in ("hybrid", "pagerank"):
            for r in index.related(query, 10, strategy):
                p = data.practices[r.iri]
                assert sum(c.value for c in r.contributions) == pytest.approx(r.score)
                for c in r.contributions:
                    checked += 1
                    if c.method == "pagerank" and c.signal in _EDGE_OF:
                        # a node of that kind links the item and the query
                        shared = [
                            v
                            for v in set(graph[query]) & set(graph[r.iri])
                            if graph.edges[r.iri, v]["kind"] == _EDGE_OF[c.signal]
                        ]
                        assert shared, (query, r.iri, c)
                    elif c.method == "pagerank":
                        assert c.signal == "walk"
                    elif c.signal == "theme":
                        assert set(q.themes) & set(p.themes)
                    elif c.signal == "pes":
                        assert q.pes == p.pes
                    elif c.signal == "event":
                        assert set(q.events) & set(p.events)
                    elif c.signal == "target-group":
                        assert set(q.target_groups) & set(p.target_groups)
                    elif c.signal == "related-theme":
                        assert not set(q.themes) & set(p.themes) or set(p.themes) - set(q.themes)
                    elif c.signal == "text":
                        assert c.method == "tfidf"
                        words = [x for x in r.reasons if x.signal == "text"]
                        assert words and words[0].text.startswith("shares the key term")
    assert checked > 100


def test_pes_and_country_walks_are_never_labelled_on_other_pes(data: RecordSet) -> None:
    index = RecommendationIndex(data)
    for query in sorted(data.practices)[::100]:
        q = data.practices[query]
        for r in index.related(query, 20, "pagerank"):
            p = data.practices[r.iri]
            if p.pes != q.pes:
                assert r.contribution("pes", "pagerank") == 0


def hierarchy() -> RecordSet:
    """Inclusion > Youth employment > Youth Guarantee, one practice on each, one unrelated."""
    return RecordSet().add(
        [
            Theme(iri=INC, labels={"en": "Inclusion", "fr": "Inclusion"}),
            Theme(
                iri=YEMP,
                labels={"en": "Youth employment", "fr": "Emploi des jeunes"},
                broader=(INC,),
            ),
            Theme(
                iri=YG,
                labels={"en": "Youth Guarantee", "fr": "Garantie pour la jeunesse"},
                broader=(YEMP,),
            ),
            Theme(iri=CG, labels={"en": "Career guidance"}),
        ]
    )


def test_theme_matches_follow_the_skos_hierarchy_with_a_decay(small: RecordSet) -> None:
    from graphsvc.model.records import Practice

    source = RecordSet.of(small)
    source.add(hierarchy().themes.values())
    for key, theme in (("on-yemp", YEMP), ("on-inc", INC), ("on-yg", YG)):
        source.practices[iri("practice", key)] = Practice(
            iri=iri("practice", key), title={"en": f"Zz {key}"}, themes=(theme,), date="2020"
        )
    index = RecommendationIndex(source)
    found = {
        r.iri: r for r in index.related(iri("practice", "on-yg"), 20, "similarity", diversify=False)
    }
    one_up = found[iri("practice", "on-yemp")].contribution("related-theme")
    two_up = found[iri("practice", "on-inc")].contribution("related-theme")
    assert one_up > 0 and two_up > 0
    # same document frequency (one practice each as a theme): the ratio is the decay
    assert two_up / one_up == pytest.approx(THEME_DECAY)
    assert found[D].contribution("theme") > 0  # D is on Youth Guarantee itself: an exact match
    assert found[D].contribution("related-theme") == 0
    # and downwards: a practice on the broader theme finds those on the narrower one
    down = {r.iri: r for r in index.related(iri("practice", "on-inc"), 20, "similarity")}
    assert down[iri("practice", "on-yemp")].contribution("related-theme") > 0
    down = {r.iri: r for r in index.related(iri("practice", "on-yemp"), 20, "similarity")}
    assert down[iri("practice", "on-yg")].contribution("related-theme") > 0
    reason = next(x for x in down[iri("practice", "on-yg")].reasons if x.signal == "related-theme")
    assert reason.text == "on a broader or narrower theme: Youth Guarantee"


@pytest.mark.parametrize(
    ("lang", "theme", "region"),
    [
        ("en", "shares themes Career guidance and Youth Guarantee", "same WAPES region (Europe)"),
        (
            "fr",
            "partage les thèmes Career guidance et Garantie pour la jeunesse",
            "même région de l'AMSEP (Europe)",
        ),
        (
            "es",
            "comparte los temas Career guidance y Youth Guarantee",
            "misma región de la AMSPE (Europe)",
        ),
        ("sv", "delar teman Career guidance och Youth Guarantee", "samma WAPES-region (Europe)"),
        ("de", "shares themes Career guidance and Youth Guarantee", "same WAPES region (Europe)"),
    ],
)
def test_reasons_speak_the_requested_language(
    small: RecordSet, lang: str, theme: str, region: str
) -> None:
    small.themes[YG] = dataclasses.replace(
        small.themes[YG], labels={"en": "Youth Guarantee", "fr": "Garantie pour la jeunesse"}
    )
    index = RecommendationIndex(small)
    best = index.related(A, 5, "similarity", lang=lang, diversify=False)[0]
    assert best.iri == B
    texts = [x.text for x in best.reasons]
    assert texts[0] == theme
    assert region in texts


def test_peer_reasons_speak_the_requested_language(small: RecordSet) -> None:
    from recommend.graphs import FIN_PES

    peers = RecommendationIndex(small).peers(FIN_PES, lang="sv")
    texts = [x.text for x in peers[0].reasons]
    assert "samma WAPES-region (Europe)" in texts
    assert "båda betjänar Young people (1 och 1 praxis)" in texts


def test_communities_are_louvain_on_the_folded_projection(data: RecordSet) -> None:
    index = RecommendationIndex(data)
    clusters = index.clusters()
    assert len(clusters) > 1
    assert sum(c.size for c in clusters) == len(data.practices)  # every practice in one
    for cluster in clusters:
        counts = [n for _, n in cluster.themes]
        assert counts == sorted(counts, reverse=True) and 1 <= len(counts) <= 3
    # deterministic (fixed seed, numbers by first node) and the same for a fresh build
    again = RecommendationIndex(RecordSet.of(data))
    assert again.clusters() == clusters
    assert LOUVAIN_SEED == 0
    # a practice is in the community most of its edge weight goes to
    state = index.state
    for practice in sorted(data.practices)[::97]:
        node = state.ids[practice]
        cols, weights, _ = state.adjacency.row(node)
        weight: dict[int, float] = {}
        for v, w in zip(cols.tolist(), weights.tolist(), strict=True):
            c = int(state.community[v])
            if c >= 0:
                weight[c] = weight.get(c, 0.0) + w
        best = max(sorted(weight), key=lambda c: weight[c])
        assert index.cluster_of(practice) == best


def test_diversity_spreads_communities(data: RecordSet) -> None:
    index = RecommendationIndex(data)
    spread = plain = 0
    for query in sorted(data.practices)[::60]:
        spread += len({index.cluster_of(r.iri) for r in index.related(query, 10)})
        plain += len({index.cluster_of(r.iri) for r in index.related(query, 10, diversify=False)})
    assert spread >= plain


def test_paths_are_weighted_shortest_paths_through_the_context(small: RecordSet) -> None:
    index = RecommendationIndex(small)
    path = index.path(D, C)
    assert [n.iri for n in path] == [D, CMR_PES, E1, C]
    # the same cost as NetworkX's Dijkstra on the projection without other practices
    graph = build_projection(small)
    for _, _, d in graph.edges(data=True):
        d["cost"] = 1.0 / d["weight"]
    kinds = {n: str(graph.nodes[n]["kind"]) for n in graph.nodes}
    keep = [n for n, k in kinds.items() if k != "practice" or n in (D, C)]
    view = graph.subgraph(keep)
    expected = nx.shortest_path_length(view, D, C, weight="cost")
    cost = sum(view.edges[a.iri, b.iri]["cost"] for a, b in itertools.pairwise(path))
    assert cost == pytest.approx(expected)
    assert index.state.kind[index.state.ids[E1]] == NodeKind.EVENT
    # the graph paths read is the one the index keeps: no other NetworkX copy
    assert not hasattr(index, "graph")


def test_a_practice_without_a_short_path_is_explained_by_the_walk(small: RecordSet) -> None:
    from recommend.graphs import F

    index = RecommendationIndex(small)
    f = next(r for r in index.related(D, 10, "pagerank") if r.iri == F)
    assert f.reasons[0].signal == "walk"
    assert {n.iri for n in f.reasons[0].nodes} <= {A, B}
