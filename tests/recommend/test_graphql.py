"""The recommendation fields over GraphQL, on the seeded app: Practice.related, Pes.recommendedPractices,
Pes.peers and the root recommend as connections, their filters, pages, languages and explanations,
clusters and paths, errors, and freshness after a mutation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api.gql import KEHA, Api, local_api

from graphsvc.vocab import ID

OHJAAMO = str(ID["practice/ohjaamo"])
ITEM = """rank score strength contributions { signal method value }
          reasons { signal text nodes { iri label kind } }"""
PAGE = "totalCount emptyReason pageInfo { hasNextPage endCursor } edges { cursor }"
RELATED = f"""query($id: ID!, $first: Int!, $strategy: RecommendationStrategy!, $after: String,
  $diversify: Boolean! = true, $filter: RecommendationFilter, $lang: String! = "en") {{
  practice(id: $id) {{ related(first: $first, strategy: $strategy, after: $after,
    diversify: $diversify, filter: $filter, lang: $lang) {{
    {PAGE} nodes {{ {ITEM} practice {{ iri title pes {{ iri }} }} }} }} }} }}"""
FOR_PES = f"""query($id: ID!) {{ pes(id: $id) {{
  recommendedPractices(first: 5) {{ {PAGE} nodes {{ {ITEM} practice {{ iri pes {{ iri }} }} }} }}
  peers(first: 3) {{ {PAGE} nodes {{ {ITEM} pes {{ iri label }} }} }} }} }}"""
RECOMMEND = f"""query($themes: [ID!], $country: ID, $groups: [ID!], $first: Int!) {{
  recommend(themes: $themes, country: $country, targetGroups: $groups, first: $first) {{
    {PAGE} nodes {{ {ITEM} practice {{ iri }} }} }} }}"""
CREATE = """mutation($input: CreatePracticeInput!) { createPractice(input: $input) {
  __typename ... on PracticeCreated { id } } }"""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with local_api(tmp_path_factory.mktemp("recommend-gql")) as api:  # no socket needed
        api.make_token("admin", "admin")
        yield api


def related(api: Api, **variables: Any) -> dict[str, Any]:
    found: dict[str, Any] = api.data(RELATED, {"id": OHJAAMO, "strategy": "HYBRID", **variables})
    return found["practice"]["related"]  # type: ignore[no-any-return]


def check_item(item: dict[str, Any]) -> None:
    assert sum(c["value"] for c in item["contributions"]) == pytest.approx(item["score"])
    assert 0.1 <= item["score"] <= 1.0 + 1e-9
    assert item["strength"] in ("STRONG", "MODERATE", "WEAK")
    assert item["reasons"], item
    for reason in item["reasons"]:
        assert reason["text"]
        assert reason["nodes"] or reason["signal"] == "text"  # key terms are words, not nodes
        assert all(n["label"] and n["iri"].startswith("http") for n in reason["nodes"])


@pytest.mark.parametrize("strategy", ["HYBRID", "PAGERANK", "SIMILARITY"])
def test_practice_related_matches_the_index(api: Api, strategy: str) -> None:
    items = related(api, first=5, strategy=strategy)["nodes"]
    index = api.services.recommendations
    assert index is not None
    expected = index.related(OHJAAMO, 5, strategy.lower())
    assert [i["practice"]["iri"] for i in items] == [r.iri for r in expected]
    assert [i["rank"] for i in items] == list(range(1, len(items) + 1))
    assert all(i["practice"]["iri"] != OHJAAMO for i in items)
    for item, rec in zip(items, expected, strict=True):
        assert item["score"] == pytest.approx(rec.score)
        assert [r["text"] for r in item["reasons"]] == [r.text for r in rec.reasons]
        check_item(item)


def test_youth_guarantee_practices_explain_the_shared_theme(api: Api) -> None:
    items = related(api, first=10, strategy="SIMILARITY")["nodes"]
    texts = [r["text"] for i in items for r in i["reasons"]]
    assert any("Youth Guarantee" in t or "Career guidance" in t for t in texts)
    assert any(t.startswith("same WAPES region (") for t in texts)


def test_pes_recommended_practices_and_peers(api: Api) -> None:
    data = api.data(FOR_PES, {"id": KEHA})["pes"]
    practices = data["recommendedPractices"]["nodes"]
    assert practices
    assert all(i["practice"]["pes"]["iri"] != KEHA for i in practices)
    for item in practices:
        check_item(item)
    peers = data["peers"]["nodes"]
    assert peers and all(p["pes"]["iri"] != KEHA for p in peers)
    for item in peers:
        check_item(item)
    assert [p["rank"] for p in peers] == list(range(1, len(peers) + 1))


def test_recommend_for_a_member_without_practices(api: Api) -> None:
    items = api.data(
        RECOMMEND,
        {"themes": ["youth-guarantee"], "country": "FIN", "groups": ["young-people"], "first": 5},
    )["recommend"]["nodes"]
    assert 0 < len(items) <= 5
    assert items[0]["practice"]["iri"] == OHJAAMO  # Finland, Youth Guarantee, young people
    check_item(items[0])
    assert "shares theme Youth Guarantee" in [r["text"] for r in items[0]["reasons"]]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 5}, "give at least one theme"),
        ({"themes": ["youth-guarantee"], "first": 500}, "from 0 to 100; got 500"),
        ({"themes": ["no-such-theme"], "first": 5}, "no-such-theme"),
        ({"country": "XXX", "first": 5}, "XXX"),
    ],
)
def test_bad_recommend_arguments_are_clear_errors(
    api: Api, variables: dict[str, Any], message: str
) -> None:
    body = api.post(RECOMMEND, variables).json()
    assert not (body.get("data") or {}).get("recommend")
    (error,) = body["errors"]
    assert message in error["message"]
    assert "Traceback" not in error["message"]


def test_a_created_practice_is_recommended_at_once(api: Api) -> None:
    twin = {
        "title": [{"lang": "en", "text": "One-stop guidance for young people in Oulu"}],
        "themes": ["youth-guarantee", "career-guidance", "partnerships"],
        "targetGroups": ["young-people"],
        "country": "FIN",
        "pes": KEHA,
        "date": "2023",
        "sources": ["https://example.org/oulu"],
    }
    created = api.data(CREATE, {"input": twin}, token=api.tokens["admin"])["createPractice"]
    items = related(api, first=3)["nodes"]
    assert items[0]["practice"]["iri"] == created["id"]
    assert items[0]["practice"]["title"] == "One-stop guidance for young people in Oulu"


def test_related_pages_fit_together_with_cursors(api: Api) -> None:
    whole = related(api, first=12)
    first = related(api, first=5)
    second = related(api, first=5, after=first["pageInfo"]["endCursor"])
    joined = [i["practice"]["iri"] for i in first["nodes"] + second["nodes"]]
    assert joined == [i["practice"]["iri"] for i in whole["nodes"][:10]]
    assert [i["rank"] for i in second["nodes"]] == list(range(6, 6 + len(second["nodes"])))
    assert first["totalCount"] == whole["totalCount"] == second["totalCount"]
    assert first["pageInfo"]["hasNextPage"] is (first["totalCount"] > 5)
    body = api.post(RELATED, {"id": OHJAAMO, "strategy": "HYBRID", "first": 5, "after": "junk"})
    (error,) = body.json()["errors"]
    assert "after" in error["message"] and "Traceback" not in error["message"]


def test_related_diversity_filters_and_language(api: Api) -> None:
    own = api.services.read_model.practices[OHJAAMO].pes
    mixed = related(api, first=10)["nodes"]
    assert sum((i["practice"]["pes"] or {}).get("iri") == own for i in mixed) <= 3
    others = related(api, first=20, filter={"otherPesOnly": True})["nodes"]
    assert others and all((i["practice"]["pes"] or {}).get("iri") != own for i in others)
    finnish = related(api, first=20, filter={"countries": ["FIN"]})
    index = api.services.recommendations
    for item in finnish["nodes"]:
        practice = api.services.read_model.practices[item["practice"]["iri"]]
        assert (api.services.read_model.practice_country(practice) or "").endswith("FIN")
    nothing = related(api, first=5, filter={"yearFrom": 1800, "yearTo": 1801})
    assert nothing["nodes"] == [] and nothing["totalCount"] == 0
    assert nothing["emptyReason"] == "no item passes the filters"
    french = related(api, first=3, lang="fr", diversify=False)["nodes"]
    plain = index.related(OHJAAMO, 3, diversify=False, lang="fr")
    assert [r["text"] for r in french[0]["reasons"]] == [r.text for r in plain[0].reasons]
    assert any(r["text"].startswith(("partage", "même")) for r in french[0]["reasons"])


CLUSTERS = """query($id: ID!, $to: ID!) { clusters { number size label themes { iri } }
  practice(id: $id) { cluster { number label(lang: "fr") }
    explanationPath(to: $to) { iri kind } } }"""


def test_clusters_and_explanation_paths(api: Api) -> None:
    index = api.services.recommendations
    other = index.related(OHJAAMO, 1, diversify=False)[0].iri
    data = api.data(CLUSTERS, {"id": OHJAAMO, "to": other})
    clusters = data["clusters"]
    assert clusters and sum(c["size"] for c in clusters) == len(api.services.read_model.practices)
    assert all(c["label"] and 1 <= len(c["themes"]) <= 3 for c in clusters)
    mine = data["practice"]["cluster"]
    assert mine["number"] == index.cluster_of(OHJAAMO)
    path = data["practice"]["explanationPath"]
    assert path[0]["iri"] == OHJAAMO and path[-1]["iri"] == other
    assert all(n["kind"] != "practice" for n in path[1:-1])


def test_the_text_signal_reads_the_search_postings(api: Api) -> None:
    from graphsvc.recommend.text import practice_terms

    rm = api.services.read_model
    for practice in list(rm.practices.values())[:20]:
        from_postings = practice_terms(practice, rm.search)
        assert from_postings and from_postings == practice_terms(practice)  # same words, weights
