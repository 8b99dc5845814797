"""Feedback on recommendations over real HTTP: the mutation, its RDF in graph/feedback with PROV,
SPARQL, the export, and its effect on the viewer's ranking and explanations.

The seeded in-memory app: a member of the Bundesagentur für Arbeit (BA) and one of the KEHA Centre
(Finland) mark practices recommended to them; ``recommendedForMe`` ranks for the member's PES,
without its own practices and without what it dismissed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pyoxigraph import Literal, NamedNode

from graphsvc.edit.feedback import feedback_iri
from graphsvc.edit.provenance import PROVENANCE_GRAPH
from graphsvc.recommend.feedback import FEEDBACK_GRAPH, USEFUL_BOOST, FeedbackIndex
from graphsvc.vocab import PES, PROV

from .gql import BA, ID, KEHA, Api, running_api

MARK = """
mutation Mark($practice: ID!, $verdict: FeedbackVerdict!, $for: ID) {
  markRecommendation(practice: $practice, verdict: $verdict, recommendedFor: $for) {
    __typename
    ... on RecommendationMark { id pes verdict practice { iri } revision { kind target } }
    ... on NotFound { id }
    ... on MutationError { message path }
  }
}"""

CLEAR = """
mutation Clear($practice: ID!) {
  clearRecommendationMark(practice: $practice) {
    __typename
    ... on RecommendationMark { id verdict revision { kind } }
    ... on MutationError { message path }
  }
}"""

ITEM = """
    rank score practice { iri pes { iri } }
    contributions { signal method value }
    reasons { signal text }
"""

FOR_ME = f"""
query ForMe($first: Int!, $lang: String!, $diversify: Boolean! = true) {{
  recommendedForMe(first: $first, lang: $lang, diversify: $diversify) {{
    totalCount nodes {{ {ITEM} }}
  }}
}}"""

RELATED = f"""
query Related($id: ID!) {{ practice(id: $id) {{ related(first: 50) {{ nodes {{ {ITEM} }} }} }} }}"""

JUGEND = f"{ID}practice/jugendberufsagentur-hamburg"  # a practice of BA


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with running_api(tmp_path_factory.mktemp("feedback")) as api:
        api.make_token("ba", "member", BA)
        api.make_token("keha", "member", KEHA)
        api.make_token("admin", "admin")
        yield api


def for_me(
    api: Api, who: str, first: int = 30, lang: str = "en", diversify: bool = True
) -> list[dict[str, Any]]:
    variables = {"first": first, "lang": lang, "diversify": diversify}
    items: list[dict[str, Any]] = api.data(FOR_ME, variables, token=api.tokens[who])[
        "recommendedForMe"
    ]["nodes"]
    return items


def related(api: Api, who: str | None, practice: str = JUGEND) -> list[str]:
    token = api.tokens[who] if who else None
    nodes = api.data(RELATED, {"id": practice}, token=token)["practice"]["related"]["nodes"]
    return [n["practice"]["iri"] for n in nodes]


def mark(api: Api, who: str | None, practice: str, verdict: str, **extra: str) -> dict[str, Any]:
    token = api.tokens[who] if who else None
    variables = {"practice": practice, "verdict": verdict, **extra}
    result: dict[str, Any] = api.data(MARK, variables, token=token)["markRecommendation"]
    return result


def sparql(api: Api, query: str) -> list[dict[str, str]]:
    response = api.client.post(
        "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in rows]


def test_recommended_for_me_leaves_out_the_members_own_practices(api: Api) -> None:
    items = for_me(api, "ba")
    assert items, "BA has a portfolio: something is recommended"
    assert all(i["practice"]["pes"]["iri"] != BA for i in items if i["practice"]["pes"])
    assert [i["rank"] for i in items] == list(range(1, len(items) + 1))
    # the default list mixes PES, so its order is not the order of the scores; the plain one is
    plain = for_me(api, "ba", diversify=False)
    assert all(i["practice"]["pes"]["iri"] != BA for i in plain if i["practice"]["pes"])
    scores = [i["score"] for i in plain]
    assert scores == sorted(scores, reverse=True)
    assert {i["practice"]["iri"] for i in items} & {i["practice"]["iri"] for i in plain}


def test_a_dismissal_round_trips_and_hides_the_item_for_that_pes_only(api: Api) -> None:
    before = for_me(api, "ba")
    keha_before = for_me(api, "keha", first=50)
    anonymous_before = related(api, None)
    practices = api.services.read_model.practices
    target = next(i for i in related(api, "ba") if practices[i].pes != BA)
    result = mark(api, "ba", target, "NOT_RELEVANT", **{"for": JUGEND})
    assert result["__typename"] == "RecommendationMark", result
    iri = feedback_iri(BA, target)
    assert result["id"] == iri and result["pes"] == BA and result["verdict"] == "NOT_RELEVANT"
    assert result["practice"]["iri"] == target
    assert result["revision"] == {"kind": "CREATE", "target": iri}

    # RDF in its own graph, with PROV
    store = api.services.store
    node, graph = NamedNode(iri), NamedNode(FEEDBACK_GRAPH)
    stored = {(q.predicate.value, q.object.value) for q in store.quads(node, None, None, graph)}
    assert (str(PES.feedbackOn), target) in stored
    assert (str(PES.verdict), "not-relevant") in stored
    assert (str(PROV.wasAttributedTo), BA) in stored
    assert (str(PES.recommendedFor), JUGEND) in stored
    generated_by = [v for p, v in stored if p == str(PROV.wasGeneratedBy)]
    assert len(generated_by) == 1
    change = NamedNode(generated_by[0])
    assert list(store.quads(change, NamedNode(str(PROV.generated)), node, PROVENANCE_GRAPH))
    assert not list(store.quads(node, None, None, NamedNode(f"{ID[:-3]}graph/contributions")))

    # visible in SPARQL
    rows = sparql(
        api,
        f"""PREFIX pes: <{PES._NS}> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?practice ?verdict ?change WHERE {{ GRAPH <{FEEDBACK_GRAPH}> {{
          ?f a pes:RecommendationFeedback ; pes:feedbackOn ?practice ; pes:verdict ?verdict ;
             prov:wasAttributedTo <{BA}> ; prov:wasGeneratedBy ?change }} }}""",
    )
    assert rows == [{"practice": target, "verdict": "not-relevant", "change": change.value}]

    # exported like the rest: in the whole dump and as its own graph
    whole = api.client.get("/export/nq")
    assert whole.status_code == 200
    line = f'<{iri}> <{PES.verdict}> "not-relevant" <{FEEDBACK_GRAPH}> .'
    assert line in whole.text
    alone = api.client.get("/export/nq", params={"graph": FEEDBACK_GRAPH})
    assert alone.status_code == 200 and line in alone.text

    # the effect: hidden from every list BA's member sees; the same for anyone else
    assert target not in related(api, "ba")
    after = for_me(api, "ba")
    assert target not in [i["practice"]["iri"] for i in after]
    assert len(after) == len(before)
    assert related(api, None) == anonymous_before
    assert target in related(api, "keha")
    assert for_me(api, "keha", first=50) == keha_before

    # the in-memory index equals a fresh read of the store
    assert FeedbackIndex.load(store).marks() == api.services.feedback.marks()

    # withdrawing the mark brings the item back
    cleared = api.data(CLEAR, {"practice": target}, token=api.tokens["ba"])
    assert cleared["clearRecommendationMark"]["revision"] == {"kind": "DELETE"}
    assert cleared["clearRecommendationMark"]["verdict"] is None
    assert not list(store.quads(node, None, None, graph))
    assert for_me(api, "ba") == before


def test_useful_marks_boost_and_the_explanation_says_so(api: Api) -> None:
    before = for_me(api, "ba")
    third = before[2]
    target = third["practice"]["iri"]
    assert mark(api, "keha", target, "USEFUL")["verdict"] == "USEFUL"
    after = {i["practice"]["iri"]: i for i in for_me(api, "ba")}
    boosted = after[target]
    assert boosted["score"] == pytest.approx(third["score"] + USEFUL_BOOST)
    assert boosted["rank"] <= third["rank"]
    assert {"signal": "feedback", "method": "feedback", "value": pytest.approx(USEFUL_BOOST)} in (
        boosted["contributions"]
    )
    assert boosted["reasons"][-1] == {"signal": "feedback", "text": "Marked useful by 1 member PES"}
    # the member's own mark is named as such, in the language asked for
    assert mark(api, "ba", target, "USEFUL")["revision"]["kind"] == "CREATE"
    french = {i["practice"]["iri"]: i for i in for_me(api, "ba", lang="fr")}[target]
    assert french["reasons"][-1]["text"].startswith(
        "Jugée utile par votre service public de l'emploi et 1 autre"
    )
    # marking again replaces the verdict: one mark per PES and practice
    again = mark(api, "keha", target, "NOT_RELEVANT")
    assert again["revision"]["kind"] == "UPDATE"
    store = api.services.store
    verdicts = list(
        store.quads(
            NamedNode(feedback_iri(KEHA, target)),
            NamedNode(str(PES.verdict)),
            None,
            NamedNode(FEEDBACK_GRAPH),
        )
    )
    assert [q.object for q in verdicts] == [Literal("not-relevant")]


@pytest.mark.parametrize(
    ("who", "practice", "verdict", "typename", "path"),
    [
        (None, "ohjaamo", "USEFUL", "NotAuthorised", []),
        ("admin", "ohjaamo", "USEFUL", "NotAuthorised", []),
        ("ba", "no-such-practice", "USEFUL", "NotFound", ["practice"]),
        ("ba", JUGEND, "NOT_RELEVANT", "InvalidInput", ["practice"]),
        ("ba", "not an id", "USEFUL", "InvalidInput", ["practice"]),
    ],
)
def test_refused_marks_write_nothing(
    api: Api, who: str | None, practice: str, verdict: str, typename: str, path: list[str]
) -> None:
    before = api.snapshot()
    result = mark(api, who, practice, verdict)
    assert result["__typename"] == typename, result
    assert result["path"] == path
    assert result["message"]
    assert api.snapshot() == before


def test_useful_marks_show_to_anonymous_viewers_too(api: Api) -> None:
    practices = api.services.read_model.practices
    items = api.data(RELATED, {"id": JUGEND})["practice"]["related"]["nodes"]
    item = next(i for i in items[3:] if practices[i["practice"]["iri"]].pes != KEHA)
    assert mark(api, "keha", item["practice"]["iri"], "USEFUL")["verdict"] == "USEFUL"
    after = api.data(RELATED, {"id": JUGEND})["practice"]["related"]["nodes"]
    boosted = next(i for i in after if i["practice"]["iri"] == item["practice"]["iri"])
    assert boosted["score"] == pytest.approx(item["score"] + USEFUL_BOOST)
    assert boosted["reasons"][-1]["text"] == "Marked useful by 1 member PES"
    api.data(CLEAR, {"practice": item["practice"]["iri"]}, token=api.tokens["keha"])
    assert api.data(RELATED, {"id": JUGEND})["practice"]["related"]["nodes"] == items


def test_recommended_for_me_needs_a_member_token(api: Api) -> None:
    for token in (None, api.tokens["admin"]):
        response = api.post(FOR_ME, {"first": 5, "lang": "en"}, token=token)
        body = response.json()
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert "needs a member token" in body["errors"][0]["message"]
