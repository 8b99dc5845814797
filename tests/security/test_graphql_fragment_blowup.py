"""Attack: documents a few hundred bytes long whose fragments spread into millions of fields.

Twenty fragments that each spread the next one twice are 2^20 spreads of the last one in 858
bytes; walking each spread froze the event loop for 11.7 s. Depth, aliases and repeated fields are
now measured in one pass that walks each fragment once (``graphsvc.api.server.shape``), before the
validation rules of graphql-core, and the cost walk also costs each fragment once. Every variant is
refused (or answered) at once, with the limit's code, and ``/healthz`` answers throughout.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api.gql import Api

from .graphql_attack import attacked_api, error_codes, post, refusal, under_attack
from .wire import assert_healthy


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with attacked_api(tmp_path_factory.mktemp("fragments"), load_seeds=False) as api:
        yield api


def doubling(levels: int, leaf: str, on: str = "Query", spreads: int = 2) -> str:
    """Fragments F0 … F<levels>: each spreads the next ``spreads`` times; the last is ``leaf``."""
    chain = " ".join(
        f"fragment F{i} on {on} {{ {' '.join([f'...F{i + 1}'] * spreads)} }}" for i in range(levels)
    )
    return f"{chain} fragment F{levels} on {on} {{ {leaf} }}"


BLOWUPS = {
    # the reported document: 2^20 copies of one field at the top level
    "twice-per-level": ("{ ...F0 } " + doubling(20, "__typename"), "MAX_REPEATS_EXCEEDED"),
    # wider: 3^14 copies
    "three-per-level": (
        "{ ...F0 } " + doubling(14, "__typename", spreads=3),
        "MAX_REPEATS_EXCEEDED",
    ),
    # every copy an alias: counted with its multiplicity, saturating
    "aliased-leaf": ("{ ...F0 } " + doubling(40, "a: __typename"), "MAX_ALIASES_EXCEEDED"),
    # the blow-up one level down, inside an object field
    "inside-a-field": (
        "{ viewer { ...F0 } } " + doubling(20, "name", on="Viewer"),
        "MAX_REPEATS_EXCEEDED",
    ),
    # through inline fragments instead of named spreads
    "inline-fragments": (
        "{ ...F0 } "
        + " ".join(
            f"fragment F{i} on Query {{ ... on Query {{ ...F{i + 1} }} ... {{ ...F{i + 1} }} }}"
            for i in range(20)
        )
        + " fragment F20 on Query { __typename }",
        "MAX_REPEATS_EXCEEDED",
    ),
    # 380 copies of one field written out: what the field-merging rule compares pairwise
    "written-out-copies": ("{" + " viewer { name }" * 380 + "}", "MAX_REPEATS_EXCEEDED"),
}


@pytest.mark.parametrize("name", sorted(BLOWUPS))
def test_a_fragment_blowup_is_refused_while_the_service_answers(api: Api, name: str) -> None:
    query, code = BLOWUPS[name]
    assert len(query.encode()) < 7_000
    attack = under_attack(api.app, lambda client: post(client, query))
    for response in attack.responses:
        message = refusal(response, code)
        assert "the limit is" in message
    assert attack.probes


def test_the_reported_document_is_refused_in_its_own_words(api: Api) -> None:
    query = "{ ...F0 } " + doubling(20, "__typename")
    message = refusal(post(api.client, query), "MAX_REPEATS_EXCEEDED")
    assert message == (
        "The operation asks for one field (or alias) 1048576 times in one selection set; "
        "the limit is 20. Ask for each field once."
    )
    assert_healthy(api.app)


@pytest.mark.parametrize(
    "query",
    [
        # a cycle: every walk must stop where it closes
        "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A __typename }",
        # a fragment that spreads itself
        "{ ...A } fragment A on Query { __typename ...A }",
        # a cycle that doubles on its way round
        "{ ...A } fragment A on Query { ...B ...B } fragment B on Query { ...A ...A }",
    ],
)
def test_a_cycle_of_fragments_is_a_validation_error(api: Api, query: str) -> None:
    response = post(api.client, query)
    assert response.status_code == 400, response.text
    assert error_codes(response) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "Cannot spread fragment" in response.text
    assert_healthy(api.app)


def chain(length: int) -> str:
    """``length`` fragments, each spreading the next once, ending in ``__typename``."""
    links = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(length))
    return f"{{ ...F0 }} {links} fragment F{length} on Query {{ __typename }}"


def test_a_long_chain_of_fragments_is_answered(api: Api) -> None:
    """150 fragments each spreading the next once: linear, and the answer is one field."""
    response = post(api.client, chain(150))
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"__typename": "Query"}}
    assert_healthy(api.app)


@pytest.mark.parametrize("length", [250, 1_500])
def test_a_chain_of_fragments_too_long_to_validate_is_refused(tmp_path: Path, length: int) -> None:
    """Past 200 levels (graphql-core's bound on the nesting it validates) or past the stack of
    the interpreter: a 400 that says what is too deep, not a bare "Validation aborted"."""
    with attacked_api(tmp_path, load_seeds=False, max_query_tokens=20_000) as api:
        message = refusal(post(api.client, chain(length)), "MAX_DEPTH_EXCEEDED")
        assert "too deeply" in message
        assert_healthy(api.app)


def test_a_blowup_under_the_repeat_limit_is_costed(tmp_path: Path) -> None:
    """Spread under two aliases of a paged field, the copies never share a key: the cost walk,
    which costs each fragment once, multiplies them (200^3 practices) and refuses the query."""
    levels = 3  # a connection nests three levels per step (related, nodes, practice)
    fragments = " ".join(
        f"fragment P{i} on Practice {{ a: related(first: 100) {{ nodes {{ practice {{ ...P{i + 1} }} }} }} "
        f"b: related(first: 100) {{ nodes {{ practice {{ ...P{i + 1} }} }} }} }}"
        for i in range(levels)
    )
    query = (
        f'{{ practice(id: "x") {{ ...P0 }} }} {fragments} '
        f"fragment P{levels} on Practice {{ title }}"
    )
    with attacked_api(tmp_path, load_seeds=False, max_query_aliases=10_000) as api:
        message = refusal(post(api.client, query), "MAX_COST_EXCEEDED")
        assert message.startswith("The query would resolve about ")
        assert "the limit is 20000" in message
        assert_healthy(api.app)


def test_one_refused_blowup_does_not_slow_the_next_request(api: Api) -> None:
    refusal(post(api.client, "{ ...F0 } " + doubling(30, "__typename")), "MAX_REPEATS_EXCEEDED")
    with api.app.client(timeout=10) as client:
        assert post(client, "{ __typename }").json() == {"data": {"__typename": "Query"}}
    assert_healthy(api.app)
