"""Real ``graphsvc`` processes for the CLI tests: one-shot commands and a running service; and
the same commands run by ``graphsvc.cli.main`` in the test's process (:func:`run_here`) where the
process is not the point."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from graphsvc.cli import main
from graphsvc.settings import PROJECT_ROOT
from graphsvc.store import OxigraphStore
from graphsvc.store.loading import load_ontology_and_seeds
from graphsvc.store.verdicts import Verdicts

__all__ = [
    "GRAPHSVC",
    "VERIFY",
    "Service",
    "assert_clean_failure",
    "cli_env",
    "copy_data_dir",
    "free_port",
    "listening",
    "run",
    "run_here",
    "seed_store",
    "serving",
    "wait_until",
]

GRAPHSVC = Path(sys.executable).parent / "graphsvc"
VERIFY = httpx.create_ssl_context()
"""httpx's default verification, made once: a client made without it loads the CA bundle (30 ms
of CPU) even for the plain-HTTP loopback URLs here."""


def cli_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GRAPHSVC_", "PROMETHEUS_MULTIPROC_DIR"))
    }
    env.update(extra)
    return env


def run(
    *args: str | Path,
    data_dir: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    prefix: list[str | Path] = [GRAPHSVC]
    if data_dir is not None:
        prefix += ["--data-dir", data_dir]
    return subprocess.run(
        [str(a) for a in (*prefix, *args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env or cli_env(),
        check=False,
    )


@contextlib.contextmanager
def _environment(extra: Mapping[str, str]) -> Iterator[None]:
    """This process's environment as :func:`cli_env` gives a child: no ``GRAPHSVC_*`` nor
    ``PROMETHEUS_MULTIPROC_DIR`` but ``extra``; restored afterwards."""
    saved = dict(os.environ)
    for name in [n for n in os.environ if n.startswith(("GRAPHSVC_", "PROMETHEUS_MULTIPROC_DIR"))]:
        del os.environ[name]
    os.environ.update(extra)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_here(
    *args: str | Path, data_dir: Path | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``graphsvc ARGS`` run by :func:`graphsvc.cli.main` in this process, what :func:`run` gives:
    the installed command's code (parser, command, error handling, exit status) without the cost
    of a new interpreter, for the tests where the process is not the point. Standard output and
    error are captured (neither is a terminal); ``env`` holds the ``GRAPHSVC_*`` settings, as the
    others of this process are set aside while it runs. An exception ``main`` did not turn into
    a message propagates: the test fails with its traceback."""
    argv = [str(a) for a in (*(["--data-dir", data_dir] if data_dir else []), *args)]
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    with (
        _environment(env or {}),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            status = main(argv)
        except SystemExit as stop:  # argparse: --help, or a usage error (status 2)
            status = stop.code if isinstance(stop.code, int) else 1
            if isinstance(stop.code, str):
                print(stop.code, file=sys.stderr)
    captured = [stream.buffer.getvalue().decode() for stream in (out, err)]
    return subprocess.CompletedProcess(["graphsvc", *argv], status, *captured)


def copy_data_dir(template: Path, target: Path) -> Path:
    """A copy of the data directory ``template`` (a prepared store) that a test may write."""
    shutil.copytree(template, target)
    return target


def assert_clean_failure(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def seed_store(data_dir: Path) -> Path:
    """Load the ontology and seeds into ``data_dir``'s store (faster than a service's start),
    validated unless the clean verdict of these very files is cached, as the service seeds."""
    with OxigraphStore(data_dir / "store") as store:
        load_ontology_and_seeds(
            store, PROJECT_ROOT / "ontology", PROJECT_ROOT / "seeds", verdicts=Verdicts.at(None)
        )
    return data_dir


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    url: str
    port: int
    log: Path
    data_dir: Path | None = None

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, verify=VERIFY)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")


def listening(port: int) -> bool:
    """Whether something accepts connections on the loopback ``port``: uvicorn binds once the
    application has started. A bare connection, as each ``httpx.get`` costs some 30 ms of CPU
    (its client, its TLS context) however often a poll asks."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return False
    return True


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2, verify=VERIFY).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def serving(
    data_dir: Path, *extra: str, env: dict[str, str] | None = None, startup: float = 180
) -> Iterator[Service]:
    """``graphsvc serve`` on a free port over ``data_dir``, stopped (SIGTERM) on exit; with one
    SPARQL query worker unless ``env`` says otherwise (each is an interpreter of its own, and
    no test here sends SPARQL queries at once)."""
    port = free_port()
    env = {"GRAPHSVC_SPARQL_WORKERS": "1", **(env or cli_env())}
    log = data_dir.parent / f"serve-{port}.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [str(GRAPHSVC), "--data-dir", str(data_dir), "serve", "--port", str(port), *extra],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env,
        )
    service = Service(process, f"http://127.0.0.1:{port}", port, log, data_dir)
    try:
        deadline = time.monotonic() + startup
        while not (listening(port) and _answers(f"{service.url}/healthz")):
            if process.poll() is not None:
                pytest.fail(f"graphsvc serve exited with {process.returncode}:\n{service.stderr()}")
            if time.monotonic() > deadline:
                pytest.fail(f"graphsvc serve did not answer within {startup}s")
            time.sleep(0.1)
        yield service
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
