"""Connections, filters, orderings and facets against the seed facts (the SPARQL oracle)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from graphsvc.model.records import Practice

from .seeded import ID, Seeded, gid, seeded

COUNTRY = "http://publications.europa.eu/resource/authority/country/"
PAGE = """query($filter: PracticeFilter, $order: PracticeOrder, $first: Int, $after: String,
                 $last: Int, $before: String) {
  practices(filter: $filter, orderBy: $order, first: $first, after: $after, last: $last,
            before: $before) {
    totalCount
    edges { cursor node { iri title year } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
FACETS = """query($filter: PracticeFilter) {
  practices(filter: $filter, first: 0) {
    totalCount
    facets {
      themes { theme { iri } count }
      countries { country { iri } count }
      regions { region { iri } count }
      targetGroups { targetGroup { iri } count }
      years { year count }
    }
  }
}"""
# the practices of a theme: tagged with it or with a narrower theme
IN_THEME = "?p a pes:GoodPractice ; dct:subject/skos:broader* <{}> ."


@pytest.fixture
def api(seeded_api: Seeded) -> Seeded:
    return seeded_api  # read only: one service for every module that only reads


def practices(api: Seeded, **variables: Any) -> dict[str, Any]:
    found: dict[str, Any] = api.data(PAGE, variables)["practices"]
    return found


def page_iris(page: dict[str, Any]) -> list[str]:
    return [e["node"]["iri"] for e in page["edges"]]


def every_page(api: Seeded, **variables: Any) -> dict[str, Any]:
    """The whole list, read 100 at a time: ``totalCount`` and every edge, in order."""
    edges: list[dict[str, Any]] = []
    after = None
    while True:
        page = practices(api, first=100, after=after, **variables)
        edges += page["edges"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert page["totalCount"] == len(edges)
    return {"totalCount": page["totalCount"], "edges": edges}


def all_iris(api: Seeded, filter: dict[str, Any] | None = None) -> set[str]:
    return set(page_iris(every_page(api, filter=filter)))


def fold(text: str) -> str:
    """The words of ``text`` without case or accents: how a reader expects titles to sort."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", plain))


def practice_count(api: Seeded) -> int:
    return len(api.column("SELECT ?p WHERE { ?p a pes:GoodPractice }"))


# -- connections -------------------------------------------------------------------------------


def test_pages_forward_cover_the_list_once(api: Seeded) -> None:
    everything = every_page(api)
    total = everything["totalCount"]
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = practices(api, first=7, after=after)
        assert page["totalCount"] == total
        seen += page_iris(page)
        pages += 1
        info = page["pageInfo"]
        assert info["hasPreviousPage"] == (after is not None)
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert seen == page_iris(everything) and len(set(seen)) == total == practice_count(api)
    assert pages == math.ceil(total / 7)
    last = practices(api, first=7, after=after)
    assert len(last["edges"]) == total - 7 * (pages - 1)
    assert last["pageInfo"]["hasNextPage"] is False


def test_last_and_before_page_backwards(api: Seeded) -> None:
    everything = page_iris(every_page(api))
    tail = practices(api, last=5)
    assert page_iris(tail) == everything[-5:]
    assert tail["pageInfo"]["hasPreviousPage"] is True and tail["pageInfo"]["hasNextPage"] is False
    before = practices(api, last=5, before=tail["pageInfo"]["startCursor"])
    assert page_iris(before) == everything[-10:-5]
    middle = practices(
        api, first=3, after=tail["edges"][0]["cursor"], before=tail["edges"][4]["cursor"]
    )
    assert page_iris(middle) == everything[-4:-1]


def test_default_page_size_and_empty_pages(api: Seeded) -> None:
    default = practices(api)
    assert len(default["edges"]) == api.services.settings.default_page_size == 20
    empty = practices(api, filter={"search": "zzzqqqxxyy"})
    assert empty == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
    }
    zero = practices(api, first=0)
    assert zero["totalCount"] == practice_count(api)
    assert zero["edges"] == [] and zero["pageInfo"]["hasNextPage"]
    end = every_page(api)["edges"][-1]["cursor"]
    beyond = practices(api, first=5, after=end)
    assert beyond["edges"] == [] and beyond["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 101}, "first: must be between 0 and 100 (the maximum page size); got 101"),
        ({"last": 500}, "last: must be between 0 and 100 (the maximum page size); got 500"),
        ({"first": -1}, "first: must be between 0 and 100"),
        ({"after": "bm90LWEtY3Vyc29y"}, "after: 'bm90LWEtY3Vyc29y' is not a valid cursor"),
        ({"before": "%%%"}, "before: '%%%' is not a valid cursor"),
        ({"filter": {"themes": ["Not a theme!"]}}, "'Not a theme!' is not a Theme ID or IRI"),
        ({"filter": {"pes": [gid("Theme", f"{ID}theme/x")]}}, "is not a Pes ID or IRI"),
        ({"filter": {"year": 123456}}, "filter.year: 123456 is not a year"),
    ],
)
def test_bad_page_arguments_are_clear_errors(
    api: Seeded, variables: dict[str, Any], message: str
) -> None:
    [error] = api.errors(PAGE, variables)
    assert message in error


def test_nested_connections_page_too(api: Seeded) -> None:
    data = api.data(
        """{ network(id: "wapes") { members(first: 2) { totalCount edges { cursor }
             pageInfo { hasNextPage endCursor } } } }"""
    )["network"]["members"]
    assert len(data["edges"]) == 2 and data["pageInfo"]["hasNextPage"] is True
    [error] = api.errors('{ network(id: "wapes") { members(first: 101) { totalCount } } }')
    assert "maximum page size" in error
    [error] = api.errors('{ practice(id: "ohjaamo") { themes(after: "xyz") { totalCount } } }')
    assert "not a valid cursor" in error


# -- practice filters --------------------------------------------------------------------------


def test_every_theme_filter_includes_narrower_themes(api: Seeded) -> None:
    for theme in api.column("SELECT ?t WHERE { ?t a pes:Theme }"):
        expected = api.column(f"SELECT DISTINCT ?p WHERE {{ {IN_THEME.format(theme)} }}")
        assert all_iris(api, {"themes": [theme]}) == expected, theme


def test_themes_any_and_all(api: Seeded) -> None:
    a, b = f"{ID}theme/youth-employment", f"{ID}theme/partnerships"
    in_a = api.column(f"SELECT DISTINCT ?p WHERE {{ {IN_THEME.format(a)} }}")
    in_b = api.column(f"SELECT DISTINCT ?p WHERE {{ {IN_THEME.format(b)} }}")
    assert in_a & in_b and in_a - in_b  # the seeds make both answers interesting
    assert all_iris(api, {"themes": ["youth-employment", "partnerships"]}) == in_a | in_b
    both = {"themes": ["youth-employment", "partnerships"], "themeMatch": "ALL"}
    assert all_iris(api, both) == in_a & in_b


@pytest.mark.parametrize(
    ("filter", "sparql"),
    [
        ({"countries": ["DEU"]}, "?p dct:spatial country:DEU"),
        (
            {"countries": [f"{COUNTRY}FRA", "deu"]},
            "?p dct:spatial ?c VALUES ?c { country:FRA country:DEU }",
        ),
        ({"regions": ["africa"]}, "?p dct:spatial ?c . ?c pes:region id:region\\/africa"),
        ({"pes": ["deu-ba"]}, "?p prov:wasAttributedTo id:pes\\/deu-ba"),
        (
            {"networks": ["eu-pes-network"]},
            "?p prov:wasAttributedTo ?o . { ?m org:member ?o ; org:organization id:network\\/eu-pes-network }"
            " UNION { ?o org:memberOf id:network\\/eu-pes-network }",
        ),
        ({"targetGroups": ["employers"]}, "?p dct:audience id:target-group\\/employers"),
        ({"year": 2016}, '?p dct:date ?d FILTER(str(?d) = "2016")'),
        (
            {"yearFrom": 2014, "yearTo": 2016},
            "?p dct:date ?d FILTER(xsd:integer(substr(str(?d), 1, 4)) >= 2014 && xsd:integer(substr(str(?d), 1, 4)) <= 2016)",
        ),
        ({"yearFrom": 2020}, "?p dct:date ?d FILTER(xsd:integer(substr(str(?d), 1, 4)) >= 2020)"),
        ({"yearTo": 2000}, "?p dct:date ?d FILTER(xsd:integer(substr(str(?d), 1, 4)) <= 2000)"),
        (
            {"events": [f"{ID}event/japan-wapes-online-meeting-2020-07"]},
            "?p pes:presentedAt id:event\\/japan-wapes-online-meeting-2020-07",
        ),
        (
            {"countries": ["DEU"], "themes": ["career-guidance"]},
            f"?p dct:spatial country:DEU . {IN_THEME.format(ID + 'theme/career-guidance')}",
        ),
    ],
)
def test_practice_filters(api: Seeded, filter: dict[str, Any], sparql: str) -> None:
    expected = api.column(
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
        f"SELECT DISTINCT ?p WHERE {{ ?p a pes:GoodPractice . {sparql} }}"
    )
    assert expected, "the seeds should make the filter match something"
    assert all_iris(api, filter) == expected


def test_filter_by_unknown_entity_matches_nothing(api: Seeded) -> None:
    assert all_iris(api, {"countries": ["XXX"]}) == set()
    assert all_iris(api, {"pes": [f"{ID}pes/nobody"]}) == set()


def test_nested_practice_lists_take_filters_too(api: Seeded) -> None:
    data = api.data(
        """{ country(id: "DEU") { practices(filter: {themes: ["career-guidance"]}, first: 100) {
              totalCount nodes { iri } } } }"""
    )["country"]["practices"]
    assert {n["iri"] for n in data["nodes"]} == all_iris(
        api, {"countries": ["DEU"], "themes": ["career-guidance"]}
    )


# -- ordering ----------------------------------------------------------------------------------


def test_title_orders(api: Seeded) -> None:
    forward = every_page(api, order="TITLE")
    titles = [e["node"]["title"] for e in forward["edges"]]
    assert [fold(t) for t in titles] == sorted(fold(t) for t in titles)
    backward = every_page(api, order="TITLE_DESC")
    assert page_iris(backward) == page_iris(forward)[::-1]
    assert page_iris(every_page(api)) == page_iris(forward)  # the default order


def test_year_orders(api: Seeded) -> None:
    newest = [e["node"]["year"] for e in every_page(api, order="NEWEST")["edges"]]
    oldest = [e["node"]["year"] for e in every_page(api, order="OLDEST")["edges"]]
    dated = api.column("SELECT ?p WHERE { ?p a pes:GoodPractice ; dct:date ?d }")
    seed_years = {
        int(d[:4]) for d in api.column("SELECT ?d WHERE { ?p a pes:GoodPractice ; dct:date ?d }")
    }
    assert len([y for y in newest if y is not None]) == len(dated)
    years = [y for y in newest if y is not None]
    assert years == sorted(years, reverse=True) and newest[: len(years)] == years
    assert [y for y in oldest if y is not None] == sorted(years)
    assert min(years) == min(seed_years) and max(years) == max(seed_years)


def test_relevance_order_puts_the_exact_title_first(api: Seeded) -> None:
    page = practices(api, filter={"search": "ohjaamo"}, first=100)
    assert page_iris(page)[0] == f"{ID}practice/ohjaamo"
    by_relevance = every_page(api, filter={"search": "youth guarantee"})
    by_title = every_page(api, filter={"search": "youth guarantee"}, order="TITLE")
    assert set(page_iris(by_relevance)) == set(page_iris(by_title))
    titles = [e["node"]["title"] for e in by_title["edges"]]
    assert [fold(t) for t in titles] == sorted(fold(t) for t in titles)
    # without a search, relevance means title
    assert page_iris(every_page(api, order="RELEVANCE")) == page_iris(
        every_page(api, order="TITLE")
    )


# -- facets ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filter", "sparql", "left_out"),
    [
        (None, "", None),
        (
            {"regions": ["europe"]},
            "?p dct:spatial ?rc . ?rc pes:region id:region\\/europe .",
            "regions",
        ),
        (
            {"themes": ["youth-employment"]},
            IN_THEME.format(ID + "theme/youth-employment"),
            "themes",
        ),
    ],
)
def test_practice_facets_count_the_filtered_list(
    api: Seeded, filter: dict[str, Any] | None, sparql: str, left_out: str | None
) -> None:
    """Every facet counts the list, but the one of the filter, which counts every practice."""
    found = api.data(FACETS, {"filter": filter})["practices"]
    facets = found["facets"]
    selected = api.column(f"SELECT DISTINCT ?p WHERE {{ ?p a pes:GoodPractice . {sparql} }}")
    everything = api.column("SELECT ?p WHERE { ?p a pes:GoodPractice }")
    assert found["totalCount"] == len(selected)
    assert left_out is None or len(selected) < len(everything)
    listed = " ".join(f"<{p}>" for p in selected)
    all_values = " ".join(f"<{p}>" for p in everything)

    def over(facet: str) -> str:
        return all_values if facet == left_out else listed

    values = over("themes")
    themes = Counter(
        r["t"]
        for r in api.oracle(
            f"SELECT DISTINCT ?p ?t WHERE {{ VALUES ?p {{ {values} }} ?p dct:subject/skos:broader* ?t }}"
        )
    )
    assert {f["theme"]["iri"]: f["count"] for f in facets["themes"]} == dict(themes)
    counts = [f["count"] for f in facets["themes"]]
    assert counts == sorted(counts, reverse=True)
    values = over("countries")
    countries = Counter(
        r["c"]
        for r in api.oracle(f"SELECT ?p ?c WHERE {{ VALUES ?p {{ {values} }} ?p dct:spatial ?c }}")
    )
    assert {f["country"]["iri"]: f["count"] for f in facets["countries"]} == dict(countries)
    values = over("regions")
    regions = Counter(
        r["r"]
        for r in api.oracle(
            f"SELECT ?p ?r WHERE {{ VALUES ?p {{ {values} }} ?p dct:spatial/pes:region ?r }}"
        )
    )
    assert {f["region"]["iri"]: f["count"] for f in facets["regions"]} == dict(regions)
    values = over("targetGroups")
    groups = Counter(
        r["g"]
        for r in api.oracle(f"SELECT ?p ?g WHERE {{ VALUES ?p {{ {values} }} ?p dct:audience ?g }}")
    )
    assert {f["targetGroup"]["iri"]: f["count"] for f in facets["targetGroups"]} == dict(groups)
    values = over("years")
    years = Counter(
        int(r["d"][:4])
        for r in api.oracle(f"SELECT ?p ?d WHERE {{ VALUES ?p {{ {values} }} ?p dct:date ?d }}")
    )
    assert [(f["year"], f["count"]) for f in facets["years"]] == sorted(years.items())


# -- events and PES ----------------------------------------------------------------------------

EVENTS = """query($filter: EventFilter, $order: EventOrder) {
  events(filter: $filter, orderBy: $order, first: 100) {
    totalCount nodes { iri startDate }
    facets { themes { theme { iri } count } eventTypes { eventType { iri } count } years { year count } }
  }
}"""


@pytest.mark.parametrize(
    ("filter", "sparql"),
    [
        ({"eventTypes": ["study-visit"]}, "?e dct:type id:event-type\\/study-visit"),
        (
            {"themes": ["youth-employment"]},
            "?e dct:subject/skos:broader* id:theme\\/youth-employment",
        ),
        (
            {"agents": ["id:network/wapes"]},
            "{ ?e schema:organizer id:network\\/wapes } UNION"
            " { ?e cv:hasParticipation ?x . id:network\\/wapes cv:playsRole ?x }",
        ),
        (
            {"agents": [gid("Pes", ID + "pes/cmr-fne")]},
            "?e cv:hasParticipation ?x . id:pes\\/cmr-fne cv:playsRole ?x",
        ),
        (
            {"projects": ["japan-wapes-joint-project"]},
            "?e dct:isPartOf id:project\\/japan-wapes-joint-project",
        ),
        ({"year": 2020}, '?e schema:startDate ?d FILTER(substr(str(?d), 1, 4) = "2020")'),
        (
            {"dateFrom": "2019-09-18", "dateTo": "2020-12-31"},
            "?e schema:startDate ?s . OPTIONAL { ?e schema:endDate ?end }"
            ' FILTER(str(COALESCE(?end, ?s)) >= "2019-09-18" && str(?s) <= "2020-12-31")',
        ),
    ],
)
def test_event_filters(api: Seeded, filter: dict[str, Any], sparql: str) -> None:
    expected = api.column(f"SELECT DISTINCT ?e WHERE {{ ?e a schema:Event . {sparql} }}")
    assert expected
    found = api.data(EVENTS, {"filter": filter})["events"]
    assert {n["iri"] for n in found["nodes"]} == expected
    assert found["totalCount"] == len(expected)
    # the event-type facet leaves out an event-type filter (it ORs its values)
    counted = (
        api.column("SELECT ?e WHERE { ?e a schema:Event }") if "eventTypes" in filter else expected
    )
    types = Counter(
        r["t"]
        for r in api.oracle(
            f"SELECT ?e ?t WHERE {{ VALUES ?e {{ {' '.join(f'<{e}>' for e in counted)} }} ?e dct:type ?t }}"
        )
    )
    assert {f["eventType"]["iri"]: f["count"] for f in found["facets"]["eventTypes"]} == dict(types)


def test_event_date_orders(api: Seeded) -> None:
    forward = api.data(EVENTS, {"order": "DATE"})["events"]["nodes"]
    backward = api.data(EVENTS, {"order": "DATE_DESC"})["events"]["nodes"]
    dates = [n["startDate"] for n in forward]
    assert dates == sorted(dates)
    assert [n["startDate"] for n in backward] == sorted(dates, reverse=True)
    assert len(forward) == len(api.column("SELECT ?e WHERE { ?e a schema:Event }"))
    years = Counter(int(d[:4]) for d in dates)
    facets = api.data(EVENTS, {})["events"]["facets"]
    assert [(f["year"], f["count"]) for f in facets["years"]] == sorted(years.items())


@pytest.mark.parametrize(
    ("filter", "sparql"),
    [
        ({"countries": ["BEL"]}, "?p dct:spatial country:BEL"),
        ({"regions": ["asia-pacific"]}, "?p dct:spatial/pes:region id:region\\/asia-pacific"),
        (
            {"networks": ["eu-pes-network"], "countries": ["BEL"]},
            "?p dct:spatial country:BEL . { ?m org:member ?p ; org:organization id:network\\/eu-pes-network }"
            " UNION { ?p org:memberOf id:network\\/eu-pes-network }",
        ),
    ],
)
def test_pes_filters(api: Seeded, filter: dict[str, Any], sparql: str) -> None:
    expected = api.column(
        f"SELECT DISTINCT ?p WHERE {{ ?p a pes:PublicEmploymentService . {sparql} }}"
    )
    assert expected
    data = api.data(
        "query($f: PesFilter) { publicEmploymentServices(filter: $f, first: 100) { totalCount nodes { iri label } } }",
        {"f": filter},
    )["publicEmploymentServices"]
    assert {n["iri"] for n in data["nodes"]} == expected
    labels = [fold(n["label"]) for n in data["nodes"]]
    assert labels == sorted(labels)


def test_pes_search_by_acronym(api: Seeded) -> None:
    data = api.data(
        '{ publicEmploymentServices(filter: {search: "VDAB"}) { totalCount nodes { iri } } }'
    )["publicEmploymentServices"]
    assert data["nodes"][0]["iri"] == f"{ID}pes/bel-vdab"


def test_lists_follow_changes_of_the_read_model(tmp_path: Path) -> None:
    for fresh in seeded(tmp_path):
        # a year after every seed practice
        later = 1 + max(
            int(d[:4])
            for d in fresh.column("SELECT ?d WHERE { ?p a pes:GoodPractice ; dct:date ?d }")
        )
        query = {"filter": {"yearFrom": later}, "first": 100}
        before = page_iris(practices(fresh, **query))
        assert before == []
        new = Practice(
            iri=f"{ID}practice/test-new",
            title={"en": "A new practice"},
            themes=(f"{ID}theme/youth-guarantee",),
            pes=f"{ID}pes/deu-ba",
            date=str(later),
        )
        fresh.services.read_model.upsert_practice(new)
        assert page_iris(practices(fresh, **query)) == [new.iri]
        facets = fresh.data(FACETS, {"filter": {"yearFrom": later}})["practices"]["facets"]
        # the year facet leaves out yearFrom: every year, the new practice's last
        assert facets["years"][-1] == {"year": later, "count": 1}
        assert len(facets["years"]) > 1
        assert facets["countries"] == [{"country": {"iri": f"{COUNTRY}DEU"}, "count": 1}]
        fresh.services.read_model.remove_practice(new.iri)
        assert page_iris(practices(fresh, **query)) == []


def _theme_counts(api: Seeded, filter: dict[str, Any]) -> dict[str, int]:
    facets = api.data(FACETS, {"filter": filter})["practices"]["facets"]
    return {f["theme"]["iri"]: f["count"] for f in facets["themes"]}


def test_facets_follow_changes_of_the_read_model(tmp_path: Path) -> None:
    for fresh in seeded(tmp_path):
        rm = fresh.services.read_model
        iri, theme = f"{ID}practice/ohjaamo", f"{ID}theme/youth-guarantee"
        old = rm.practices[iri]
        assert old.pes is not None
        of_its_pes = {"pes": [old.pes]}
        before = _theme_counts(fresh, of_its_pes)
        assert before.get(theme, 0) >= 1  # Ohjaamo is tagged with it
        rm.upsert_practice(Practice(iri=iri, title=old.title, pes=old.pes, country=old.country))
        after = _theme_counts(fresh, of_its_pes)  # the same practices, fewer themes
        assert after.get(theme, 0) == before[theme] - 1
        assert after != before
