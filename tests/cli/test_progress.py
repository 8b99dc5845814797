"""Progress bars with counts and rates on every long command, on a terminal only.

Each command runs as a real process with standard error on a pseudo-terminal (80 columns);
the bars must name each phase and show a rate. Piped, the same commands print no bar.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import termios
from pathlib import Path

import pytest

from .processes import GRAPHSVC, cli_env, run, run_here


def on_terminal(*args: str | Path) -> tuple[int, str]:
    """Run ``graphsvc ARGS`` with standard error on a terminal; its status and what it drew."""
    main, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    try:
        with subprocess.Popen(
            [str(GRAPHSVC), *map(str, args)],
            stdout=subprocess.DEVNULL,
            stderr=secondary,
            env=cli_env(),
        ) as process:
            os.close(secondary)
            chunks: list[bytes] = []
            while True:
                try:
                    chunk = os.read(main, 4096)
                except OSError:  # the terminal closes when the process exits
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            status = process.wait(timeout=300)
    finally:
        os.close(main)
    return status, b"".join(chunks).decode(errors="replace")


@pytest.fixture(scope="module")
def data_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("progress") / "practices.nq"
    assert run_here("generate", "--practices", "2000", "-o", path).returncode == 0
    return path


def _assert_bars(drawn: str, *phases: str, unit: str) -> None:
    for phase in phases:
        assert f"{phase}:" in drawn, drawn[-2000:]
    assert f"{unit}/s" in drawn, drawn[-2000:]  # a rate


def test_load_shows_parse_validate_and_write(tmp_path: Path, data_file: Path) -> None:
    status, drawn = on_terminal("--data-dir", tmp_path / "data", "load", data_file)
    assert status == 0, drawn
    _assert_bars(drawn, "parsing", "validating", "writing", unit="quad")
    assert "B/s" in drawn and "check/s" in drawn  # parse in bytes, validation in checks
    assert "24281/24281" in drawn  # the count of quads written


def test_bulk_load_shows_bytes(tmp_path: Path, data_file: Path) -> None:
    status, drawn = on_terminal("--data-dir", tmp_path / "data", "load", "--bulk", data_file)
    assert status == 0, drawn
    _assert_bars(drawn, "bulk loading", unit="B")


def test_export_generate_and_backup_show_progress(tmp_path: Path, data_file: Path) -> None:
    data_dir = tmp_path / "data"
    assert run_here("load", "--bulk", data_file, data_dir=data_dir).returncode == 0
    status, drawn = on_terminal("--data-dir", data_dir, "export", "-o", tmp_path / "all.nq")
    assert status == 0, drawn
    _assert_bars(drawn, "exporting", unit="B")
    status, drawn = on_terminal("generate", "--practices", "500", "-o", tmp_path / "g.trig")
    assert status == 0, drawn
    _assert_bars(drawn, "generating", "writing", unit="practice")
    status, drawn = on_terminal("--data-dir", data_dir, "backup", tmp_path / "backup")
    assert status == 0, drawn
    _assert_bars(drawn, "backing up", unit="quad")


def test_piped_commands_draw_no_bar(tmp_path: Path, data_file: Path) -> None:
    loaded = run("load", data_file, data_dir=tmp_path / "data")
    assert loaded.returncode == 0
    assert "/s]" not in loaded.stderr and "%|" not in loaded.stderr
    assert loaded.stderr == ""
    forced = run("--progress", "export", "-o", tmp_path / "x.nq", data_dir=tmp_path / "data")
    assert "exporting:" in forced.stderr  # --progress draws even when piped
