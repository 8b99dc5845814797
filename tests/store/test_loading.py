"""Loading is all or nothing: a file that fails to parse or to validate loads nothing, on every
backend; errors name the file, line and column, or the focus node, path and message."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset, DefaultGraph, NamedNode, Quad

from graphsvc.errors import InputError, RdfSyntaxError, UnsupportedFormatError, ValidationError
from graphsvc.settings import PROJECT_ROOT
from graphsvc.store import GraphStore
from graphsvc.store.loading import (
    ONTOLOGY_GRAPH,
    check_files,
    load_files,
    load_ontology_and_seeds,
    ontology_files,
    parse_file,
    seed_files,
)

TEST_GRAPH = NamedNode("https://w3id.org/graphsvc/graph/reference/test")
PES_IRI = "https://w3id.org/graphsvc/id/pes/swe-example-service"


def snapshot(store: GraphStore) -> Dataset:
    dataset = Dataset(store.quads())
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return dataset


@pytest.fixture
def load_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "load"


def test_a_valid_file_loads_into_the_graph_it_names(any_store: GraphStore, load_dir: Path) -> None:
    report = load_files(any_store, [load_dir / "pes-valid.trig"])
    assert report.quads == 7
    assert report.graphs == (TEST_GRAPH.value,)
    assert [g.value for g in any_store.named_graphs()] == [TEST_GRAPH.value]
    assert len(list(any_store.quads(NamedNode(PES_IRI)))) == 7


def test_graph_option_puts_triples_in_that_graph(any_store: GraphStore, load_dir: Path) -> None:
    target = "https://w3id.org/graphsvc/graph/reference/other"
    load_files(any_store, [load_dir / "pes-violation.ttl"], graph=target, validate=False)
    assert {q.graph_name for q in any_store.quads()} == {NamedNode(target)}


def test_graph_option_keeps_the_graphs_of_quads(any_store: GraphStore, load_dir: Path) -> None:
    load_files(any_store, [load_dir / "pes-valid.trig"], graph="urn:graph:ignored-for-quads")
    assert {q.graph_name for q in any_store.quads()} == {TEST_GRAPH}


@pytest.mark.parametrize("iri", ["not an iri", "no-scheme", "http://a/<b>", ""])
def test_a_bad_graph_iri_is_an_input_error(any_store: GraphStore, load_dir: Path, iri: str) -> None:
    if not iri:
        # an empty --graph means "no graph": triples stay in the default graph
        load_files(any_store, [load_dir / "pes-violation.ttl"], graph=iri, validate=False)
        assert {q.graph_name for q in any_store.quads()} == {DefaultGraph()}
        return
    with pytest.raises(InputError, match="graph"):
        load_files(any_store, [load_dir / "pes-valid.trig"], graph=iri)
    assert any_store.is_empty()


def test_a_syntax_error_names_file_line_and_column_and_loads_nothing(
    any_store: GraphStore, load_dir: Path
) -> None:
    load_files(any_store, [load_dir / "pes-valid.trig"])
    before = snapshot(any_store)
    bad = load_dir / "syntax-error.ttl"
    with pytest.raises(RdfSyntaxError) as info:
        load_files(any_store, [load_dir / "pes-patch.ttl", bad])
    error = info.value
    assert (error.source, error.line, error.column) == (str(bad), 3, 11)
    assert str(error).startswith(f"{bad}:3:11: ")
    assert "IRI" in error.reason
    assert snapshot(any_store) == before


def test_a_violation_names_focus_node_path_and_message_and_loads_nothing(
    any_store: GraphStore, load_dir: Path
) -> None:
    load_files(any_store, [load_dir / "pes-valid.trig"])
    before = snapshot(any_store)
    bad = load_dir / "pes-violation.ttl"
    with pytest.raises(ValidationError) as info:
        load_files(any_store, [load_dir / "pes-patch.ttl", bad])
    error = info.value
    # only the file that describes the offending resource is blamed
    assert error.source == str(bad)
    [violation] = error.violations
    assert violation.focus_node == "https://w3id.org/graphsvc/id/pes/nor-example-service"
    assert violation.path == "http://purl.org/dc/terms/spatial"
    assert "country" in violation.message
    text = str(error)
    assert f"<{violation.focus_node}> dct:spatial: A PES needs exactly one country" in text
    assert snapshot(any_store) == before


def test_files_are_judged_with_what_the_store_holds(any_store: GraphStore, load_dir: Path) -> None:
    practice = load_dir / "practice-needs-stored-pes.ttl"
    patch = load_dir / "pes-patch.ttl"
    # alone, the practice points to a PES nobody typed, and the patch lacks name and country
    for alone in (practice, patch):
        with pytest.raises(ValidationError):
            load_files(any_store, [alone])
        assert any_store.is_empty()
    load_files(any_store, [load_dir / "pes-valid.trig"])
    load_files(any_store, [patch, practice])
    assert len(list(any_store.quads(NamedNode(PES_IRI)))) == 9  # 7 + restated type + acronym


def test_unvalidated_load_accepts_what_validation_refuses(
    any_store: GraphStore, load_dir: Path
) -> None:
    report = load_files(any_store, [load_dir / "pes-violation.ttl"], validate=False)
    assert report.quads == len(list(any_store.quads())) == 5


def test_a_missing_file_is_named(any_store: GraphStore, tmp_path: Path) -> None:
    missing = tmp_path / "missing.ttl"
    with pytest.raises(RdfSyntaxError, match=r"missing\.ttl: cannot read"):
        load_files(any_store, [missing])


def test_an_unknown_extension_is_refused(tmp_path: Path) -> None:
    odd = tmp_path / "data.csv"
    odd.write_text("a,b\n")
    with pytest.raises(UnsupportedFormatError, match=r"data\.csv: unknown RDF format"):
        parse_file(odd)


def test_gzip_files_load(any_store: GraphStore, load_dir: Path, tmp_path: Path) -> None:
    packed = tmp_path / "pes-valid.trig.gz"
    with gzip.open(packed, "wb") as out:
        out.write((load_dir / "pes-valid.trig").read_bytes())
    load_files(any_store, [packed])
    assert len(list(any_store.quads(graph=TEST_GRAPH))) == 7


def test_a_corrupt_gzip_file_is_an_input_error(tmp_path: Path) -> None:
    corrupt = tmp_path / "broken.nq.gz"
    corrupt.write_bytes(b"this is not gzip")
    with pytest.raises(RdfSyntaxError, match=r"broken\.nq\.gz: cannot read"):
        parse_file(corrupt)


@pytest.mark.parametrize("name", ["a.nt", "a.nq", "a.ttl", "a.trig", "a.jsonld", "a.rdf"])
def test_every_format_parses(
    tmp_path: Path, name: str, any_store: GraphStore, load_dir: Path
) -> None:
    from graphsvc.store.formats import format_for_path

    load_files(any_store, [load_dir / "pes-valid.trig"])
    path = tmp_path / name
    with path.open("wb") as out:
        any_store.dump(out, format_for_path(path).media_type)
    quads = parse_file(path)
    assert len(quads) == 7


def test_real_ontology_and_seeds_load_on_every_backend(any_store: GraphStore) -> None:
    report = load_ontology_and_seeds(any_store, PROJECT_ROOT / "ontology", PROJECT_ROOT / "seeds")
    files = [*ontology_files(PROJECT_ROOT / "ontology"), *seed_files(PROJECT_ROOT / "seeds")]
    assert list(report.files) == files
    assert str(ONTOLOGY_GRAPH) in report.graphs
    assert report.quads == len(list(any_store.quads())) > 0
    assert not any(isinstance(q.graph_name, DefaultGraph) for q in any_store.quads())
    assert all(path.name != "shapes.ttl" for path in report.files)


def test_a_broken_seed_loads_nothing(any_store: GraphStore, project_copy: Path) -> None:
    broken = project_copy / "seeds" / "zz-broken.trig"
    broken.write_text(
        "@prefix pes: <https://w3id.org/graphsvc/ontology#> .\n"
        "<https://w3id.org/graphsvc/graph/reference/broken> {\n"
        "  <https://w3id.org/graphsvc/id/pes/xxx-broken> a pes:PublicEmploymentService .\n"
        "}\n"
    )
    with pytest.raises(ValidationError) as info:
        load_ontology_and_seeds(any_store, project_copy / "ontology", project_copy / "seeds")
    assert info.value.source == str(broken)
    assert any_store.is_empty()
    broken.write_text("<a> <b> .\n")
    with pytest.raises(RdfSyntaxError) as syntax:
        load_ontology_and_seeds(any_store, project_copy / "ontology", project_copy / "seeds")
    assert (syntax.value.source, syntax.value.line) == (str(broken), 1)
    assert any_store.is_empty()


def test_check_files_reports_progress(load_dir: Path) -> None:
    steps: list[int] = []
    quads = check_files(
        [(load_dir / "pes-valid.trig", None), (load_dir / "pes-patch.ttl", None)],
        progress=steps.append,
    )
    assert steps == [1, 1, 1]  # two files parsed, then validation
    assert len(quads) == 9


def test_a_copy_of_a_file_into_the_default_graph(tmp_path: Path, load_dir: Path) -> None:
    copy = tmp_path / "pes.ttl"
    shutil.copy(load_dir / "pes-violation.ttl", copy)
    quads = parse_file(copy)
    assert {q.graph_name for q in quads} == {DefaultGraph()}
    assert all(isinstance(q, Quad) for q in quads)
