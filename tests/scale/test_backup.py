"""``graphsvc backup`` of ``serve --workers 2`` over the embedded store, while writes stream
through both workers: the worker reads the whole dataset from the service's ``oxigraph serve``
in one request and writes it into a new store. The backup is one consistent state (its
revisions have no gaps, and it holds exactly the practices its change records created), holds
every write acknowledged before it, restores into a fresh data directory, and, taken while no
write runs, is isomorphic to an export at the same revision."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import httpx
import pytest
from cli.processes import assert_clean_failure, run_here
from cli.test_backup import dataset, titles
from pyoxigraph import CanonicalizationAlgorithm, Dataset, QuerySolutions, RdfFormat, parse
from support import run_app, run_oxigraph_server

from graphsvc.edit.auth import TokenRegistry, tokens_path
from graphsvc.errors import StoreError
from graphsvc.settings import Settings
from graphsvc.store import OxigraphStore
from graphsvc.store.backup import online_backup

from .client import create, eventually
from .servers import Cluster, VirtuosoServer, run_cluster

PREFIX = "Backed-up practice"


def _created(store_dir: Path) -> dict[int, str]:
    """Revision -> the practice its change record created."""
    with OxigraphStore(store_dir) as store:
        rows = store.query(
            "SELECT ?r ?p WHERE { GRAPH ?g { ?c pes:revision ?r ; prov:generated ?p } }"
        )
        assert isinstance(rows, QuerySolutions)
        return {int(row["r"].value): row["p"].value for row in rows}


def _revisions(store_dir: Path) -> list[int]:
    with OxigraphStore(store_dir) as store:
        rows = store.query("SELECT ?r WHERE { GRAPH ?g { ?c pes:revision ?r } }")
        assert isinstance(rows, QuerySolutions)
        return sorted(int(row["r"].value) for row in rows)


def _practices(store_dir: Path) -> set[str]:
    with OxigraphStore(store_dir) as store:
        rows = store.query("SELECT ?p WHERE { GRAPH ?g { ?p a pes:GoodPractice } }")
        assert isinstance(rows, QuerySolutions)
        return {row["p"].value for row in rows}


def _backup(cluster: Cluster, target: Path) -> str:
    """``graphsvc backup`` through the service, run in this process: the command's own process
    is tested in ``cli/test_backup.py``, this module tests what the workers back up."""
    result = run_here(
        "backup",
        target,
        "--token",
        cluster.token,
        "--url",
        cluster.url,
        data_dir=cluster.settings.data_dir,
        env={"GRAPHSVC_STORE": "oxigraph"},
    )
    assert result.returncode == 0, result.stderr
    assert "by the running service" in result.stdout, result.stdout
    return result.stdout


def _head(cluster: Cluster, worker: int) -> int:
    with cluster.client(worker) as client:
        revision: int = client.get("/readyz").json()["revision"]
        return revision


def test_a_backup_of_two_workers_under_streaming_writes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    env = {
        "GRAPHSVC_DATA_DIR": str(data),
        "GRAPHSVC_SPARQL_WORKERS": "1",
        "GRAPHSVC_STORE": "oxigraph",
    }
    acknowledged: list[str] = []
    failures: list[str] = []
    stop = threading.Event()
    with run_cluster(2, Settings(data_dir=data), env) as cluster:

        def write() -> None:
            i = 0
            while not stop.is_set():
                title = f"{PREFIX} {i}"
                try:
                    create(cluster, i % 2, title)  # through both workers in turn
                    acknowledged.append(title)
                except (AssertionError, httpx.HTTPError) as exc:
                    failures.append(f"{title}: {exc}")
                i += 1

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        try:
            while len(acknowledged) < 4 and writer.is_alive() and not failures:
                stop.wait(0.05)
            before = list(acknowledged)
            streamed = _backup(cluster, tmp_path / "streamed")
            during = len(acknowledged)
            while len(acknowledged) < during + 2 and writer.is_alive() and not failures:
                stop.wait(0.05)  # writes go on after the backup too
        finally:
            stop.set()
            writer.join(timeout=120)
        assert not failures, failures
        every = list(acknowledged)

        # no write runs now: a backup and an export at one revision, once both workers have
        # delivered the last one
        eventually(lambda: _head(cluster, 0) == _head(cluster, 1), "the workers agree", 10.0)
        head = _head(cluster, 0)
        with cluster.client(1) as client:
            response = client.get("/export/nq")
            assert response.status_code == 200, response.text
            exported = Dataset(parse(response.content, RdfFormat.N_QUADS))
        quiet = _backup(cluster, tmp_path / "quiet")
        assert (_head(cluster, 0), _head(cluster, 1)) == (head, head)

        # a store that is not a new directory is refused, and nothing is left behind
        again = run_here(
            "backup",
            tmp_path / "quiet",
            "--token",
            cluster.token,
            "--url",
            cluster.url,
            data_dir=data,
            env={"GRAPHSVC_STORE": "oxigraph"},
        )
        assert_clean_failure(again)
        assert "already exists" in again.stderr

    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "quiet", "streamed"]

    # the streamed backup is one state: revisions 1..R without a gap, every practice it holds
    # created by one of its change records and every one they created there
    revisions = _revisions(tmp_path / "streamed")
    assert revisions == list(range(1, len(revisions) + 1))
    created = _created(tmp_path / "streamed")
    in_backup = {t for t in titles(tmp_path / "streamed") if t.startswith(PREFIX)}
    assert set(before) <= in_backup <= set(every)
    assert len(in_backup) < len(every)  # the writes after it are not in it
    assert set(created.values()) <= _practices(tmp_path / "streamed")
    assert len(created) == len(in_backup)
    quads = len(dataset(tmp_path / "streamed"))
    assert f"backed up {quads} quads" in streamed
    assert 1000 < quads < len(exported)

    # the quiet backup is the export
    assert dataset(tmp_path / "quiet") == _canonical(exported)
    assert f"backed up {len(exported)} quads" in quiet
    assert len(_revisions(tmp_path / "quiet")) == head

    # both restore into a fresh data directory
    for name in ("streamed", "quiet"):
        fresh = tmp_path / f"fresh-{name}"
        restored = run_here("restore", tmp_path / name, data_dir=fresh)
        assert restored.returncode == 0, restored.stderr
        assert dataset(fresh / "store") == dataset(tmp_path / name)
    assert set(before) <= titles(tmp_path / "fresh-streamed" / "store")
    assert set(every) <= titles(tmp_path / "fresh-quiet" / "store")


def _canonical(data: Dataset) -> Dataset:
    data.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return data


def test_a_remote_oxigraph_server_is_copied_whole_or_not_at_all(tmp_path: Path) -> None:
    with run_oxigraph_server(tmp_path / "server") as server:
        update = (
            'INSERT DATA { <http://e.org/s> <http://e.org/p> "default graph" . GRAPH <http://e.org/g>'
            ' { <http://e.org/s> <http://e.org/p> _:b . _:b <http://e.org/p> "x\\ny"@en } }'
        )
        httpx.post(
            server.update_url,
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update"},
        ).raise_for_status()
        with contextlib.closing(server.store()) as store:
            report = online_backup(store, tmp_path / "copy")
            expected = _canonical(Dataset(store.quads()))
    assert (report.directory, report.quads) == (tmp_path / "copy", 3)
    assert report.bytes > 0
    assert dataset(tmp_path / "copy") == expected

    # the server is gone: the backup fails and leaves no directory behind
    with contextlib.closing(server.store()) as store, pytest.raises(StoreError) as failed:
        online_backup(store, tmp_path / "gone")
    assert server.query_url.removesuffix("/query") in str(failed.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy", "server"]


def test_a_service_on_virtuoso_answers_409_saying_what_to_do(
    virtuoso_server: VirtuosoServer, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        store="sparql",
        sparql_query_url=virtuoso_server.endpoint,
        sparql_update_url=virtuoso_server.endpoint,
        load_seeds=False,
    )
    settings.data_dir.mkdir()
    _, token = TokenRegistry(tokens_path(settings)).create("admin", "backups")
    with run_app(settings) as app, httpx.Client(base_url=app.base_url, timeout=60) as client:
        answer = client.post(
            "/admin/backup",
            json={"directory": str(tmp_path / "backup")},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 409, answer.text
    message = answer.json()["error"]
    assert "Virtuoso" in message and "graphsvc export" in message, message
    assert not (tmp_path / "backup").exists()
