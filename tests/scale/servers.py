"""Real servers for the scale-out tests: Virtuoso, and `graphsvc serve --workers N`."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from support import free_port

from graphsvc.edit.auth import TokenRegistry, tokens_path
from graphsvc.settings import Settings
from graphsvc.store import RemoteSparqlStore

VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
ISQL = shutil.which("isql-vt") or "/usr/bin/isql-vt"
GRAPHSVC = Path(sys.executable).parent / "graphsvc"
_VERIFY = httpx.create_ssl_context()
"""httpx's default verification, made once: a client made without it loads the CA bundle (30 ms
of CPU) even for the plain-HTTP loopback URLs here, and the tests make one per request."""

_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = {sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 60
DirsAllowed = .
[HTTPServer]
ServerPort = {http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 10
MaxClientConnections = 10
EnabledDavVSP = 0
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


@dataclass(frozen=True)
class VirtuosoServer:
    base_url: str
    admin: RemoteSparqlStore
    """The store that :meth:`clear` reads and writes through, open while the server runs (one
    client for every clear: each new one costs some 30 ms of CPU for its TLS context)."""

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/sparql"

    def store(self) -> RemoteSparqlStore:
        return RemoteSparqlStore(self.endpoint, self.endpoint)

    def clear(self) -> None:
        """Drop every graph but Virtuoso's own."""
        for graph in self.admin.named_graphs():
            self.admin.replace_graph(graph, [])  # DROP SILENT GRAPH


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, params={"query": "ASK {}"}, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def run_virtuoso(directory: Path) -> Iterator[VirtuosoServer]:
    """Start Debian's Virtuoso on free loopback ports with a database in ``directory``, let its
    anonymous SPARQL user update, stop it on exit."""
    if not os.path.exists(VIRTUOSO):
        pytest.fail("virtuoso-t is missing: install Debian's virtuoso-opensource (make test does)")
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(_INI.format(dir=directory, sql_port=sql_port, http_port=http_port))
    process = subprocess.Popen(
        [VIRTUOSO, "-c", str(ini), "+foreground"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{http_port}"
    server = VirtuosoServer(base_url, RemoteSparqlStore(f"{base_url}/sparql", f"{base_url}/sparql"))
    try:
        deadline = time.monotonic() + 120
        # a bare connection first: it starts in seconds, and each httpx.get costs some 30 ms
        # of CPU (its client, its TLS context) however often a poll asks
        while not (_listening(http_port) and _answers(server.endpoint)):
            if process.poll() is not None:
                log = (directory / "virtuoso.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"virtuoso-t exited with {process.returncode}: {log}")
            if time.monotonic() > deadline:
                pytest.fail("Virtuoso did not answer within 120 s")
            time.sleep(0.1)
        grant = (
            "GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"
        )
        subprocess.run(
            [ISQL, str(sql_port), "dba", "dba", f"exec={grant}"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield server
    finally:
        server.admin.close()
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Cluster:
    """``graphsvc serve --workers N``: the shared port and each worker's own."""

    url: str
    workers: list[str]
    token: str
    settings: Settings

    def client(self, worker: int) -> httpx.Client:
        return httpx.Client(base_url=self.workers[worker], timeout=30.0, verify=_VERIFY)


@contextlib.contextmanager
def run_cluster(workers: int, settings: Settings, env: dict[str, str]) -> Iterator[Cluster]:
    """Start ``graphsvc serve --workers N`` on loopback with an admin token; stop it on exit."""
    _, token = TokenRegistry(tokens_path(settings)).create("admin", "scale tests")
    port, base = free_port(), free_port()
    while any(_taken(base + i) for i in range(workers)):
        base = free_port()
    log = open(settings.data_dir / "serve.log", "wb")  # noqa: SIM115 - closed on exit
    process = subprocess.Popen(
        [
            str(GRAPHSVC),
            "serve",
            "--workers",
            str(workers),
            "--port",
            str(port),
            "--worker-ports",
            str(base),
            "--no-access-log",
        ],
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    cluster = Cluster(
        f"http://127.0.0.1:{port}",
        [f"http://127.0.0.1:{base + i}" for i in range(workers)],
        token,
        settings,
    )
    try:
        deadline = time.monotonic() + 180
        with httpx.Client(timeout=1.0) as client:  # one client: not a TLS context per look
            for url in cluster.workers:
                while not _healthy(client, url):
                    if process.poll() is not None:
                        text = (settings.data_dir / "serve.log").read_text(errors="replace")
                        pytest.fail(
                            f"graphsvc serve exited with {process.returncode}: {text[-3000:]}"
                        )
                    if time.monotonic() > deadline:
                        pytest.fail("the workers did not start within 180 s")
                    time.sleep(0.02)
        yield cluster
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
    # stopped cleanly, and no worker outlived the service
    assert process.returncode == 0, (settings.data_dir / "serve.log").read_text()[-3000:]
    assert not any(_listening(base + i) for i in range(workers)), "a worker outlived the service"


def _taken(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _listening(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _healthy(client: httpx.Client, url: str) -> bool:
    try:
        return client.get(f"{url}/healthz").status_code == 200
    except httpx.HTTPError:
        return False
