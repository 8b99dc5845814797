"""The published ``schema.graphql`` has the ``practiceChanges`` subscription exactly as the
WebSocket endpoint serves it, and HTTP ``/graphql`` still refuses a subscription, saying where to
send it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from cli.processes import Service, cli_env, serving
from graphql import (
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    build_client_schema,
    build_schema,
    get_introspection_query,
    get_named_type,
    print_type,
)
from websockets.sync.client import connect

from graphsvc.api.schema import print_sdl
from graphsvc.settings import PROJECT_ROOT

SDL = PROJECT_ROOT / "schema.graphql"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    data_dir = tmp_path_factory.mktemp("subscription-schema") / "data"
    # one SPARQL query worker (each loads the data at start): this service is asked GraphQL only
    env = cli_env(GRAPHSVC_STORE="memory", GRAPHSVC_ACCESS_LOG="false", GRAPHSVC_SPARQL_WORKERS="1")
    with serving(data_dir, env=env) as running:
        yield running


def _over_websocket(url: str, query: str) -> dict[str, Any]:
    """The result of ``query`` run over graphql-transport-ws at ``url``/graphql."""
    with connect(
        url.replace("http://", "ws://") + "/graphql",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
    ) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(ws.recv(timeout=30))["type"] == "connection_ack"
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        message = json.loads(ws.recv(timeout=30))
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        result: dict[str, Any] = message["payload"]["data"]
        assert json.loads(ws.recv(timeout=30))["type"] == "complete"
        return result


def _reachable(schema: GraphQLSchema, root: GraphQLObjectType) -> dict[str, GraphQLNamedType]:
    """``root`` and every type its fields' arguments and results name, transitively."""
    found: dict[str, GraphQLNamedType] = {}
    pending: list[GraphQLNamedType] = [root]
    while pending:
        named = pending.pop()
        if named.name in found:
            continue
        found[named.name] = named
        if isinstance(named, GraphQLObjectType):
            for field in named.fields.values():
                pending.append(get_named_type(field.type))
                pending.extend(get_named_type(a.type) for a in field.args.values())
    return {name: schema.type_map[name] for name in found}


def test_the_published_sdl_has_the_subscription() -> None:
    assert SDL.read_text(encoding="utf-8") == print_sdl()
    published = build_schema(SDL.read_text(encoding="utf-8"))
    subscription = published.subscription_type
    assert subscription is not None and subscription.name == "Subscription"
    assert subscription.description and "graphql-transport-ws" in subscription.description
    assert "`/graphql`" in subscription.description
    field = subscription.fields["practiceChanges"]
    assert set(field.args) == {"themes", "countries", "pes", "networks", "since"}
    payload = get_named_type(field.type)
    assert payload.name == "PracticeChange"
    assert isinstance(payload, GraphQLObjectType)
    assert {"revision", "kind", "practice", "title", "themes"} <= set(payload.fields)


def test_the_published_subscription_is_what_the_websocket_serves(service: Service) -> None:
    introspection = _over_websocket(service.url, get_introspection_query(descriptions=True))
    served = build_client_schema(introspection)  # type: ignore[arg-type]
    published = build_schema(SDL.read_text(encoding="utf-8"))
    assert served.subscription_type is not None and published.subscription_type is not None
    ours = _reachable(published, published.subscription_type)
    theirs = _reachable(served, served.subscription_type)
    assert set(ours) == set(theirs) >= {"Subscription", "PracticeChange", "ChangeKind", "ID"}
    for name in sorted(ours):
        assert print_type(ours[name]) == print_type(theirs[name]), name


def test_a_subscription_over_http_is_refused_saying_where_to_send_it(service: Service) -> None:
    query = "subscription { practiceChanges { revision } }"
    with service.client() as client:
        posted = client.post("/graphql", json={"query": query})
        got = client.get("/graphql", params={"query": query})
    for answer in (posted, got):
        assert answer.status_code == 200, answer.text
        (error,) = answer.json()["errors"]
        assert "WebSocket" in error["message"] and "graphql-transport-ws" in error["message"]
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "data" not in answer.json()
