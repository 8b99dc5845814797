"""Disjunctive facet counts on a small hand-made read model, every count worked out below."""

from __future__ import annotations

import pytest

from graphsvc.model import selection as sel
from graphsvc.model.readmodel import ReadModel

# p1..p6 by country (FIN p1-p3, SWE p4-p5, DEU p6), all in Europe, two themes, three years
FIN, SWE, DEU = "c:FIN", "c:SWE", "c:DEU"
A, B = "t:a", "t:b"


def _set(*numbers: int) -> frozenset[str]:
    return frozenset(f"p{n}" for n in numbers)


@pytest.fixture
def rm() -> ReadModel:
    model = ReadModel()
    model.practices_by_country = {FIN: _set(1, 2, 3), SWE: _set(4, 5), DEU: _set(6)}
    model.practices_by_region = {"r:europe": _set(1, 2, 3, 4, 5, 6)}
    model.practices_by_theme = {A: _set(1, 4, 6), B: _set(1, 2, 4)}
    model.practices_by_year = {2015: _set(1, 4), 2018: _set(2, 5), 2020: _set(3, 6)}
    model.practices_by_target_group = {"g:youth": _set(1, 5)}
    model.practices_by_pes = {"pes:fin": _set(1, 2, 3), "pes:swe": _set(4, 5)}
    model.events_by_type = {"e:visit": frozenset({"e1", "e2"}), "e:webinar": frozenset({"e3"})}
    model.events_by_theme = {A: frozenset({"e1", "e3"})}
    model.events_by_year = {2019: frozenset({"e1"}), 2020: frozenset({"e2", "e3"})}
    return model


def facets(
    rm: ReadModel, f: sel.PracticeFilter, scope: sel.Selection = None
) -> tuple[sel.Selection, sel.Facets]:
    c = sel.practice_constraints(rm, f)
    selection = c.selection(scope)
    return selection, sel.practice_facets(rm, c, scope, selection)


def test_one_country_keeps_the_others_and_counts_the_rest_within_it(rm: ReadModel) -> None:
    selection, found = facets(rm, sel.PracticeFilter(countries=(FIN,)))
    assert selection == _set(1, 2, 3)
    assert found.counts("countries") == [(FIN, 3), (SWE, 2), (DEU, 1)]
    assert found.counts("themes") == [(B, 2), (A, 1)]  # p1, p2 / p1
    assert found.counts("years") == [(2015, 1), (2018, 1), (2020, 1)]
    assert found.counts("target_groups") == [("g:youth", 1)]


def test_two_countries_are_ored_and_both_keep_their_counts(rm: ReadModel) -> None:
    selection, found = facets(rm, sel.PracticeFilter(countries=(FIN, DEU)))
    assert selection == _set(1, 2, 3, 6)
    assert found.counts("countries") == [(FIN, 3), (SWE, 2), (DEU, 1)]
    assert found.counts("regions") == [("r:europe", 4)]


def test_each_disjunctive_facet_applies_the_other_filters(rm: ReadModel) -> None:
    selection, found = facets(rm, sel.PracticeFilter(countries=(FIN,), themes=(A,)))
    assert selection == _set(1)
    assert found.counts("countries") == [(DEU, 1), (FIN, 1), (SWE, 1)]  # p6, p1, p4 of theme a
    assert found.counts("themes") == [(B, 2), (A, 1)]  # the Finnish practices p1-p3
    assert found.counts("years") == [(2015, 1)]  # no filter of its own: the list


def test_all_themes_drill_down_within_the_list(rm: ReadModel) -> None:
    selection, found = facets(rm, sel.PracticeFilter(themes=(A, B), all_themes=True))
    assert selection == _set(1, 4)
    assert found.counts("themes") == [(A, 2), (B, 2)]
    assert found.counts("countries") == [(FIN, 1), (SWE, 1)]
    _, any_of = facets(rm, sel.PracticeFilter(themes=(A, B)))
    assert any_of.counts("themes") == [(A, 3), (B, 3)]


def test_a_year_range_is_left_out_of_the_year_facet(rm: ReadModel) -> None:
    selection, found = facets(
        rm, sel.PracticeFilter(countries=(SWE,), year_from=2015, year_to=2018)
    )
    assert selection == _set(4, 5)
    assert found.counts("years") == [(2015, 1), (2018, 1)]  # the Swedish practices p4, p5
    assert found.counts("countries") == [(FIN, 2), (SWE, 2)]  # p1, p2 / p4, p5


def test_the_scope_applies_to_every_facet(rm: ReadModel) -> None:
    selection, found = facets(rm, sel.PracticeFilter(countries=(FIN,)), scope=_set(1, 4, 5))
    assert selection == _set(1)
    assert found.counts("countries") == [(SWE, 2), (FIN, 1)]


@pytest.mark.parametrize("pes_first", [True, False])
def test_the_cache_tells_equal_selections_of_different_filters_apart(
    rm: ReadModel, pes_first: bool
) -> None:
    by_pes = sel.PracticeFilter(pes=("pes:fin",))
    by_country = sel.PracticeFilter(countries=(FIN,))
    order = [by_pes, by_country] if pes_first else [by_country, by_pes]
    results = {f: facets(rm, f) for f in order}
    assert results[by_pes][0] == results[by_country][0] == _set(1, 2, 3)
    assert results[by_pes][1].counts("countries") == [(FIN, 3)]
    assert results[by_country][1].counts("countries") == [(FIN, 3), (SWE, 2), (DEU, 1)]


def test_the_cache_follows_the_read_model_version(rm: ReadModel) -> None:
    f = sel.PracticeFilter(themes=(A,))
    assert facets(rm, f)[1].counts("countries") == [(DEU, 1), (FIN, 1), (SWE, 1)]
    rm.practices_by_country = {FIN: _set(1, 2, 3, 4, 6), SWE: _set(5)}
    rm.version += 1
    assert facets(rm, f)[1].counts("countries") == [(FIN, 3)]


def test_event_types_and_years_are_disjunctive(rm: ReadModel) -> None:
    c = sel.event_constraints(rm, sel.EventFilter(event_types=("e:visit",), year_from=2020))
    selection = c.selection()
    assert selection == frozenset({"e2"})
    found = sel.event_facets(rm, c, None, selection)
    assert found.counts("event_types") == [("e:visit", 1), ("e:webinar", 1)]  # in 2020: e2, e3
    assert found.counts("years") == [(2019, 1), (2020, 1)]  # the visits e1, e2
    assert found.counts("themes") == []  # e2 has no theme
