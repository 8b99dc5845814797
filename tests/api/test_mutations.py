"""createPractice, updatePractice and deletePractice over real HTTP, for every kind of caller.

The matrix: callers (nobody, a member of the owning PES, a member of another PES, an admin, a
revoked token, a token that was never issued, a header that is not a bearer token) × owners (two
PES) × operations. An allowed change is committed, shows in the read model and leaves a PROV
record; a refused one answers ``NotAuthorised`` and leaves the store exactly as it was.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pyoxigraph import NamedNode, QuerySolutions

from graphsvc.edit.provenance import PROVENANCE_GRAPH

from .gql import BA, GRAPHQL_RESPONSE, ID, KEHA, Api, local_api

CREATE = """
mutation Create($input: CreatePracticeInput!) {
  createPractice(input: $input) {
    __typename
    ... on PracticeCreated { id revision { kind target agent { id name onBehalfOf } changedFields } }
    ... on MutationError { message path }
    ... on InvalidInput { errors { path message } }
  }
}"""

UPDATE = """
mutation Update($id: ID!, $input: UpdatePracticeInput!) {
  updatePractice(id: $id, input: $input) {
    __typename
    ... on PracticeUpdated { id revision { kind agent { id onBehalfOf } changedFields } }
    ... on NotFound { id }
    ... on MutationError { message path }
    ... on InvalidInput { errors { path message } }
  }
}"""

DELETE = """
mutation Delete($id: ID!) {
  deletePractice(id: $id) {
    __typename
    ... on PracticeDeleted { id revision { kind agent { id } } }
    ... on NotFound { id }
    ... on MutationError { message path }
  }
}"""

HISTORY = """
query History($id: ID!) {
  practiceHistory(id: $id) {
    id kind time target description changedFields changedProperties
    agent { id name onBehalfOf }
  }
}"""

# caller -> the PES it may edit for: "*" for all, None for none
CALLERS: dict[str, str | None] = {
    "anonymous": None,
    "member-ba": BA,
    "member-keha": KEHA,
    "admin": "*",
    "revoked": None,
    "unknown-token": None,
    "not-bearer": None,
}
OWNERS = {"ba": (BA, "DEU"), "keha": (KEHA, "FIN")}
OPERATIONS = ("create", "update", "delete")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with local_api(tmp_path_factory.mktemp("mutations")) as api:
        api.make_token("member-ba", "member", BA)
        api.make_token("member-keha", "member", KEHA)
        api.make_token("admin", "admin")
        revoked = api.make_token("revoked", "member", BA)
        api.registry.revoke(api.records["revoked"].id)
        api.tokens["revoked"] = revoked
        yield api


def practice_input(title: str, owner: str | None, country: str = "DEU") -> dict[str, Any]:
    value: dict[str, Any] = {
        "title": [{"lang": "en", "text": title}, {"lang": "de", "text": f"{title} (de)"}],
        "abstract": [{"lang": "en", "text": f"What {title} does."}],
        "themes": ["youth-guarantee", "theme/career-guidance"],
        "targetGroups": ["young-people"],
        "country": country,
        "date": "2021-03-01",
        "sources": ["https://example.org/practice"],
    }
    if owner is not None:
        value["pes"] = owner
    return value


REFUSED_TOKENS = frozenset({"revoked", "unknown-token", "not-bearer"})
"""Callers whose Authorization header does not work: 401, never served as anonymous."""


def request(api: Api, caller: str, query: str, variables: dict[str, Any]) -> httpx.Response:
    if caller == "not-bearer":
        headers = {"Authorization": "Basic dXNlcjpwYXNz", "Accept": GRAPHQL_RESPONSE}
        return api.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    token = {"anonymous": None, "unknown-token": "gsk_000000000000_bm90LWlzc3VlZA"}.get(
        caller, api.tokens.get(caller)
    )
    return api.post(query, variables, token=token)


def send(api: Api, caller: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """Run a mutation as ``caller``; the single mutation field's result."""
    response = request(api, caller, query, variables)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    (result,) = body["data"].values()
    assert isinstance(result, dict)
    return result


def admin_creates(api: Api, title: str, owner: str, country: str) -> str:
    result = send(api, "admin", CREATE, {"input": practice_input(title, owner, country)})
    assert result["__typename"] == "PracticeCreated", result
    iri: str = result["id"]
    return iri


def allowed(caller: str, owner: str) -> bool:
    scope = CALLERS[caller]
    return scope == "*" or scope == owner


MATRIX = list(itertools.product(CALLERS, OWNERS, OPERATIONS))


@pytest.mark.parametrize(("caller", "owner_key", "operation"), MATRIX)
def test_every_caller_owner_and_operation(
    api: Api, caller: str, owner_key: str, operation: str
) -> None:
    owner, country = OWNERS[owner_key]
    title = f"Matrix {caller} {owner_key} {operation}"
    target = None
    if operation != "create":
        target = admin_creates(api, title, owner, country)
    before = api.snapshot()
    version = api.services.read_model.version

    variables: dict[str, Any]
    if operation == "create":
        query, variables = CREATE, {"input": practice_input(title, owner, country)}
    elif operation == "update":
        changes = {"date": "2015", "title": [{"lang": "en", "text": f"{title} renamed"}]}
        query, variables = UPDATE, {"id": target, "input": changes}
    else:
        query, variables = DELETE, {"id": target}
    if caller in REFUSED_TOKENS:
        response = request(api, caller, query, variables)
        assert response.status_code == 401, response.text
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith("Bearer ")
        if caller != "not-bearer":
            assert 'error="invalid_token"' in challenge
        (error,) = response.json()["errors"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        if caller == "revoked":
            assert "revoked" in error["message"]
        assert api.snapshot() == before, "a refused mutation wrote to the store"
        assert api.services.read_model.version == version
        return
    result = send(api, caller, query, variables)

    if not allowed(caller, owner):
        assert result["__typename"] == "NotAuthorised", result
        assert result["message"]
        assert api.snapshot() == before, "a refused mutation wrote to the store"
        assert api.services.read_model.version == version
        if caller in ("member-ba", "member-keha"):
            assert CALLERS[caller] in result["message"]
        return

    expected = {"create": "PracticeCreated", "update": "PracticeUpdated"}
    assert result["__typename"] == expected.get(operation, "PracticeDeleted"), result
    iri = result["id"]
    token = api.records[caller]
    assert result["revision"]["kind"] == operation.upper()
    assert result["revision"]["agent"]["id"] == token.agent_iri
    assert result["revision"]["agent"].get("onBehalfOf", token.pes) == token.pes
    assert api.snapshot() != before
    assert api.services.read_model.version > version
    practices = api.services.read_model.practices
    if operation == "delete":
        assert iri not in practices
        assert not any(q.graph_name != PROVENANCE_GRAPH for q in stored(api, iri))
    else:
        record = practices[iri]
        assert record.pes == owner
        if operation == "update":
            assert result["revision"]["changedFields"] == ["title", "date"]
            assert record.title == {"en": f"{title} renamed"}
            assert record.date == "2015"
        else:
            assert iri.startswith(f"{ID}practice/matrix-")
            assert record.title == {"en": title, "de": f"{title} (de)"}
            assert record.date == "2021-03-01"
            assert (
                record.country
                == f"http://publications.europa.eu/resource/authority/country/{country}"
            )
    history = api.data(HISTORY, {"id": iri})["practiceHistory"]
    assert [r["kind"] for r in history][-1] == operation.upper()
    assert history[-1]["agent"]["id"] == token.agent_iri


def stored(api: Api, iri: str) -> list[Any]:
    return list(api.services.store.quads(NamedNode(iri), None, None, None))


# -- provenance and history --------------------------------------------------------------------


def test_each_change_is_a_prov_activity_and_the_history_lists_them(api: Api) -> None:
    created = send(
        api, "member-ba", CREATE, {"input": practice_input("History of a practice", None)}
    )
    assert created["__typename"] == "PracticeCreated", created
    iri = created["id"]
    assert created["revision"]["agent"]["onBehalfOf"] == BA  # the member's own PES by default
    updated = send(
        api,
        "admin",
        UPDATE,
        {"id": iri, "input": {"themes": ["green-transition"], "abstract": None}},
    )
    assert updated["__typename"] == "PracticeUpdated", updated
    assert sorted(updated["revision"]["changedFields"]) == ["abstract", "themes"]
    deleted = send(api, "member-ba", DELETE, {"id": iri})
    assert deleted["__typename"] == "PracticeDeleted", deleted

    history = api.data(HISTORY, {"id": iri})["practiceHistory"]
    assert [r["kind"] for r in history] == ["CREATE", "UPDATE", "DELETE"]
    assert [r["agent"]["name"] for r in history] == [
        "member-ba token",
        "admin token",
        "member-ba token",
    ]
    assert [r["agent"]["onBehalfOf"] for r in history] == [BA, None, BA]
    assert [r["time"] for r in history] == sorted(r["time"] for r in history)
    assert all(r["target"] == iri for r in history)
    assert "History of a practice" in history[0]["description"]
    assert "http://purl.org/dc/terms/subject" in history[1]["changedProperties"]

    # the records are PROV in the store: an activity, its agent, its time and what it touched
    rows = api.services.store.query(
        f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?change ?agent ?time ?gone WHERE {{
          GRAPH <{PROVENANCE_GRAPH.value}> {{
            ?change a prov:Activity ; prov:wasAssociatedWith ?agent ; prov:startedAtTime ?time .
            {{ ?change prov:generated <{iri}> }} UNION {{ ?change prov:used <{iri}> }}
            OPTIONAL {{ ?change prov:invalidated ?gone }}
          }}
        }}"""
    )
    assert isinstance(rows, QuerySolutions)
    found = {(row["change"].value, row["agent"].value) for row in rows}
    assert found == {(r["id"], r["agent"]["id"]) for r in history}

    # a deleted practice cannot be changed again, but its history stays
    again = send(api, "admin", UPDATE, {"id": iri, "input": {"date": "2020"}})
    assert again["__typename"] == "NotFound"
    assert again["id"] == iri
    assert again["path"] == ["id"]


def test_an_update_that_changes_nothing_records_nothing(api: Api) -> None:
    iri = admin_creates(api, "Unchanged practice", BA, "DEU")
    before = api.snapshot()
    result = send(api, "member-ba", UPDATE, {"id": iri, "input": {"date": "2021-03-01"}})
    assert result == {"__typename": "PracticeUpdated", "id": iri, "revision": None}
    assert api.snapshot() == before
    assert len(api.data(HISTORY, {"id": iri})["practiceHistory"]) == 1


def test_a_member_cannot_give_its_practice_away_or_create_for_another_pes(api: Api) -> None:
    iri = admin_creates(api, "Practice kept at home", BA, "DEU")
    before = api.snapshot()
    moved = send(api, "member-ba", UPDATE, {"id": iri, "input": {"pes": KEHA}})
    assert moved["__typename"] == "NotAuthorised"
    assert moved["path"] == ["input", "pes"]
    created = send(api, "member-ba", CREATE, {"input": practice_input("Not mine", KEHA, "FIN")})
    assert created["__typename"] == "NotAuthorised"
    assert api.snapshot() == before


def test_an_admin_may_move_a_practice_to_another_pes(api: Api) -> None:
    iri = admin_creates(api, "Practice that moves", BA, "DEU")
    moved = send(api, "admin", UPDATE, {"id": iri, "input": {"pes": "pes/fin-keha"}})
    assert moved["__typename"] == "PracticeUpdated", moved
    assert moved["revision"]["changedFields"] == ["pes"]
    # now the Finnish member edits it and the German one no longer may
    assert send(api, "member-ba", DELETE, {"id": iri})["__typename"] == "NotAuthorised"
    assert send(api, "member-keha", DELETE, {"id": iri})["__typename"] == "PracticeDeleted"


def test_missing_practices_are_not_found(api: Api) -> None:
    for query, variables in (
        (UPDATE, {"id": f"{ID}practice/no-such-practice", "input": {"date": "2020"}}),
        (DELETE, {"id": "practice/no-such-practice"}),
        (DELETE, {"id": "pes/deu-ba"}),  # exists, but is not a practice
    ):
        before = api.snapshot()
        result = send(api, "admin", query, variables)
        assert result["__typename"] == "NotFound", result
        assert result["path"] == ["id"]
        assert api.snapshot() == before


def test_two_practices_with_one_title_get_distinct_ids(api: Api) -> None:
    first = admin_creates(api, "Same title", BA, "DEU")
    second = admin_creates(api, "Same title", BA, "DEU")
    assert first == f"{ID}practice/same-title"
    assert second == f"{ID}practice/same-title-2"


def test_the_viewer_tells_who_is_asking(api: Api) -> None:
    query = "{ viewer { tokenId name role pes } }"
    assert api.data(query)["viewer"] is None
    refused = api.post(query, token=api.tokens["revoked"])
    assert refused.status_code == 401, refused.text
    assert "data" not in refused.json()
    member = api.data(query, token=api.tokens["member-ba"])["viewer"]
    assert member == {
        "tokenId": api.records["member-ba"].id,
        "name": "member-ba token",
        "role": "member",
        "pes": BA,
    }
    assert api.data(query, token=api.tokens["admin"])["viewer"]["role"] == "admin"


def test_concurrent_mutations_are_serialised(api: Api) -> None:
    """Eight clients create practices with one title at once: eight distinct ids, eight records."""
    from concurrent.futures import ThreadPoolExecutor

    def create(_: int) -> str:
        with api.app.client(timeout=60) as client:
            response = client.post(
                "/graphql",
                json={"query": CREATE, "variables": {"input": practice_input("Rush hour", BA)}},
                headers=api.headers(api.tokens["member-ba"]),
            )
        result = response.json()["data"]["createPractice"]
        assert result["__typename"] == "PracticeCreated", result
        iri: str = result["id"]
        return iri

    with ThreadPoolExecutor(max_workers=8) as pool:
        iris = list(pool.map(create, range(8)))
    assert len(set(iris)) == 8
    assert set(iris) == {f"{ID}practice/rush-hour"} | {
        f"{ID}practice/rush-hour-{n}" for n in range(2, 9)
    }
    for iri in iris:
        assert [r["kind"] for r in api.data(HISTORY, {"id": iri})["practiceHistory"]] == ["CREATE"]
        assert iri in api.services.read_model.practices


def test_references_may_be_the_global_ids_a_front_end_has(api: Api) -> None:
    """A form fills its choices from queries, so it sends global IDs; they work like IRIs."""
    ids = api.data(
        '{ pes(id: "deu-ba") { id } theme(id: "youth-guarantee") { id } country(id: "DEU") { id } }'
    )
    value = practice_input("Chosen from lists", None)
    value |= {
        "pes": ids["pes"]["id"],
        "themes": [ids["theme"]["id"]],
        "country": ids["country"]["id"],
    }
    created = send(api, "member-ba", CREATE, {"input": value})
    assert created["__typename"] == "PracticeCreated", created
    record = api.services.read_model.practices[created["id"]]
    assert record.pes == BA
    assert record.themes == (f"{ID}theme/youth-guarantee",)
    # and the practice's own global ID names it in updatePractice
    found = api.data(f'{{ practice(id: "{created["id"]}") {{ id }} }}')["practice"]["id"]
    updated = send(api, "member-ba", UPDATE, {"id": found, "input": {"date": "2019"}})
    assert updated["__typename"] == "PracticeUpdated", updated
    assert updated["id"] == created["id"]
