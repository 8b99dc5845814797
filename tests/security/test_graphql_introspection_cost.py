"""Attack: introspection, which counted toward neither the alias nor the cost limit.

Forty aliased copies of the full introspection query held the event loop for 3 s. Introspection
fields now count as aliases and repeats like any other field, and the cost walk weighs each list
of the schema (``types``, ``fields``, ``args``, …) by its average length in this schema, so the
estimate of a full introspection is close to the fields it returns (about 11,900 here, under the
default limit of 20,000; two of them are over it). Execution hands the event loop over every few
milliseconds, so even an admitted introspection never holds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api.gql import Api
from graphql import get_introspection_query

from graphsvc.api.schema import schema
from graphsvc.api.server.cost import estimate_cost
from graphsvc.api.server.execution import DocumentCache, Executor
from graphsvc.settings import Settings

from .graphql_attack import attacked_api, error_codes, post, refusal, under_attack
from .wire import assert_healthy

FULL = get_introspection_query()
SELECTION = FULL[FULL.index("__schema") + len("__schema") :]
SELECTION = SELECTION[: SELECTION.index("fragment FullType")].strip()[:-1]
FRAGMENTS = FULL[FULL.index("fragment FullType") :]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with attacked_api(tmp_path_factory.mktemp("introspection"), load_seeds=False) as api:
        yield api


def aliased(copies: int) -> str:
    """``copies`` aliased copies of the full introspection query in one operation."""
    fields = " ".join(f"i{n}: __schema {SELECTION}" for n in range(copies))
    return f"query {{ {fields} }} {FRAGMENTS}"


def full_cost() -> int:
    settings = Settings()
    core = schema._schema
    prepared = DocumentCache(core, settings).prepare(FULL)
    assert not prepared.errors
    operation = prepared.operation(None)
    executor = Executor(core, settings)
    return estimate_cost(core, operation, prepared.fragments, {}, 20, executor.introspection).cost


def test_the_standard_introspection_query_is_admitted_and_costed(api: Api) -> None:
    """GraphiQL and code generators keep working; the estimate is near the fields returned."""
    response = post(api.client, FULL)
    assert response.status_code == 200, response.text
    data = response.json()["data"]["__schema"]

    def fields(value: object) -> int:
        if isinstance(value, dict):
            return len(value) + sum(fields(v) for v in value.values())
        if isinstance(value, list):
            return sum(fields(v) for v in value)
        return 0

    returned = fields(data) + 1
    cost = full_cost()
    assert 0.75 * returned <= cost <= 1.25 * returned, (cost, returned)
    assert cost <= Settings().max_query_cost < 2 * cost
    assert_healthy(api.app)


def test_forty_aliased_introspections_are_refused_as_aliases(api: Api) -> None:
    """The reported attack, sent by four clients at once."""
    query = aliased(40)
    attack = under_attack(api.app, lambda client: post(client, query))
    for response in attack.responses:
        assert refusal(response, "MAX_ALIASES_EXCEEDED") == (
            "The operation uses 40 aliases; the limit is 30."
        )


def test_two_aliased_introspections_are_over_the_cost(api: Api) -> None:
    attack = under_attack(api.app, lambda client: post(client, aliased(2)))
    for response in attack.responses:
        message = refusal(response, "MAX_COST_EXCEEDED")
        assert "the limit is 20000" in message


NESTED = [
    # each level of fields -> type -> fields multiplies by the fields of a type
    "{ __schema { types { fields { type { fields { type { fields { type { fields "
    "{ type { fields { name } } } } } } } } } } } }",
    # the same through __type, and through the possible types of every interface
    '{ __type(name: "Query") { fields { type { fields { type { fields { type { fields '
    "{ type { fields { type { fields { name } } } } } } } } } } } } }",
    "{ __schema { types { possibleTypes { fields { type { possibleTypes { fields { type "
    "{ possibleTypes { fields { args { type { name } } } } } } } } } } } } }",
]


@pytest.mark.parametrize("query", NESTED)
def test_nested_introspection_is_refused(api: Api, query: str) -> None:
    """graphql-core's own rule refuses lists of the schema nested three deep."""
    attack = under_attack(api.app, lambda client: post(client, query), requests=4)
    for response in attack.responses:
        assert "Maximum introspection depth exceeded" in refusal(
            response, "GRAPHQL_VALIDATION_FAILED"
        )


ONE_TYPE = '__type(name: "Query") { fields { name args { name type { name } } type { name } } }'
BIG = (
    "__schema { types { name description fields { name description args { name "
    "type { name kind ofType { name kind } } } type { name kind ofType { name } } } } }"
)
WIDE = [
    # Query has eight times the average number of fields: a type named by __type is weighed
    # by the greatest number of fields of a type
    "{ " + " ".join(f"t{n}: {ONE_TYPE}" for n in range(30)) + " }",
    # four copies of most of the schema
    "{ " + " ".join(f"a{n}: {BIG}" for n in range(4)) + " }",
    # the same copies hidden in fragments
    "{ ...A ...B ...C ...D } "
    + " ".join(f"fragment {name} on Query {{ {name}: {BIG} }}" for name in "ABCD"),
]


@pytest.mark.parametrize("query", WIDE)
def test_wide_introspection_is_over_the_cost(api: Api, query: str) -> None:
    attack = under_attack(api.app, lambda client: post(client, query), requests=4)
    for response in attack.responses:
        refusal(response, "MAX_COST_EXCEEDED")


def test_a_long_of_type_chain_is_cheap_and_answered(api: Api) -> None:
    """``ofType`` is a chain: its cost converges, and the answer ends in nulls at once."""
    chain = "ofType { " * 150 + "name" + " }" * 150
    query = f'{{ __type(name: "Query") {{ fields {{ type {{ {chain} }} }} }} }}'
    response = post(api.client, query)
    assert response.status_code == 200, response.text
    fields = response.json()["data"]["__type"]["fields"]
    assert fields and all("ofType" in field["type"] for field in fields)
    assert_healthy(api.app)


def test_introspection_switched_off_is_a_validation_error(tmp_path: Path) -> None:
    with attacked_api(tmp_path, load_seeds=False, introspection=False) as api:
        for query in (FULL, aliased(2), '{ __type(name: "Query") { name } }'):
            response = post(api.client, query)
            assert response.status_code == 400, response.text
            assert error_codes(response) == {"GRAPHQL_VALIDATION_FAILED"}
        assert post(api.client, "{ __typename }").json() == {"data": {"__typename": "Query"}}
        assert_healthy(api.app)


def test_admitted_introspections_do_not_hold_the_loop(api: Api) -> None:
    """Eight full introspections from four clients, each a new text (no cached answer): each
    answered, and the health probes answered while they run."""
    texts = iter(f"{FULL}\n# copy {n}" for n in range(8))
    attack = under_attack(api.app, lambda client: post(client, next(texts)), requests=8)
    for response in attack.responses:
        assert response.status_code == 200
        assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"
    assert attack.probes
