"""What a user of the ``graphsvc`` command meets: no traceback, ever.

Output piped into ``head``; a data directory the user may not write (``tokens create``,
``stats`` on a read-only store, ``load``): real processes. The read-only cases drop root's power
to override file permissions (``setpriv``), since the tests run as root. An empty file, a store
not there yet: ``graphsvc.cli.main`` in this process.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .processes import GRAPHSVC, assert_clean_failure, cli_env, run_here

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "load"
SETPRIV = shutil.which("setpriv")
# without these, root ignores file permissions
NO_OVERRIDE = ["--bounding-set=-dac_override,-dac_read_search,-fowner"]


def as_plain_user(*args: str | Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    assert SETPRIV is not None, "setpriv (util-linux) is needed"
    return subprocess.run(
        [SETPRIV, *NO_OVERRIDE, str(GRAPHSVC), "--data-dir", str(data_dir), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=cli_env(),
        check=False,
    )


def _read_only(path: Path) -> None:
    for item in [path, *path.rglob("*")]:
        mode = item.stat().st_mode
        item.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


@pytest.fixture(scope="module")
def read_only_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data directory with a store of 7 quads that the plain user may not write (nothing can
    change it, so the module's tests share it)."""
    data_dir = tmp_path_factory.mktemp("read-only") / "data"
    assert run_here("load", FIXTURES / "pes-valid.trig", data_dir=data_dir).returncode == 0
    _read_only(data_dir)
    yield data_dir
    for item in [data_dir, *data_dir.rglob("*")]:
        item.chmod(item.stat().st_mode | stat.S_IWUSR)


def test_the_plain_user_really_cannot_write(read_only_dir: Path) -> None:
    probe = subprocess.run(
        [SETPRIV or "setpriv", *NO_OVERRIDE, "touch", str(read_only_dir / "x")],
        capture_output=True,
        check=False,
    )
    assert probe.returncode != 0  # else the cases below would prove nothing


def test_tokens_create_on_a_read_only_data_dir(read_only_dir: Path) -> None:
    result = as_plain_user(
        "tokens", "create", "--role", "admin", "--name", "x", data_dir=read_only_dir
    )
    assert_clean_failure(result)
    assert result.returncode == 2
    assert "cannot write the token file" in result.stderr and "Permission denied" in result.stderr
    assert result.stdout == ""  # no token printed that was never kept


def test_stats_and_export_of_a_read_only_store(read_only_dir: Path) -> None:
    stats = as_plain_user("stats", data_dir=read_only_dir)
    assert stats.returncode == 0, stats.stderr
    assert "7  (all graphs)" in stats.stdout
    export = as_plain_user("export", "--format", "nq", data_dir=read_only_dir)
    assert export.returncode == 0, export.stderr
    assert len(export.stdout.splitlines()) == 7


def test_load_into_a_read_only_store_is_one_message(read_only_dir: Path) -> None:
    result = as_plain_user("load", FIXTURES / "pes-patch.ttl", data_dir=read_only_dir)
    assert_clean_failure(result)
    assert "cannot open the store" in result.stderr and "Permission denied" in result.stderr


def test_reading_a_store_that_does_not_exist_yet(tmp_path: Path) -> None:
    result = run_here("stats", data_dir=tmp_path / "nothing")
    assert result.returncode == 0, result.stderr
    assert "0  (all graphs)" in result.stdout
    assert run_here("export", data_dir=tmp_path / "nothing").stdout == ""
    assert not (tmp_path / "nothing").exists()  # reading created nothing


@pytest.fixture(scope="module")
def generated_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding 3000 generated practices (read, never written, by the tests)."""
    base = tmp_path_factory.mktemp("generated")
    generated = base / "g.nq"
    assert run_here("generate", "--practices", "3000", "-o", generated).returncode == 0
    assert run_here("load", "--bulk", generated, data_dir=base / "data").returncode == 0
    return base / "data"


@pytest.mark.parametrize(
    "command",
    [
        ["export", "--format", "nq"],
        ["export", "--format", "ttl"],
        ["generate", "--practices", "3000"],
        ["stats"],
    ],
    ids=lambda c: " ".join(c),
)
def test_output_piped_into_head(command: list[str], generated_dir: Path) -> None:
    with subprocess.Popen(
        [str(GRAPHSVC), "--data-dir", str(generated_dir), *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli_env(),
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()  # `| head -1`: one line, then the reader goes away
        process.stdout.close()
        error = process.stderr.read().decode()
        process.wait(timeout=120)
    assert first
    assert "Traceback" not in error and "BrokenPipeError" not in error, error
    assert error == ""
    assert process.returncode in (0, 141)  # 141: stopped by the closed pipe, as a shell says


def test_an_empty_file_gets_a_warning(tmp_path: Path) -> None:
    empty = tmp_path / "empty.ttl"
    empty.write_bytes(b"")
    cases: list[list[str | Path]] = [
        ["load", empty],
        ["load", "--bulk", empty],
        ["validate", empty],
    ]
    for args in cases:
        result = run_here(*args, data_dir=tmp_path / "data")
        assert result.returncode == 0, result.stderr
        assert f"warning: {empty}" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_file_of_comments_only_gets_a_warning(tmp_path: Path) -> None:
    comments = tmp_path / "comments.ttl"
    comments.write_text("# nothing here yet\n@prefix ex: <https://example.org/> .\n")
    result = run_here("load", comments, data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert f"warning: {comments}: holds no triples or quads" in result.stderr
