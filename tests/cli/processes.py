"""Real ``graphsvc`` processes for the CLI tests: one-shot commands and a running service."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from graphsvc.settings import PROJECT_ROOT
from graphsvc.store import OxigraphStore
from graphsvc.store.loading import load_ontology_and_seeds

__all__ = [
    "GRAPHSVC",
    "Service",
    "assert_clean_failure",
    "cli_env",
    "free_port",
    "run",
    "seed_store",
    "serving",
    "wait_until",
]

GRAPHSVC = Path(sys.executable).parent / "graphsvc"


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
    """Load the ontology and seeds into ``data_dir``'s store (faster than a service's start)."""
    with OxigraphStore(data_dir / "store") as store:
        load_ontology_and_seeds(store, PROJECT_ROOT / "ontology", PROJECT_ROOT / "seeds")
    return data_dir


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    url: str
    port: int
    log: Path
    data_dir: Path | None = None

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")


def _answers(url: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    return check


@contextlib.contextmanager
def serving(
    data_dir: Path, *extra: str, env: dict[str, str] | None = None, startup: float = 180
) -> Iterator[Service]:
    """``graphsvc serve`` on a free port over ``data_dir``, stopped (SIGTERM) on exit."""
    port = free_port()
    log = data_dir.parent / f"serve-{port}.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [str(GRAPHSVC), "--data-dir", str(data_dir), "serve", "--port", str(port), *extra],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env or cli_env(),
        )
    service = Service(process, f"http://127.0.0.1:{port}", port, log, data_dir)
    try:
        deadline = time.monotonic() + startup
        while not _answers(f"{service.url}/healthz")():
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
