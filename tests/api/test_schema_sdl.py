"""The committed ``schema.graphql`` is the schema the code builds, and every field is documented."""

from __future__ import annotations

from graphql import GraphQLObjectType, build_schema

from graphsvc.api.schema import print_sdl, schema
from graphsvc.settings import PROJECT_ROOT

SDL = PROJECT_ROOT / "schema.graphql"


def test_schema_graphql_matches_the_code() -> None:
    committed = SDL.read_text(encoding="utf-8")
    assert committed == print_sdl(), "schema.graphql is out of date: run `make schema`"


def test_committed_sdl_builds_and_has_the_read_model_types() -> None:
    built = build_schema(SDL.read_text(encoding="utf-8"))
    for name in (
        "Practice",
        "Pes",
        "Network",
        "Membership",
        "Region",
        "Country",
        "Theme",
        "TargetGroup",
        "EventType",
        "Event",
        "Project",
        "ProjectPhase",
        "ProjectStep",
        "Achievement",
        "Activity",
        "Role",
        "ActivityFormat",
        "WorkProgrammeCluster",
        "OtherAgent",
    ):
        found = built.type_map[name]
        assert isinstance(found, GraphQLObjectType)
        assert "Node" in {i.name for i in found.interfaces}, name
        assert {"id", "iri"} <= set(found.fields), name


def test_every_object_type_has_a_description() -> None:
    missing = []
    for name, found in schema._schema.type_map.items():
        if not isinstance(found, GraphQLObjectType) or name.startswith("__"):
            continue
        if found.description is None and not name.endswith(("Connection", "Edge")):
            missing.append(name)
    assert missing == [] or set(missing) <= {"Query", "Mutation", "ClassCount"}, missing
