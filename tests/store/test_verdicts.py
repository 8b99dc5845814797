"""Clean SHACL verdicts are remembered by the digest of what decided them; nothing else is."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset, NamedNode

from graphsvc.errors import ValidationError
from graphsvc.settings import PROJECT_ROOT
from graphsvc.store import OxigraphStore
from graphsvc.store.loading import check_files, load_ontology_and_seeds
from graphsvc.store.verdicts import Verdicts, default_cache_dir


@pytest.fixture
def verdicts(tmp_path: Path) -> Verdicts:
    return Verdicts(tmp_path / "cache")


def _canonical(store: OxigraphStore) -> Dataset:
    dataset = Dataset(store.quads())
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def _markers(verdicts: Verdicts) -> list[str]:
    folder = verdicts.directory / "verdicts"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_a_clean_verdict_is_recorded_under_the_digest_of_the_files(
    verdicts: Verdicts, fixtures_dir: Path
) -> None:
    targets: list[tuple[Path, NamedNode | None]] = [
        (fixtures_dir / "load" / "pes-valid.trig", None)
    ]
    quads = check_files(targets, verdicts=verdicts)
    key = verdicts.key(targets)
    assert key is not None and _markers(verdicts) == [key]
    # a second check gives the same quads and records nothing new
    assert check_files(targets, verdicts=verdicts) == quads
    assert _markers(verdicts) == [key]


def test_data_in_violation_is_judged_every_time_and_never_recorded(
    verdicts: Verdicts, fixtures_dir: Path
) -> None:
    load = fixtures_dir / "load"
    targets: list[tuple[Path, NamedNode | None]] = [
        (load / "pes-patch.ttl", None),
        (load / "pes-violation.ttl", None),
    ]
    for _ in range(2):
        with pytest.raises(ValidationError, match="A PES needs exactly one country"):
            check_files(targets, verdicts=verdicts)
    assert _markers(verdicts) == []


def test_a_recorded_verdict_is_what_spares_the_validation(
    verdicts: Verdicts, fixtures_dir: Path
) -> None:
    # a marker planted for files in violation shows that the memo, and only it, skips pySHACL
    targets: list[tuple[Path, NamedNode | None]] = [
        (fixtures_dir / "load" / "pes-violation.ttl", None)
    ]
    key = verdicts.key(targets)
    assert key is not None
    verdicts.record_clean(key)
    check_files(targets, verdicts=verdicts)
    with pytest.raises(ValidationError):
        check_files(targets)  # without the memo the violation is found


def test_one_changed_byte_or_another_graph_is_another_digest(
    verdicts: Verdicts, fixtures_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "pes-valid.trig"
    shutil.copy(fixtures_dir / "load" / "pes-valid.trig", copy)
    first = verdicts.key([(copy, None)])
    assert first == verdicts.key([(copy, None)])
    assert first != verdicts.key([(copy, NamedNode("https://w3id.org/graphsvc/graph/other"))])
    copy.write_bytes(copy.read_bytes() + b"\n")
    assert first != verdicts.key([(copy, None)])
    assert verdicts.key([(tmp_path / "missing.ttl", None)]) is None


def test_seeding_twice_validates_once_and_loads_the_same_quads(verdicts: Verdicts) -> None:
    ontology, seeds = PROJECT_ROOT / "ontology", PROJECT_ROOT / "seeds"
    first, second = OxigraphStore(None), OxigraphStore(None)
    try:
        report = load_ontology_and_seeds(first, ontology, seeds, verdicts=verdicts)
        assert len(_markers(verdicts)) == 1
        again = load_ontology_and_seeds(second, ontology, seeds, verdicts=verdicts)
        assert again == report
        assert _canonical(first) == _canonical(second)
    finally:
        first.close()
        second.close()


def test_an_unwritable_cache_only_costs_the_time(tmp_path: Path, fixtures_dir: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    verdicts = Verdicts(blocker)
    targets: list[tuple[Path, NamedNode | None]] = [
        (fixtures_dir / "load" / "pes-valid.trig", None)
    ]
    assert check_files(targets, verdicts=verdicts)
    assert blocker.is_file()


def test_the_default_cache_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "graphsvc"
    assert Verdicts.at(None).directory == tmp_path / "graphsvc"
    assert Verdicts.at(tmp_path / "mine").directory == tmp_path / "mine"
