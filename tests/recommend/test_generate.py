"""The synthetic data generator: its shape, determinism, one named graph, and a faithful load."""

from __future__ import annotations

import io
import statistics
import subprocess
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from graphsvc.cli import main as cli_main
from graphsvc.model.readmodel import build_read_model
from graphsvc.recommend.concepts import load_ontology_concepts
from graphsvc.settings import PROJECT_ROOT
from graphsvc.store import OxigraphStore
from graphsvc.store.base import Changeset
from graphsvc.store.loading import (
    ONTOLOGY_GRAPH,
    check_files,
    ontology_files,
    parse_file,
    validate_quads,
)
from graphsvc.synthetic import (
    REGION_SHARES,
    SyntheticDataset,
    dataset_quads,
    generate_dataset,
    synthetic_graph,
    write_dataset,
)

GRAPHSVC = Path(sys.executable).parent / "graphsvc"
CONCEPTS = load_ontology_concepts(PROJECT_ROOT / "ontology")


@pytest.fixture(scope="module")
def dataset() -> SyntheticDataset:
    return generate_dataset(2000, seed=11)


def _bytes(ds: SyntheticDataset) -> bytes:
    out = io.BytesIO()
    write_dataset(ds, out)
    return out.getvalue()


def test_same_seed_same_bytes_other_seed_other_data() -> None:
    first, again = generate_dataset(300, seed=5), generate_dataset(300, seed=5)
    assert _bytes(first) == _bytes(again)
    other = generate_dataset(300, seed=6)
    assert [p.themes for p in other.practices.values()] != [
        p.themes for p in first.practices.values()
    ]


def test_two_seeds_never_share_an_iri() -> None:
    """Loaded together (e.g. two ``load --bulk`` runs), two generated sets stay apart."""
    first, second = generate_dataset(50, seed=1, pes=10), generate_dataset(50, seed=3, pes=10)
    for kind in ("practices", "pes", "events", "networks"):
        mine, theirs = set(getattr(first, kind)), set(getattr(second, kind))
        assert mine and theirs and not mine & theirs, kind
    subjects = {q.subject for q in dataset_quads(first)}
    assert not subjects & {q.subject for q in dataset_quads(second)}


def test_pes_spread_over_the_five_regions(dataset: SyntheticDataset) -> None:
    assert len(dataset.pes) == 150
    by_region = Counter(CONCEPTS.country_region[p.country or ""] for p in dataset.pes.values())
    assert set(by_region) == set(REGION_SHARES) == set(CONCEPTS.regions)
    for region, share in REGION_SHARES.items():
        assert by_region[region] == pytest.approx(150 * share, abs=1)
    # every country of the ontology has at least one PES before any country has a second one
    per_country = Counter(p.country for p in dataset.pes.values())
    assert set(per_country) == set(CONCEPTS.countries)
    # each PES belongs to a cooperation network of its own region
    for pes in dataset.pes.values():
        (network,) = pes.networks
        region = CONCEPTS.country_region[pes.country or ""]
        slug = "synthetic-11-" + region.rsplit("/", 1)[-1]
        assert network.rsplit("/", 1)[-1].startswith(slug)


def test_only_concepts_of_the_ontology(dataset: SyntheticDataset) -> None:
    practices = dataset.practices.values()
    assert {t for p in practices for t in p.themes} <= set(CONCEPTS.themes)
    assert {g for p in practices for g in p.target_groups} <= set(CONCEPTS.target_groups)
    assert {p.country for p in practices} <= set(CONCEPTS.countries)
    assert {e.event_type for e in dataset.events.values()} <= set(CONCEPTS.event_types)
    assert all(p.pes in dataset.pes and p.country == dataset.pes[p.pes].country for p in practices)
    assert all(1 <= len(p.themes) <= 4 for p in practices)


def test_theme_popularity_is_skewed(dataset: SyntheticDataset) -> None:
    counts = Counter(t for p in dataset.practices.values() for t in p.themes)
    ranked = [n for _, n in counts.most_common()]
    assert ranked[0] > 4 * statistics.median(ranked)
    assert sum(ranked[:5]) > 0.4 * sum(ranked)  # the five most popular of ~40 themes


def test_topical_clusters_share_themes(dataset: SyntheticDataset) -> None:
    practices = list(dataset.practices.values())[:400]
    same: list[int] = []
    other: list[int] = []
    for a, b in combinations(practices, 2):
        overlap = len(set(a.themes) & set(b.themes))
        same_cluster = dataset.practice_cluster[a.iri] == dataset.practice_cluster[b.iri]
        (same if same_cluster else other).append(overlap)
    assert statistics.mean(same) > 3 * statistics.mean(other)


def test_events_link_practices_of_one_cluster(dataset: SyntheticDataset) -> None:
    presented = [p for p in dataset.practices.values() if p.events]
    assert 0.3 < len(presented) / len(dataset.practices) < 0.45
    at_event = Counter(e for p in presented for e in p.events)
    assert sum(1 for n in at_event.values() if n >= 2) > len(dataset.events) / 2
    for p in presented:
        for e in p.events:
            assert dataset.event_cluster[e] == dataset.practice_cluster[p.iri]
    for event in dataset.events.values():
        assert event.organizers[0] in dataset.pes
        assert set(event.themes) <= set(dataset.cluster_themes[dataset.event_cluster[event.iri]])


def test_one_named_graph_of_its_own(dataset: SyntheticDataset) -> None:
    graphs = {q.graph_name for q in dataset_quads(dataset)}
    assert graphs == {NamedNode(synthetic_graph(11))}
    assert "synthetic" in synthetic_graph(11) and "reference" not in synthetic_graph(11)


def test_the_read_model_reads_back_the_records() -> None:
    ds = generate_dataset(400, seed=3)
    store = OxigraphStore(None)
    try:
        ontology = check_files(
            [
                (p, NamedNode(str(ONTOLOGY_GRAPH)))
                for p in ontology_files(PROJECT_ROOT / "ontology")
            ],
            validate=False,
        )
        store.apply(Changeset(add=[*ontology, *dataset_quads(ds)]))
        rm = build_read_model(store)
    finally:
        store.close()
    assert rm.practices == ds.practices
    assert rm.pes == ds.pes
    assert rm.events == ds.events
    assert {iri: n.labels for iri, n in rm.networks.items()} == {
        iri: n.labels for iri, n in ds.networks.items()
    }


def test_a_small_dataset_conforms_to_the_shapes(tmp_path: Path) -> None:
    ds = generate_dataset(40, seed=2, pes=10)
    path = tmp_path / "small.trig"
    write_dataset(ds, path)
    validate_quads(parse_file(path), str(path))  # raises ValidationError on a violation


def test_cli_writes_a_file_that_graphsvc_load_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the commands' own code in this process: the file between them is the point, and the
    # installed command's exit status and messages are test_cli_rejects_bad_input's
    out = tmp_path / "synthetic.nq.gz"
    status = cli_main(["generate", "--practices", "120", "--seed", "4", "-o", str(out)])
    made = capsys.readouterr()
    assert status == 0, made.err
    assert "120 practices" in made.err
    for flags in (["--no-validate"], ["--bulk"]):
        data = tmp_path / ("data" + flags[0])
        status = cli_main(["--data-dir", str(data), "load", *flags, str(out)])
        loaded = capsys.readouterr()
        assert status == 0, loaded.err
        assert synthetic_graph(4) in loaded.out
        store = OxigraphStore(data / "store")
        try:
            assert len(store) == sum(1 for _ in dataset_quads(generate_dataset(120, seed=4)))
        finally:
            store.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--practices", "0"], "not positive"),
        (["--practices", "ten"], "not a whole number"),
        (["--practices", "5", "-o", "out.ttl"], "dataset format"),
    ],
)
def test_cli_rejects_bad_input(tmp_path: Path, args: list[str], message: str) -> None:
    result = subprocess.run(
        [GRAPHSVC, "generate", *args], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr
