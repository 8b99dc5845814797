"""Disjunctive facets over real HTTP, each count worked out from the seed facts with SPARQL.

A facet whose filter ORs its values counts the practices (events) that pass every other filter;
themes with ``themeMatch: ALL`` count within the list. The expected counts below come from the
seed quads (every graph merged), not from the read model.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from pyoxigraph import DefaultGraph, Quad, QuerySolutions, Store

from .gql import Api, local_api
from .seeded import ID, PREFIXES

COUNTRY = "http://publications.europa.eu/resource/authority/country/"
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
EVENT_FACETS = """query($filter: EventFilter) {
  events(filter: $filter, first: 0) {
    totalCount
    facets { themes { theme { iri } count } eventTypes { eventType { iri } count } years { year count } }
  }
}"""
# the value of each facet for ?p (a practice) or ?e (an event)
PRACTICE_VALUES = {
    "themes": "?p dct:subject/skos:broader* ?v",
    "countries": "?p dct:spatial ?v",
    "regions": "?p dct:spatial/pes:region ?v",
    "targetGroups": "?p dct:audience ?v",
    "years": "?p dct:date ?d BIND(substr(str(?d), 1, 4) AS ?v)",
}
EVENT_VALUES = {
    "themes": "?e dct:subject/skos:broader* ?v",
    "eventTypes": "?e dct:type ?v",
    "years": "?e schema:startDate ?d BIND(substr(str(?d), 1, 4) AS ?v)",
}

Counts = dict[Any, int]


class Oracle:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _rows(self, sparql: str) -> list[dict[str, str]]:
        solutions = self.store.query(PREFIXES + sparql)
        assert isinstance(solutions, QuerySolutions)
        names = [v.value for v in solutions.variables]
        return [{n: row[n].value for n in names if row[n] is not None} for row in solutions]

    def practices(self, *patterns: str) -> frozenset[str]:
        where = " . ".join(("?p a pes:GoodPractice", *patterns))
        return frozenset(r["p"] for r in self._rows(f"SELECT DISTINCT ?p WHERE {{ {where} }}"))

    def events(self, *patterns: str) -> frozenset[str]:
        where = " . ".join(("?e a schema:Event", *patterns))
        return frozenset(r["e"] for r in self._rows(f"SELECT DISTINCT ?e WHERE {{ {where} }}"))

    def counts(self, facet: str, items: Iterable[str], events: bool = False) -> Counts:
        """How many of ``items`` have each value of ``facet``."""
        var, pattern = ("e", EVENT_VALUES[facet]) if events else ("p", PRACTICE_VALUES[facet])
        values = " ".join(f"<{i}>" for i in items)
        rows = self._rows(
            f"SELECT DISTINCT ?{var} ?v WHERE {{ VALUES ?{var} {{ {values} }} {pattern} }}"
        )
        found = Counter(r["v"] for r in rows)
        return {int(v): n for v, n in found.items()} if facet == "years" else dict(found)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, Oracle]]:
    with local_api(tmp_path_factory.mktemp("facets")) as api:
        union = Store()
        union.extend(
            Quad(q.subject, q.predicate, q.object, DefaultGraph())
            for q in api.services.store.quads()
        )
        yield api, Oracle(union)


@pytest.fixture
def api(served: tuple[Api, Oracle]) -> Api:
    return served[0]


@pytest.fixture
def oracle(served: tuple[Api, Oracle]) -> Oracle:
    return served[1]


def _facet(name: str, entries: list[dict[str, Any]]) -> Counts:
    """``{value: count}`` of one facet, checking its order (years by year, others largest first)."""
    if name == "years":
        assert [e["year"] for e in entries] == sorted(e["year"] for e in entries)
        return {e["year"]: e["count"] for e in entries}
    counts = [e["count"] for e in entries]
    assert counts == sorted(counts, reverse=True), name
    return {next(v["iri"] for k, v in e.items() if k != "count"): e["count"] for e in entries}


def facets_of(listed: dict[str, Any]) -> dict[str, Counts]:
    return {name: _facet(name, entries) for name, entries in listed["facets"].items()}


def practice_facets(api: Api, filter: dict[str, Any]) -> tuple[int, dict[str, Counts]]:
    listed = api.data(FACETS, {"filter": filter})["practices"]
    return listed["totalCount"], facets_of(listed)


def country(*codes: str) -> str:
    return "VALUES ?c { " + " ".join(f"<{COUNTRY}{c}>" for c in codes) + " } ?p dct:spatial ?c"


def theme(slug: str) -> str:
    return f"?p dct:subject/skos:broader* <{ID}theme/{slug}>"


def assert_within(
    oracle: Oracle, facets: dict[str, Counts], items: frozenset[str], *names: str
) -> None:
    for name in names:
        assert facets[name] == oracle.counts(name, items), name


def test_picking_a_country_keeps_the_other_countries_with_their_counts(
    api: Api, oracle: Oracle
) -> None:
    total, facets = practice_facets(api, {"countries": ["DEU"]})
    listed = oracle.practices(country("DEU"))
    assert listed and total == len(listed)
    everything = oracle.practices()
    assert facets["countries"] == oracle.counts("countries", everything)
    assert len(facets["countries"]) > 1
    assert facets["countries"][COUNTRY + "DEU"] == total
    assert_within(oracle, facets, listed, "themes", "regions", "targetGroups", "years")


def test_two_countries_are_ored_and_both_show_their_own_counts(api: Api, oracle: Oracle) -> None:
    total, facets = practice_facets(api, {"countries": ["DEU", "FIN"]})
    deu, fin = oracle.practices(country("DEU")), oracle.practices(country("FIN"))
    assert deu and fin and total == len(deu | fin)
    assert facets["countries"] == oracle.counts("countries", oracle.practices())
    assert facets["countries"][COUNTRY + "DEU"] == len(deu)
    assert facets["countries"][COUNTRY + "FIN"] == len(fin)
    assert_within(oracle, facets, deu | fin, "themes", "regions", "targetGroups", "years")


def test_all_themes_drill_down_and_any_themes_keep_the_other_themes(
    api: Api, oracle: Oracle
) -> None:
    picked = ["career-guidance", "partnerships"]
    total, facets = practice_facets(api, {"themes": picked, "themeMatch": "ALL"})
    both = oracle.practices(*(theme(t) for t in picked))
    assert both and total == len(both)
    assert facets["themes"] == oracle.counts("themes", both)
    assert all(facets["themes"][f"{ID}theme/{t}"] == total for t in picked)

    total, facets = practice_facets(api, {"themes": picked})
    either = oracle.practices(theme(picked[0])) | oracle.practices(theme(picked[1]))
    assert total == len(either) > len(both)
    assert facets["themes"] == oracle.counts("themes", oracle.practices())
    assert_within(oracle, facets, either, "countries", "regions", "targetGroups", "years")


def test_a_country_and_a_theme_count_each_other(api: Api, oracle: Oracle) -> None:
    total, facets = practice_facets(api, {"countries": ["DEU"], "themes": ["career-guidance"]})
    in_deu, in_theme = oracle.practices(country("DEU")), oracle.practices(theme("career-guidance"))
    listed = in_deu & in_theme
    assert listed and total == len(listed)
    assert facets["countries"] == oracle.counts("countries", in_theme)
    assert facets["themes"] == oracle.counts("themes", in_deu)
    # each side differs from the list's own counts: the other filter alone is left out
    assert facets["countries"] != oracle.counts("countries", listed)
    assert facets["themes"] != oracle.counts("themes", listed)
    assert_within(oracle, facets, listed, "regions", "targetGroups", "years")


def test_a_country_and_all_themes(api: Api, oracle: Oracle) -> None:
    picked = ["career-guidance", "partnerships"]
    total, facets = practice_facets(
        api, {"countries": ["DEU"], "themes": picked, "themeMatch": "ALL"}
    )
    in_themes = oracle.practices(*(theme(t) for t in picked))
    listed = in_themes & oracle.practices(country("DEU"))
    assert listed and total == len(listed)
    assert facets["countries"] == oracle.counts("countries", in_themes)
    assert len(facets["countries"]) > 1
    assert_within(oracle, facets, listed, "themes", "regions", "targetGroups", "years")


def test_a_year_range_is_a_choice_of_years(api: Api, oracle: Oracle) -> None:
    total, facets = practice_facets(
        api, {"yearFrom": 2014, "yearTo": 2017, "themes": ["career-guidance"]}
    )
    in_years = oracle.practices(
        '?p dct:date ?d FILTER(substr(str(?d), 1, 4) >= "2014" && substr(str(?d), 1, 4) <= "2017")'
    )
    in_theme = oracle.practices(theme("career-guidance"))
    listed = in_years & in_theme
    assert listed and total == len(listed)
    assert facets["years"] == oracle.counts("years", in_theme)
    assert any(y < 2014 or y > 2017 for y in facets["years"])
    assert facets["themes"] == oracle.counts("themes", in_years)
    assert_within(oracle, facets, listed, "countries", "regions", "targetGroups")


def test_equal_lists_from_different_filters_have_their_own_facets(api: Api, oracle: Oracle) -> None:
    by_pes = oracle.practices(f"?p prov:wasAttributedTo <{ID}pes/deu-ba>")
    assert by_pes == oracle.practices(country("DEU"))  # the same list, two filters
    total, facets = practice_facets(api, {"pes": ["deu-ba"]})  # asked first: its counts are kept
    assert total == len(by_pes)
    assert facets["countries"] == {COUNTRY + "DEU": total}
    total, facets = practice_facets(api, {"countries": ["DEU"]})
    assert total == len(by_pes)
    assert facets["countries"] == oracle.counts("countries", oracle.practices())


def test_a_scoped_list_counts_within_its_scope(api: Api, oracle: Oracle) -> None:
    query = """query($filter: PracticeFilter) { theme(id: "career-guidance") {
      practices(filter: $filter, first: 0) { totalCount facets { countries { country { iri } count } } }
    } }"""
    listed = api.data(query, {"filter": {"countries": ["DEU"]}})["theme"]["practices"]
    in_theme = oracle.practices(theme("career-guidance"))
    assert listed["totalCount"] == len(in_theme & oracle.practices(country("DEU")))
    assert facets_of(listed)["countries"] == oracle.counts("countries", in_theme)
    assert facets_of(listed)["countries"] != oracle.counts("countries", oracle.practices())


def test_event_types_and_years_leave_out_their_own_filter(api: Api, oracle: Oracle) -> None:
    types = ["world-congress", "study-visit"]
    found = api.data(EVENT_FACETS, {"filter": {"eventTypes": types, "yearFrom": 2019}})["events"]
    of_types = oracle.events(
        f"VALUES ?type {{ {' '.join(f'<{ID}event-type/{t}>' for t in types)} }} ?e dct:type ?type"
    )
    since = oracle.events('?e schema:startDate ?d FILTER(substr(str(?d), 1, 4) >= "2019")')
    listed = of_types & since
    assert listed and found["totalCount"] == len(listed)
    facets = facets_of(found)
    assert facets["eventTypes"] == oracle.counts("eventTypes", since, events=True)
    assert facets["eventTypes"] != oracle.counts("eventTypes", listed, events=True)
    assert facets["years"] == oracle.counts("years", of_types, events=True)
    assert any(y < 2019 for y in facets["years"])
    assert facets["themes"] == oracle.counts("themes", listed, events=True)
