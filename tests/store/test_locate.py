"""A SHACL violation in a file says on which line its resource is described: ``file:line: <iri>
path: message``, what ``graphsvc validate`` and ``graphsvc load`` print."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from cli.processes import run_here

from graphsvc.errors import ValidationError
from graphsvc.store.loading import check_files
from graphsvc.store.locate import subject_lines

FIXTURES = Path(__file__).parent.parent / "fixtures"
BROKEN = "https://w3id.org/graphsvc/id/practice/example-broken"
NOT_MINTED = "https://example.org/practice/Not_Minted"
AGENT = "https://w3id.org/graphsvc/id/agent/example-agent"
INCLUSION = "https://w3id.org/graphsvc/id/theme/inclusion"

TURTLE = """\
@prefix ex: <https://example.org/> .
PREFIX dct: <http://purl.org/dc/terms/>

ex:a dct:title "A" ;
    dct:relation ex:only-named .
<https://example.org/b>
    dct:title "B. ex:a" .
ex:c dct:title "C" . ex:d dct:title "D" .
"""

TRIG = """\
@prefix ex: <https://example.org/> .
ex:graph {
    ex:a ex:p ex:b .
    ex:b ex:p "x" .
}
"""


def iris(*names: str) -> list[str]:
    return [f"https://example.org/{name}" for name in names]


def test_a_resource_is_found_where_a_line_starts_with_it(tmp_path: Path) -> None:
    path = tmp_path / "data.ttl"
    path.write_text(TURTLE)
    found = subject_lines(path, iris("a", "b", "c", "only-named", "d", "absent"))
    assert found == {
        "https://example.org/a": 4,
        "https://example.org/b": 6,
        "https://example.org/c": 8,
        "https://example.org/only-named": 5,  # named only as an object: that line
        "https://example.org/d": 8,  # a second subject on one line
    }


def test_trig_and_compressed_files_are_read(tmp_path: Path) -> None:
    path = tmp_path / "data.trig.gz"
    path.write_bytes(gzip.compress(TRIG.encode()))
    assert subject_lines(path, iris("b", "graph")) == {
        "https://example.org/b": 4,
        "https://example.org/graph": 2,
    }


@pytest.mark.parametrize("name", ["data.jsonld", "data.rdf", "missing.ttl"])
def test_a_file_without_lines_to_show_gives_none(tmp_path: Path, name: str) -> None:
    if name != "missing.ttl":
        (tmp_path / name).write_text(TURTLE)
    assert subject_lines(tmp_path / name, iris("a")) == {}


def test_each_violation_of_a_file_names_its_line() -> None:
    path = FIXTURES / "shapes" / "practice-invalid.ttl"
    with pytest.raises(ValidationError) as raised:
        check_files([(path, None)])
    error = raised.value
    assert error.locations[BROKEN] == f"{path}:32"
    assert error.locations[NOT_MINTED] == f"{path}:42"
    lines = str(error).splitlines()[1:]
    assert len(lines) == len(error.violations) == 6
    assert f"  {path}:32: <{BROKEN}> dct:date: " in str(error)
    assert all(line.startswith((f"  {path}:32: <{BROKEN}>", f"  {path}:42: ")) for line in lines)


def test_graphsvc_validate_prints_file_line_iri_and_property() -> None:
    path = FIXTURES / "shapes" / "practice-invalid.ttl"
    result = run_here("validate", path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{path}:32: <{BROKEN}> dct:subject: A good practice needs at least one theme" in (
        result.stderr
    )
