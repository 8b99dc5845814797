"""A project's phases, steps and achievements are Relay nodes, over real HTTP.

Expected values come from the seed files themselves (every graph merged), not from the read model.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import QuerySolutions, RdfFormat, Store

from graphsvc.settings import PROJECT_ROOT

from .gql import Api, local_api
from .seeded import ID, PREFIXES, gid

PROJECT = f"{ID}project/japan-wapes-joint-project"
PART_TYPES = ("ProjectPhase", "ProjectStep", "Achievement")

# the same fields of a part, whether it is reached from its project or by node(id)
PART_FIELDS = """
fragment Part on Node {
  __typename id iri
  ... on ProjectPhase { name position startDate endDate }
  ... on ProjectStep { name step: position }  # Int!, the others' are Int: fields would conflict
  ... on Achievement { name position }
}"""

PARTS = (
    PART_FIELDS
    + """
query($id: ID!) { project(id: $id) {
  phases { totalCount nodes { ...Part achievements { totalCount nodes { ...Part } } } }
  steps { totalCount nodes { ...Part } } } }"""
)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with local_api(Path(tmp_path_factory.mktemp("projects"))) as api:
        yield api


@pytest.fixture(scope="module")
def seeds() -> Store:
    store = Store()
    for path in sorted((PROJECT_ROOT / "seeds").glob("*.trig")):
        store.load(path=path, format=RdfFormat.TRIG)
    return store


def oracle(seeds: Store, sparql: str) -> list[dict[str, str]]:
    solutions = seeds.query(PREFIXES + sparql, use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in solutions]


def in_order(rows: list[dict[str, str]], key: str = "part") -> list[str]:
    """IRIs of ``rows`` by their ``pos`` (a seed's schema:position), unnumbered last."""
    ordered = sorted(rows, key=lambda r: ("pos" not in r, int(r.get("pos", 0)), r[key]))
    return [r[key] for r in ordered]


def seed_phases(seeds: Store) -> list[str]:
    rows = oracle(
        seeds,
        f"SELECT ?part ?pos WHERE {{ <{PROJECT}> pes:phase ?part . ?part schema:position ?pos }}",
    )
    return in_order(rows)


def seed_steps(seeds: Store) -> list[str]:
    rows = oracle(
        seeds,
        f"SELECT ?part ?pos WHERE {{ <{PROJECT}> pes:step ?part . ?part schema:position ?pos }}",
    )
    return in_order(rows)


def seed_achievements(seeds: Store, phase: str) -> list[str]:
    rows = oracle(
        seeds,
        f"SELECT ?part ?pos WHERE {{ <{phase}> pes:achievement ?part ."
        " OPTIONAL { ?part schema:position ?pos } }",
    )
    return in_order(rows)


def seed_ran(seeds: Store) -> set[tuple[str, str]]:
    """(phase, step) pairs: the phase ran the step (dct:relation between the project's parts)."""
    rows = oracle(
        seeds,
        f"SELECT ?phase ?step WHERE {{ <{PROJECT}> pes:phase ?phase ; pes:step ?step ."
        " ?phase dct:relation ?step }",
    )
    return {(r["phase"], r["step"]) for r in rows}


def listed_parts(api: Api) -> dict[str, dict[str, Any]]:
    """Every part of the project as its project lists it, by IRI."""
    data = api.data(PARTS, {"id": PROJECT})["project"]
    out: dict[str, dict[str, Any]] = {}
    for phase in data["phases"]["nodes"]:
        achievements = phase.pop("achievements")
        out[phase["iri"]] = phase
        out.update((a["iri"], a) for a in achievements["nodes"])
    out.update((s["iri"], s) for s in data["steps"]["nodes"])
    return out


def test_every_phase_step_and_achievement_has_its_global_id(api: Api, seeds: Store) -> None:
    data = api.data(PARTS, {"id": PROJECT})["project"]
    phases = data["phases"]["nodes"]
    assert [p["iri"] for p in phases] == seed_phases(seeds)
    assert data["phases"]["totalCount"] == len(phases) > 0
    for phase in phases:
        assert phase["__typename"] == "ProjectPhase"
        assert phase["id"] == gid("ProjectPhase", phase["iri"])
        achievements = phase["achievements"]["nodes"]
        assert [a["iri"] for a in achievements] == seed_achievements(seeds, phase["iri"])
        for achievement in achievements:
            assert achievement["__typename"] == "Achievement"
            assert achievement["id"] == gid("Achievement", achievement["iri"])
    steps = data["steps"]["nodes"]
    assert [s["iri"] for s in steps] == seed_steps(seeds)
    assert data["steps"]["totalCount"] == len(steps) > 0
    for step in steps:
        assert step["__typename"] == "ProjectStep"
        assert step["id"] == gid("ProjectStep", step["iri"])
    assert any(p["achievements"]["nodes"] for p in phases)


def test_positions_and_names_are_the_seeds_and_keep_their_order(api: Api, seeds: Store) -> None:
    rows = oracle(
        seeds,
        f"SELECT ?part ?pos ?name WHERE {{"
        f" {{ <{PROJECT}> pes:phase|pes:step ?part }} UNION"
        f" {{ <{PROJECT}> pes:phase/pes:achievement ?part }}"
        " ?part schema:name ?name OPTIONAL { ?part schema:position ?pos } }",
    )
    expected = {r["part"]: (int(r["pos"]) if "pos" in r else None, r["name"]) for r in rows}
    parts = listed_parts(api)
    got = {iri: (p.get("position", p.get("step")), p["name"]) for iri, p in parts.items()}
    assert got == expected
    phase_one = parts[f"{PROJECT}/phase/1"]
    assert (phase_one["startDate"], phase_one["endDate"]) == ("2019", "2021")


def test_pages_of_phases_follow_the_order(api: Api, seeds: Store) -> None:
    query = """query($id: ID!, $after: String) { project(id: $id) {
        phases(first: 1, after: $after) { nodes { iri } pageInfo { hasNextPage endCursor } } } }"""
    seen: list[str] = []
    after = None
    while True:
        page = api.data(query, {"id": PROJECT, "after": after})["project"]["phases"]
        seen += [n["iri"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == seed_phases(seeds)


def test_node_returns_each_part_with_its_fields(api: Api) -> None:
    parts = listed_parts(api)
    assert {p["__typename"] for p in parts.values()} == set(PART_TYPES)
    query = PART_FIELDS + " query($id: ID!) { node(id: $id) { ...Part } }"
    for iri, listed in parts.items():
        assert api.data(query, {"id": listed["id"]})["node"] == listed
        assert api.data(query, {"id": iri})["node"] == listed  # the IRI names it too
    many = PART_FIELDS + " query($ids: [ID!]!) { nodes(ids: $ids) { ...Part } }"
    ids = [p["id"] for p in parts.values()]
    assert api.data(many, {"ids": ids})["nodes"] == list(parts.values())


@pytest.mark.parametrize("type_name", PART_TYPES)
def test_a_part_id_names_no_other_type(api: Api, type_name: str) -> None:
    parts = listed_parts(api)
    [iri, part] = next((i, p) for i, p in parts.items() if p["__typename"] == type_name)
    # the ID decodes to the part's own type and IRI only
    raw = base64.urlsafe_b64decode(part["id"] + "=" * (-len(part["id"]) % 4)).decode()
    assert raw == f"{type_name}:{iri}"
    node = "query($id: ID!) { node(id: $id) { __typename iri } }"
    for other in (*PART_TYPES, "Project", "Practice"):
        if other != type_name:
            assert api.data(node, {"id": gid(other, iri)})["node"] is None, other
    for lookup, type_expected in (("project", "Project"), ("practice", "Practice")):
        body = api.post(f"query($id: ID!) {{ {lookup}(id: $id) {{ iri }} }}", {"id": part["id"]})
        [error] = body.json()["errors"]
        assert f"is not a {type_expected} ID or IRI" in error["message"]
    body = api.post(
        "query($p: [ID!]) { events(filter: {projects: $p}) { totalCount } }", {"p": [part["id"]]}
    )
    [error] = body.json()["errors"]
    assert "is not a Project ID or IRI" in error["message"]


def test_back_links_go_to_the_owning_nodes(api: Api, seeds: Store) -> None:
    data = api.data(
        """query($id: ID!) { project(id: $id) { id
            phases { nodes { iri project { id }
                achievements { nodes { iri phase { id iri } } }
                steps { nodes { iri } } } }
            steps { nodes { iri project { id } phases { nodes { iri } } } } } }""",
        {"id": PROJECT},
    )["project"]
    assert data["id"] == gid("Project", PROJECT)
    ran = seed_ran(seeds)
    assert ran  # the seeds say which steps the first phase ran
    step_order = seed_steps(seeds)
    phase_order = seed_phases(seeds)
    for phase in data["phases"]["nodes"]:
        assert phase["project"] == {"id": data["id"]}
        for achievement in phase["achievements"]["nodes"]:
            assert achievement["phase"] == {
                "id": gid("ProjectPhase", phase["iri"]),
                "iri": phase["iri"],
            }
        expected = [s for s in step_order if (phase["iri"], s) in ran]
        assert [s["iri"] for s in phase["steps"]["nodes"]] == expected
    for step in data["steps"]["nodes"]:
        assert step["project"] == {"id": data["id"]}
        expected = [p for p in phase_order if (p, step["iri"]) in ran]
        assert [p["iri"] for p in step["phases"]["nodes"]] == expected


def test_back_links_from_a_node_fetched_by_id(api: Api, seeds: Store) -> None:
    phase = seed_phases(seeds)[0]
    achievement = seed_achievements(seeds, phase)[-1]
    data = api.data(
        """query($id: ID!) { node(id: $id) { ... on Achievement {
            phase { id project { id name } achievements { nodes { id } } } } } }""",
        {"id": gid("Achievement", achievement)},
    )["node"]
    assert data["phase"]["id"] == gid("ProjectPhase", phase)
    [name] = oracle(seeds, f"SELECT ?name WHERE {{ <{PROJECT}> schema:name ?name }}")
    assert data["phase"]["project"] == {"id": gid("Project", PROJECT), **name}
    assert gid("Achievement", achievement) in {
        a["id"] for a in data["phase"]["achievements"]["nodes"]
    }
