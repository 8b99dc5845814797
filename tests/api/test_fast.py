"""Every field of the read-model types is resolved directly (no Strawberry per-call wrapper)."""

from __future__ import annotations

from graphql import GraphQLObjectType

from graphsvc.api.schema import schema
from graphsvc.api.server.plan import DIRECT, DIRECT_WITH_INFO
from graphsvc.api.types import OBJECT_TYPES

CORE = schema._schema


def _direct(resolve: object) -> bool:
    return bool(getattr(resolve, DIRECT, False) or getattr(resolve, DIRECT_WITH_INFO, False))


def test_every_field_of_the_read_model_types_is_direct() -> None:
    slow = []
    names = [t.__strawberry_definition__.name for t in OBJECT_TYPES]  # type: ignore[attr-defined]
    names += [n for n in CORE.type_map if n.endswith(("Connection", "Edge")) or n == "PageInfo"]
    for name in names:
        found = CORE.type_map[name]
        assert isinstance(found, GraphQLObjectType)
        assert found.is_type_of is None, name
        slow += [f"{name}.{f}" for f, d in found.fields.items() if not _direct(d.resolve)]
    assert slow == []


def test_root_read_fields_are_direct_and_the_others_are_not() -> None:
    query = CORE.query_type
    assert query is not None
    for name in ("node", "nodes", "practice", "practices", "events", "search", "themes"):
        assert getattr(query.fields[name].resolve, DIRECT_WITH_INFO, False), name
    # fields of other modules keep Strawberry's resolver
    assert not _direct(query.fields["classCounts"].resolve)
