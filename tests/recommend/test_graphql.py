"""The recommendation fields over GraphQL, on the seeded app: Practice.related, Pes.recommendedPractices,
Pes.peers and the root recommend, their explanations, errors, and freshness after a mutation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api.gql import KEHA, Api, running_api

from graphsvc.vocab import ID

OHJAAMO = str(ID["practice/ohjaamo"])
ITEM = """rank score contributions { signal method value }
          reasons { signal text nodes { iri label kind } }"""
RELATED = f"""query($id: ID!, $first: Int!, $strategy: RecommendationStrategy!) {{
  practice(id: $id) {{ related(first: $first, strategy: $strategy) {{
    {ITEM} practice {{ iri title }} }} }} }}"""
FOR_PES = f"""query($id: ID!) {{ pes(id: $id) {{
  recommendedPractices(first: 5) {{ {ITEM} practice {{ iri pes {{ iri }} }} }}
  peers(first: 3) {{ {ITEM} pes {{ iri label }} }} }} }}"""
RECOMMEND = f"""query($themes: [ID!], $country: ID, $groups: [ID!], $first: Int!) {{
  recommend(themes: $themes, country: $country, targetGroups: $groups, first: $first) {{
    {ITEM} practice {{ iri }} }} }}"""
CREATE = """mutation($input: CreatePracticeInput!) { createPractice(input: $input) {
  __typename ... on PracticeCreated { id } } }"""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with running_api(tmp_path_factory.mktemp("recommend-gql")) as api:
        api.make_token("admin", "admin")
        yield api


def check_item(item: dict[str, Any]) -> None:
    assert sum(c["value"] for c in item["contributions"]) == pytest.approx(item["score"])
    assert item["reasons"], item
    for reason in item["reasons"]:
        assert reason["text"] and reason["nodes"]
        assert all(n["label"] and n["iri"].startswith("http") for n in reason["nodes"])


@pytest.mark.parametrize("strategy", ["HYBRID", "PAGERANK", "SIMILARITY"])
def test_practice_related_matches_the_index(api: Api, strategy: str) -> None:
    data = api.data(RELATED, {"id": OHJAAMO, "first": 5, "strategy": strategy})
    items = data["practice"]["related"]
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
    items = api.data(RELATED, {"id": OHJAAMO, "first": 10, "strategy": "SIMILARITY"})["practice"][
        "related"
    ]
    texts = [r["text"] for i in items for r in i["reasons"]]
    assert any("Youth Guarantee" in t or "Career guidance" in t for t in texts)
    assert any(t.startswith("same WAPES region (") for t in texts)


def test_pes_recommended_practices_and_peers(api: Api) -> None:
    data = api.data(FOR_PES, {"id": KEHA})["pes"]
    practices = data["recommendedPractices"]
    assert practices
    assert all(i["practice"]["pes"]["iri"] != KEHA for i in practices)
    for item in practices:
        check_item(item)
    peers = data["peers"]
    assert peers and all(p["pes"]["iri"] != KEHA for p in peers)
    for item in peers:
        check_item(item)
    assert [p["rank"] for p in peers] == list(range(1, len(peers) + 1))


def test_recommend_for_a_member_without_practices(api: Api) -> None:
    items = api.data(
        RECOMMEND,
        {"themes": ["youth-guarantee"], "country": "FIN", "groups": ["young-people"], "first": 5},
    )["recommend"]
    assert 0 < len(items) <= 5
    assert items[0]["practice"]["iri"] == OHJAAMO  # Finland, Youth Guarantee, young people
    check_item(items[0])
    assert "shares theme Youth Guarantee" in [r["text"] for r in items[0]["reasons"]]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 5}, "give at least one theme"),
        ({"themes": ["youth-guarantee"], "first": 500}, "from 0 to 50; got 500"),
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
    items = api.data(RELATED, {"id": OHJAAMO, "first": 3, "strategy": "HYBRID"})["practice"][
        "related"
    ]
    assert items[0]["practice"]["iri"] == created["id"]
    assert items[0]["practice"]["title"] == "One-stop guidance for young people in Oulu"
