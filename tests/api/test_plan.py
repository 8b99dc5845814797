"""Compiled plans answer exactly what graphql-core answers, and give up where they must."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse

from graphsvc.api.schema import schema
from graphsvc.api.server.plan import compile_plan

from .seeded import ID, Seeded, gid

CORE = schema._schema

QUERIES: list[tuple[str, dict[str, Any]]] = [
    (
        """query Typical($id: ID!, $theme: ID!) {
          practice(id: $id) { id title abstract date year themes { nodes { id label } }
            pes { id label } country { id label } region { id label } }
          practices(filter: { themes: [$theme] }, first: 20) {
            totalCount pageInfo { hasNextPage endCursor }
            edges { cursor node { id title year pes { label } country { label } } } } }""",
        {"id": f"{ID}practice/ohjaamo", "theme": "youth-employment"},
    ),
    (
        """fragment P on Practice { iri fi: title(lang: "fi") title }
        query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ...P ... on Theme { label }
          ... on Agent { label altLabels } } }""",
        {
            "ids": [
                gid("Practice", f"{ID}practice/ohjaamo"),
                f"{ID}practice/none",
                gid("Theme", f"{ID}theme/youth-guarantee"),
                f"{ID}pes/deu-ba",
            ]
        },
    ),
    (
        """{ pes(id: "deu-ba") { label pes: label(lang: "de") country { label } country { notation }
             practices(orderBy: NEWEST, first: 3) { nodes { year title } }
             networks { nodes { label members(first: 2) { totalCount } } } } }""",
        {},
    ),
    (
        """query($with: Boolean!, $without: Boolean!) {
          theme(id: "youth-guarantee") { label @include(if: $with) notation @skip(if: $without)
            broader { nodes { label ... on Theme @include(if: $with) { notation } } } } }""",
        {"with": True, "without": False},
    ),
    (
        """query($with: Boolean!, $without: Boolean!) {
          theme(id: "youth-guarantee") { label @include(if: $with) notation @skip(if: $without)
            broader { nodes { label ... on Theme @include(if: $with) { notation } } } } }""",
        {"with": False, "without": True},
    ),
    (
        """query($q: String!) { search(query: $q, first: 8) { totalCount kindCounts { kind count }
          nodes { score kind node { __typename ... on Practice { title } ... on Pes { label }
          ... on Event { name } ... on Theme { label } } } } }""",
        {"q": "youth employment"},
    ),
    (
        """{ practices(filter: {regions: ["europe"], yearFrom: 2012}, first: 0) { totalCount
          facets { themes { theme { label } count } countries { country { notation } count }
          regions { region { label } count } targetGroups { targetGroup { label } count }
          years { year count } } } }""",
        {},
    ),
    (
        """query($c: [ID!], $t: [ID!]) {
          practices(filter: {countries: $c, themes: $t, themeMatch: ALL}, first: 2) { totalCount
            facets { themes { theme { label } count } countries { country { notation } count }
            years { year count } } }
          theme(id: "career-guidance") { practices(filter: {countries: $c, yearFrom: 2014}) {
            facets { countries { count } years { year count } } } } }""",
        {"c": ["DEU", "FIN"], "t": ["career-guidance", "partnerships"]},
    ),
    (
        """query($from: Date!) { events(filter: {dateFrom: $from}, orderBy: DATE_DESC) {
          totalCount facets { eventTypes { eventType { label } count } years { year count } }
          nodes { name startDate hosts { nodes { __typename label ... on Pes { acronym } } }
          organizers { nodes { __typename iri } } project { name phases { nodes { name } } } } } }""",
        {"from": "2020-01-01"},
    ),
    (
        """{ network(id: "wapes") { regions { nodes { label countries(last: 2) { nodes { label
            pes { nodes { label practices { totalCount } } } } } } }
          memberships(first: 5) { nodes { member { __typename label } role { label } startDate } } } }""",
        {},
    ),
    (
        """query($id: ID!, $ids: [ID!]!) {
          node(id: $id) { __typename id ... on ProjectPhase { name position project { id name }
            steps { nodes { id name phases { nodes { id } } } }
            achievements(last: 2) { totalCount nodes { id name phase { iri } } } } }
          nodes(ids: $ids) { id ... on ProjectStep { step: position project { iri } }
            ... on Achievement { position phase { position } } }
          project(id: "japan-wapes-joint-project") { phases { nodes { id iri } }
            steps(first: 2) { nodes { id project { id } } } } }""",
        {
            "id": gid("ProjectPhase", f"{ID}project/japan-wapes-joint-project/phase/1"),
            "ids": [
                gid("ProjectStep", f"{ID}project/japan-wapes-joint-project/step/2"),
                gid(
                    "Achievement", f"{ID}project/japan-wapes-joint-project/achievement/study-visit"
                ),
                f"{ID}project/japan-wapes-joint-project/phase/2",
            ],
        },
    ),
    (
        """{ classCounts { iri instances } viewer { name }
           activities(first: 3) { nodes { title cluster { label } formats { nodes { label } } } } }""",
        {},
    ),
]


@pytest.fixture
def api(seeded_api: Seeded) -> Seeded:
    return seeded_api  # read only: one service for every module that only reads


def _operation(text: str) -> tuple[Any, OperationDefinitionNode]:
    document = parse(text)
    [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return document, operation


@pytest.mark.parametrize(("query", "variables"), QUERIES)
def test_a_plan_answers_what_graphql_core_answers(
    api: Seeded, query: str, variables: dict[str, Any]
) -> None:
    expected = api.reference(query, variables)
    assert not expected.errors, expected.errors
    document, operation = _operation(query)
    plan = compile_plan(CORE, document, operation)
    assert plan is not None
    for _ in range(2):  # the second run uses the cached field plans
        result = plan.execute(api.context, variables)
        assert result is not None
        assert result.errors is None
        assert result.data == expected.data


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ('{ practice(id: "ohjaamo") { themes(first: 500) { totalCount } } }', {}),
        ("query($id: ID!) { node(id: $id) { id } }", {"id": "%%%"}),
        ("query($n: Int!) { practices(first: $n) { totalCount } }", {"n": "many"}),
        ('{ __schema { queryType { name } } practice(id: "ohjaamo") { iri } }', {}),
        ('{ practice(id: "ohjaamo") { iri } __type(name: "Practice") { name } }', {}),
    ],
)
def test_a_plan_gives_up_where_the_full_executor_must_answer(
    api: Seeded, query: str, variables: dict[str, Any]
) -> None:
    document, operation = _operation(query)
    plan = compile_plan(CORE, document, operation)
    assert plan is None or plan.execute(api.context, variables) is None


def test_no_plan_for_mutations_or_unknown_directives() -> None:
    document, operation = _operation('mutation { deletePractice(id: "x") { __typename } }')
    assert compile_plan(CORE, document, operation) is None
    document, operation = _operation('{ practice(id: "ohjaamo") { ... @defer { iri } } }')
    assert compile_plan(CORE, document, operation) is None


def test_an_aborted_execution_gives_up(api: Seeded) -> None:
    class Aborted:
        aborted = True

    document, operation = _operation('{ practice(id: "ohjaamo") { iri } }')
    plan = compile_plan(CORE, document, operation)
    assert plan is not None
    assert plan.execute(api.context, {}, Aborted()) is None
    assert plan.execute(api.context, {}) is not None


def test_field_plans_depend_only_on_the_variables_of_conditions(api: Seeded) -> None:
    query = """query($id: ID!, $full: Boolean!) { practice(id: $id) { iri
        title @include(if: $full) themes @include(if: $full) { totalCount } } }"""
    document, operation = _operation(query)
    plan = compile_plan(CORE, document, operation)
    assert plan is not None
    for slug in ("ohjaamo", "intreo", "la-bonne-boite"):
        for full in (True, False):
            variables = {"id": slug, "full": full}
            result = plan.execute(api.context, variables)
            assert result is not None and result.data == api.reference(query, variables).data
    assert len(plan._variants) == 2
