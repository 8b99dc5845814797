"""``graphsvc backup`` and ``graphsvc restore``: a round trip is isomorphic, and a backup taken
while writes stream through the running service holds every write acknowledged before it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset, QuerySolutions

from graphsvc.store import OxigraphStore

from .processes import (
    assert_clean_failure,
    cli_env,
    copy_data_dir,
    run,
    run_here,
    seed_store,
    serving,
)
from .service_api import create_practice

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "load"


def dataset(store_dir: Path) -> Dataset:
    with OxigraphStore(store_dir) as store:
        data = Dataset(store.quads())
    data.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return data


def titles(store_dir: Path) -> set[str]:
    with OxigraphStore(store_dir) as store:
        rows = store.query("SELECT ?t WHERE { GRAPH ?g { ?p a pes:GoodPractice ; dct:title ?t } }")
        assert isinstance(rows, QuerySolutions)
        return {row["t"].value for row in rows}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the ontology and seeds, for the tests to copy."""
    return seed_store(tmp_path_factory.mktemp("seeded") / "data")


def test_a_round_trip_is_isomorphic(tmp_path: Path, seeded: Path) -> None:
    data_dir = copy_data_dir(seeded, tmp_path / "data")
    before = dataset(data_dir / "store")
    backed = run("backup", tmp_path / "backup", data_dir=data_dir)
    assert backed.returncode == 0, backed.stderr
    assert f"backed up {len(before)} quads" in backed.stdout
    assert run_here("load", FIXTURES / "pes-valid.trig", data_dir=data_dir).returncode == 0
    assert dataset(data_dir / "store") != before
    restored = run("restore", tmp_path / "backup", data_dir=data_dir)
    assert restored.returncode == 0, restored.stderr
    assert dataset(data_dir / "store") == before
    assert dataset(tmp_path / "backup") == before  # the backup itself is left as it was
    assert sorted(p.name for p in data_dir.iterdir()) == ["store"]  # no staging copy left


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run_here("restore", tmp_path / "empty", data_dir=tmp_path / "data")
    assert_clean_failure(result)
    assert "not a store backup" in result.stderr


def test_a_backup_under_streaming_writes_holds_every_acknowledged_one(
    tmp_path: Path, seeded: Path
) -> None:
    data_dir = copy_data_dir(seeded, tmp_path / "data")
    admin = run_here("tokens", "create", "--role", "admin", "--name", "ops", data_dir=data_dir)
    token = admin.stdout.strip()
    acknowledged: list[str] = []
    failures: list[str] = []
    stop = threading.Event()
    with serving(data_dir) as service:

        def write() -> None:
            with service.client() as client:
                i = 0
                while not stop.is_set():
                    title = f"Streamed practice {i}"
                    result = create_practice(client, token, title)
                    if result.get("__typename") == "PracticeCreated":
                        acknowledged.append(title)
                    else:
                        failures.append(str(result))
                    i += 1

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        try:
            while len(acknowledged) < 5 and writer.is_alive():
                stop.wait(0.05)
            before_backup = list(acknowledged)
            env = cli_env(GRAPHSVC_PORT=str(service.port), GRAPHSVC_ADMIN_TOKEN=token)
            backed = run("backup", tmp_path / "backup", data_dir=data_dir, env=env)
            during = len(acknowledged) - len(before_backup)
            while len(acknowledged) < len(before_backup) + during + 3 and writer.is_alive():
                stop.wait(0.05)  # writes go on after the backup too
        finally:
            stop.set()
            writer.join(timeout=60)
        assert backed.returncode == 0, backed.stderr
        assert "by the running service" in backed.stdout
        assert not failures, failures
        every = list(acknowledged)
    # uvicorn ends by re-raising the SIGTERM it handled: -15 after a clean shutdown
    assert service.process.returncode in (0, -15), service.stderr()
    assert "Application shutdown complete" in service.stderr()
    assert set(every) <= titles(data_dir / "store")  # the service closed cleanly, all there

    restored = run_here("restore", tmp_path / "backup", data_dir=data_dir)
    assert restored.returncode == 0, restored.stderr
    in_backup = {t for t in titles(data_dir / "store") if t.startswith("Streamed practice")}
    assert set(before_backup) <= in_backup
    assert in_backup <= set(every)  # nothing half-written or invented
    assert len(in_backup) < len(every)  # the writes after the backup are not in it
