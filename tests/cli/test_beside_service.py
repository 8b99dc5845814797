"""The ``graphsvc`` command beside a running ``graphsvc serve`` (a real process, holding the store).

The service holds the embedded store's lock. ``stats``, ``export`` and ``validate`` read
without it; ``load`` and ``restore`` say that the service must be stopped, and why; ``backup``
is taken by the service, online, with an admin token; ``tokens create`` refuses a member token
for a PES the store does not hold; ``serve`` on a busy port fails at once. Where the command's
own process is the point (a refusal for the lock, a backup taken through the service, a busy
port), the installed command runs; the rest runs ``graphsvc.cli.main`` in the test's process,
which is as separate from the service's as a command's would be.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store

from .processes import (
    Service,
    assert_clean_failure,
    cli_env,
    run,
    run_here,
    seed_store,
    serving,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "load"
KEHA = "https://w3id.org/graphsvc/id/pes/fin-keha"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    data_dir = seed_store(tmp_path_factory.mktemp("beside") / "data")
    with serving(data_dir) as running:
        yield running


def _data_dir(service: Service) -> Path:
    assert service.data_dir is not None
    return service.data_dir


def test_stats_reads_beside_the_service(service: Service) -> None:
    result = run_here("stats", data_dir=_data_dir(service))
    assert result.returncode == 0, result.stderr
    assert "(all graphs)" in result.stdout
    assert "https://w3id.org/graphsvc/ontology#PublicEmploymentService" in result.stdout


def test_export_reads_beside_the_service(service: Service, tmp_path: Path) -> None:
    out = tmp_path / "all.nq"
    result = run_here("export", "-o", out, data_dir=_data_dir(service))
    assert result.returncode == 0, result.stderr
    exported = Store()
    exported.bulk_load(path=str(out), format=RdfFormat.N_QUADS)
    assert len(exported) > 1000


def test_validate_works_beside_the_service(service: Service) -> None:
    result = run_here("validate", FIXTURES / "pes-valid.trig", data_dir=_data_dir(service))
    assert result.returncode == 0, result.stderr
    assert "conforms" in result.stdout


def test_load_says_the_service_must_stop_and_why(service: Service) -> None:
    cases: list[list[str | Path]] = [
        ["load", FIXTURES / "pes-valid.trig"],
        ["load", "--bulk", FIXTURES / "pes-valid.trig"],
    ]
    for args in cases:
        result = run(*args, data_dir=_data_dir(service))
        assert_clean_failure(result)
        assert "running `graphsvc serve`" in result.stderr
        assert "stop the service" in result.stderr
        assert "single writer" in result.stderr


def test_restore_is_refused_while_the_service_runs(service: Service, tmp_path: Path) -> None:
    result = run("restore", tmp_path, data_dir=_data_dir(service))
    assert_clean_failure(result)
    assert "stop the service" in result.stderr


def test_backup_beside_the_service_needs_an_admin_token(service: Service, tmp_path: Path) -> None:
    port = {"GRAPHSVC_PORT": str(service.port)}
    without = run("backup", tmp_path / "b0", data_dir=_data_dir(service), env=cli_env(**port))
    assert_clean_failure(without)
    assert "admin token" in without.stderr
    member = run_here(
        "tokens",
        "create",
        "--role",
        "member",
        "--pes",
        KEHA,
        "--name",
        "m",
        data_dir=_data_dir(service),
    )
    assert member.returncode == 0, member.stderr
    refused = run_here(
        "backup",
        tmp_path / "b1",
        "--token",
        member.stdout.strip(),
        data_dir=_data_dir(service),
        env=port,
    )
    assert_clean_failure(refused)
    assert "HTTP 403" in refused.stderr and not (tmp_path / "b1").exists()

    admin = run_here(
        "tokens", "create", "--role", "admin", "--name", "backups", data_dir=_data_dir(service)
    )
    token = admin.stdout.strip()
    taken = run(
        "backup",
        tmp_path / "b2",
        data_dir=_data_dir(service),
        env=cli_env(GRAPHSVC_PORT=str(service.port), GRAPHSVC_ADMIN_TOKEN=token),
    )
    assert taken.returncode == 0, taken.stderr
    assert "by the running service" in taken.stdout
    copy = Store.read_only(str(tmp_path / "b2"))
    assert len(copy) > 1000
    again = run_here(
        "backup", tmp_path / "b2", "--token", token, data_dir=_data_dir(service), env=port
    )
    assert_clean_failure(again)
    assert "already exists" in again.stderr


def test_a_member_token_needs_a_pes_that_exists(service: Service) -> None:
    unknown = "https://w3id.org/graphsvc/id/pes/no-such-service"
    result = run(
        "tokens",
        "create",
        "--role",
        "member",
        "--pes",
        unknown,
        "--name",
        "x",
        data_dir=_data_dir(service),
    )
    assert_clean_failure(result)
    assert f"no public employment service {unknown}" in result.stderr
    assert result.stdout == ""
    listing = run_here("tokens", "list", data_dir=_data_dir(service))
    assert unknown not in listing.stdout


def test_serve_on_a_busy_port_fails_at_once_before_loading(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port), data_dir=tmp_path / "data", timeout=60)
    assert_clean_failure(result)
    assert f"127.0.0.1:{port}" in result.stderr and "in use" in result.stderr
    assert not (tmp_path / "data" / "store").exists()  # nothing was opened, nothing loaded
