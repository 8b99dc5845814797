"""The shape and cost walks: linear in the document, whatever its fragments multiply to.

Each walk is counted in calls, not timed: a document whose fragments spread into 2^60 copies is
walked once per fragment, and a cycle of spreads ends the walk.
"""

from __future__ import annotations

import pytest
from graphql import get_introspection_query, parse

from graphsvc.api.schema import schema
from graphsvc.api.server import cost as cost_module
from graphsvc.api.server import shape as shape_module
from graphsvc.api.server.cost import IntrospectionSizes, estimate_cost
from graphsvc.api.server.execution import DocumentCache
from graphsvc.api.server.shape import SATURATED, ShapeLimits, operation_shapes, shape_errors
from graphsvc.settings import Settings

CORE = schema._schema


def doubling(levels: int, leaf: str = "__typename") -> str:
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    return f"{{ ...F0 }} {chain} fragment F{levels} on Query {{ {leaf} }}"


def count_calls(
    module: object, owner: str, method: str, monkeypatch: pytest.MonkeyPatch
) -> list[int]:
    calls = [0]
    cls = getattr(module, owner)
    original = getattr(cls, method)

    def counted(self: object, *args: object, **kwargs: object) -> object:
        calls[0] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, method, counted)
    return calls


@pytest.mark.parametrize("levels", [10, 30, 60])
def test_the_shape_walk_visits_each_fragment_once(
    levels: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = count_calls(shape_module, "_ShapeWalker", "selection_set", monkeypatch)
    ((_, shape),) = operation_shapes(parse(doubling(levels, "a: __typename")))
    assert calls[0] == levels + 2  # the operation and each fragment, once
    assert shape.repeats == min(2**levels, SATURATED)
    assert shape.aliases == min(2**levels, SATURATED)
    (error, *_) = shape_errors(parse(doubling(levels)), ShapeLimits(12, 30, 20))
    assert error.extensions == {"code": "MAX_REPEATS_EXCEEDED"}


@pytest.mark.parametrize("levels", [10, 30, 60])
def test_the_cost_walk_costs_each_fragment_once(
    levels: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = count_calls(cost_module, "_CostWalker", "cost", monkeypatch)
    document = parse(doubling(levels, "viewer { name }"))
    operation, *fragments = document.definitions
    by_name = {f.name.value: f for f in fragments}  # type: ignore[attr-defined]
    estimate = estimate_cost(CORE, operation, by_name, {}, 20)  # type: ignore[arg-type]
    # the operation, each fragment, then viewer's selection and name's (empty) one: once each
    assert calls[0] == 1 + (levels + 1) + 2
    assert estimate.cost == min(2**levels * 2, SATURATED)


@pytest.mark.parametrize(
    "query",
    [
        "{ ...A } fragment A on Query { ...B __typename } fragment B on Query { ...A viewer { name } }",
        "{ ...A } fragment A on Query { ...A viewer { name } }",
    ],
)
def test_a_cycle_ends_both_walks(query: str) -> None:
    document = parse(query)
    ((operation, shape),) = operation_shapes(document)
    assert shape.depth == 2
    fragments = {f.name.value: f for f in document.definitions[1:]}  # type: ignore[attr-defined]
    assert estimate_cost(CORE, operation, fragments, {}, 20).cost == 2  # type: ignore[arg-type]


def test_introspection_lists_are_weighed_by_this_schema() -> None:
    sizes = IntrospectionSizes.of(CORE)
    assert sizes.mean["__Schema", "types"] == len(CORE.type_map)
    assert sizes.most["__Type", "fields"] == max(
        len(t.fields)
        for t in CORE.type_map.values()
        if hasattr(t, "fields") and not hasattr(t, "parse_literal")
    )
    assert 0 < sizes.mean["__Type", "ofType"] < 1 == sizes.most["__Type", "ofType"]
    prepared = DocumentCache(CORE, Settings()).prepare(get_introspection_query())
    assert not prepared.errors
    operation = prepared.operation(None)
    full = estimate_cost(CORE, operation, prepared.fragments, {}, 20, sizes).cost
    assert 10_000 < full < Settings().max_query_cost


def test_aliased_introspection_counts_as_aliases() -> None:
    query = "{ " + " ".join(f"a{n}: __schema {{ queryType {{ name }} }}" for n in range(31)) + " }"
    (error,) = shape_errors(parse(query), ShapeLimits(12, 30, 20))
    assert error.message == "The operation uses 31 aliases; the limit is 30."
