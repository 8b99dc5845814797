"""Full-text search in one query: ranking, kinds, accents, prefixes, paging and the hit union."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from .seeded import ID, Seeded

SEARCH = """query($q: String!, $kinds: [SearchKind!], $first: Int, $after: String) {
  search(query: $q, kinds: $kinds, first: $first, after: $after) {
    totalCount
    kindCounts { kind count }
    edges { cursor node { score kind node {
      __typename
      ... on Practice { iri title }
      ... on Pes { iri label }
      ... on Event { iri name }
      ... on Theme { iri label }
    } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


@pytest.fixture
def api(seeded_api: Seeded) -> Seeded:
    return seeded_api  # read only: one service for every module that only reads


def search(api: Seeded, q: str, **variables: Any) -> dict[str, Any]:
    """Every hit for ``q``, read 100 at a time."""
    found: dict[str, Any] = api.data(SEARCH, {"q": q, "first": 100, **variables})["search"]
    while found["pageInfo"]["hasNextPage"]:
        after = found["pageInfo"]["endCursor"]
        more = api.data(SEARCH, {"q": q, "first": 100, "after": after, **variables})["search"]
        found = {**more, "edges": found["edges"] + more["edges"]}
    return found


def hits(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["node"] for e in result["edges"]]


def test_scores_descend_and_kinds_match_types(api: Seeded) -> None:
    result = search(api, "employment")
    found = hits(result)
    assert len(found) == result["totalCount"] > 10
    scores = [h["score"] for h in found]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    typename = {"PRACTICE": "Practice", "PES": "Pes", "EVENT": "Event", "THEME": "Theme"}
    assert all(typename[h["kind"]] == h["node"]["__typename"] for h in found)
    assert {h["kind"] for h in found} == {"PRACTICE", "PES", "EVENT", "THEME"}
    counts = Counter(h["kind"] for h in found)
    assert {c["kind"]: c["count"] for c in result["kindCounts"]} == dict(counts)


def test_an_exact_label_ranks_first_across_kinds(api: Seeded) -> None:
    # "Youth Guarantee" is a theme's label (and a practice's title) and appears in many texts:
    # the hits named exactly so come before every other
    found = hits(search(api, "youth guarantee"))

    def named(hit: dict[str, Any]) -> str:
        node = hit["node"]
        return str(node.get("label") or node.get("title") or node.get("name") or "").casefold()

    exact = [h for h in found if named(h) == "youth guarantee"]
    assert found[: len(exact)] == exact
    assert {
        "__typename": "Theme",
        "iri": f"{ID}theme/youth-guarantee",
        "label": "Youth Guarantee",
    } in [h["node"] for h in exact]
    # a PES by its acronym
    ba = hits(search(api, "BA", kinds=["PES"]))[0]
    assert ba["node"]["iri"] == f"{ID}pes/deu-ba"


def test_accents_case_and_prefixes(api: Seeded) -> None:
    plain = [h["node"]["iri"] for h in hits(search(api, "arbetsformedlingen"))]
    accented = [h["node"]["iri"] for h in hits(search(api, "ARBETSFÖRMEDLINGEN"))]
    assert plain == accented and f"{ID}pes/swe-arbetsformedlingen" in plain
    typed = [h["node"]["iri"] for h in hits(search(api, "arbetsförmed"))]
    assert f"{ID}pes/swe-arbetsformedlingen" in typed


def test_a_title_word_outranks_a_mention_in_the_abstract(api: Seeded) -> None:
    # "Ohjaamo" is in the title of one practice; the word is rare elsewhere
    found = hits(search(api, "ohjaamo", kinds=["PRACTICE"]))
    assert found[0]["node"]["iri"] == f"{ID}practice/ohjaamo"
    assert all(h["kind"] == "PRACTICE" for h in found)


def test_kinds_restrict_and_paging_continues(api: Seeded) -> None:
    everything = search(api, "employment")
    themes = search(api, "employment", kinds=["THEME"])
    expected = [h for h in hits(everything) if h["kind"] == "THEME"]
    assert hits(themes) == expected
    first = api.data(SEARCH, {"q": "employment", "first": 5})["search"]
    rest = api.data(
        SEARCH, {"q": "employment", "first": 100, "after": first["pageInfo"]["endCursor"]}
    )["search"]
    assert hits(first) + hits(rest) == hits(everything)[: 5 + len(hits(rest))]
    assert first["pageInfo"]["hasNextPage"]
    assert rest["pageInfo"]["hasNextPage"] == (everything["totalCount"] > 105)


def test_no_words_no_hits_and_limits(api: Seeded) -> None:
    assert search(api, "   ")["totalCount"] == 0
    assert search(api, "qqqzzzxxyy")["edges"] == []
    [error] = api.errors(SEARCH, {"q": "x" * 501})
    assert "at most 500 characters" in error
    [error] = api.errors(SEARCH, {"q": "youth", "first": 101})
    assert "maximum page size" in error
