"""/metrics, request ids, the JSON access log, /readyz and /admin/backup, over real HTTP.

One service (on-disk store, seeded) runs under uvicorn in a thread for the module. Metrics are
process-wide, so each test compares samples before and after what it does.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from prometheus_client.parser import text_string_to_metric_families
from pyoxigraph import Store

from graphsvc.app import create_app
from graphsvc.edit.auth import TokenRegistry, tokens_path
from graphsvc.http import observe
from graphsvc.http.observe import JsonLogFormatter
from graphsvc.http.probes import readiness
from graphsvc.settings import Settings

from .processes import VERIFY, free_port
from .service_api import create_practice

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


class Service:
    def __init__(self, url: str, settings: Settings) -> None:
        self.url = url
        self.settings = settings
        registry = TokenRegistry(tokens_path(settings))
        self.admin = registry.create("admin", "operations")[1]
        self.member = registry.create("member", "m", "https://w3id.org/graphsvc/id/pes/deu-ba")[1]

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, verify=VERIFY)

    def samples(self) -> Samples:
        text = httpx.get(f"{self.url}/metrics", timeout=30, verify=VERIFY).text
        found: Samples = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return found


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@contextlib.contextmanager
def running(settings: Settings) -> Iterator[Service]:
    """``create_app(settings)`` under uvicorn in a thread, on a free port."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 180
    while not server.started:
        assert thread.is_alive(), "the app failed to start"
        assert time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    try:
        yield Service(f"http://127.0.0.1:{port}", settings)
    finally:
        server.should_exit = True
        thread.join(timeout=60)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    data_dir = tmp_path_factory.mktemp("operations")
    with running(Settings(data_dir=data_dir, rate_per_address=0, web_rate_per_address=0)) as app:
        yield app


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.entries: list[dict[str, object]] = []
        self.written = threading.Condition()

    def emit(self, record: logging.LogRecord) -> None:
        with self.written:
            self.entries.append(json.loads(JsonLogFormatter().format(record)))
            self.written.notify_all()

    def lines(self, key: str, value: object, count: int = 1) -> list[dict[str, object]]:
        """The lines with ``key: value``, once there are ``count``: the server writes a line when
        its response is sent, so it may come just after the client has the answer."""
        with self.written:
            found = self.written.wait_for(
                lambda: len([e for e in self.entries if e.get(key) == value]) >= count, timeout=30
            )
            lines = [e for e in self.entries if e.get(key) == value]
        assert found, f"{len(lines)} access-log lines with {key} {value!r}, not {count}"
        return lines


@pytest.fixture
def access_log() -> Iterator[Lines]:
    handler = Lines()
    logger = observe.log  # the logger the middleware writes to
    # another module's logging set-up (a dictConfig, logging.disable) may have quietened it
    disabled, level, floor = logger.disabled, logger.level, logging.root.manager.disable
    logger.disabled = False
    logger.setLevel(logging.INFO)
    logging.disable(logging.NOTSET)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.disabled = disabled
    logger.setLevel(level)
    logging.disable(floor)


def test_a_sane_request_id_is_echoed_and_logged(service: Service, access_log: Lines) -> None:
    with service.client() as client:
        response = client.get("/healthz", headers={"X-Request-ID": "trace-42.a:b_c"})
    assert response.headers["x-request-id"] == "trace-42.a:b_c"
    (entry,) = access_log.lines("request_id", "trace-42.a:b_c")
    assert entry["path"] == "/healthz" and entry["route"] == "/healthz"
    assert entry["status"] == 200 and entry["method"] == "GET"
    assert isinstance(entry["duration_ms"], float) and entry["level"] == "info"
    assert str(entry["time"]).endswith("Z")


@pytest.mark.parametrize(
    "sent",
    ["", "x" * 129, "has space", 'quote"s', "new\nline"],
    ids=["empty", "long", "space", "quote", "newline"],
)
def test_an_insane_request_id_is_replaced(service: Service, sent: str) -> None:
    with service.client() as client:
        headers = {"X-Request-ID": sent} if "\n" not in sent else {}
        response = client.get("/healthz", headers=headers)
    echoed = response.headers["x-request-id"]
    assert echoed != sent and len(echoed) == 32 and int(echoed, 16) >= 0


def test_every_response_has_its_own_id(service: Service) -> None:
    with service.client() as client:
        ids = {client.get("/healthz").headers["x-request-id"] for _ in range(5)}
        refused = client.get("/no/such/route")
    assert len(ids) == 5
    assert refused.status_code == 404 and "x-request-id" in refused.headers


def test_metrics_count_routes_operations_sparql_and_cache_hits(
    service: Service, access_log: Lines
) -> None:
    before = service.samples()
    query = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/graphsvc/ontology#GoodPractice> }"
    )
    with service.client() as client:
        for _ in range(3):
            answer = client.post(
                "/graphql",
                json={
                    "query": "query Probe { classCounts { iri instances } }",
                    "operationName": "Probe",
                },
            )
            assert answer.status_code == 200
        assert (
            client.get("/graphql", params={"query": "{ classCounts { iri } }"}).status_code == 200
        )
        for _ in range(2):  # the second is answered from the result cache
            assert client.get("/sparql", params={"query": query}).status_code == 200
        assert client.get("/sparql", params={"query": "SELECT nonsense"}).status_code == 400
    after = service.samples()

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("graphsvc_http_requests_total", route="/graphql", method="POST", status="200") == 3
    assert delta("graphsvc_graphql_operations_total", operation="Probe", status="200") == 3
    assert delta("graphsvc_graphql_operations_total", operation="(anonymous)", status="200") == 1
    assert delta("graphsvc_graphql_operation_duration_seconds_count", operation="Probe") == 3
    assert delta("graphsvc_http_request_duration_seconds_count", route="/sparql") == 3
    assert delta("graphsvc_sparql_queries_total", outcome="ok") == 2
    assert delta("graphsvc_sparql_queries_total", outcome="bad_request") == 1
    assert delta("graphsvc_cache_lookups_total", cache="sparql_results", result="hit") >= 1
    assert delta("graphsvc_cache_lookups_total", cache="graphql_results", result="hit") >= 1
    assert value(after, "graphsvc_build_seconds", part="read_model") > 0
    assert value(after, "graphsvc_build_seconds", part="recommendation_index") > 0
    assert value(after, "graphsvc_http_requests_in_progress", route="/graphql") == 0
    probe = access_log.lines("operation", "Probe", count=3)
    assert len(probe) == 3 and all(e["route"] == "/graphql" for e in probe)


def test_a_write_is_timed_and_moves_the_feed_revision(service: Service) -> None:
    before = service.samples()
    with service.client() as client:
        created = create_practice(client, service.admin, "Metrics probe practice")
    assert created["__typename"] == "PracticeCreated", created
    after = service.samples()
    for part in ("read_model", "recommendation_index"):
        count = "graphsvc_refresh_seconds_count"
        assert value(after, count, part=part) == value(before, count, part=part) + 1
    assert value(after, "graphsvc_feed_revision") == value(before, "graphsvc_feed_revision") + 1


def test_readyz_when_loaded_and_healthz_apart(service: Service) -> None:
    with service.client() as client:
        ready = client.get("/readyz")
        health = client.get("/healthz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "ready" and ready.json()["store"] == "oxigraph"
    assert health.json()["status"] == "ok"
    starting, body = readiness(None)
    assert not starting and body["status"] == "starting"


def test_admin_backup_needs_an_admin_token(service: Service, tmp_path: Path) -> None:
    target = tmp_path / "backup"
    with service.client() as client:
        anonymous = client.post("/admin/backup", json={"directory": str(target)})
        member = client.post(
            "/admin/backup",
            json={"directory": str(target)},
            headers={"Authorization": f"Bearer {service.member}"},
        )
        relative = client.post(
            "/admin/backup",
            json={"directory": "relative/dir"},
            headers={"Authorization": f"Bearer {service.admin}"},
        )
        assert (anonymous.status_code, member.status_code, relative.status_code) == (401, 403, 400)
        assert not target.exists()
        taken = client.post(
            "/admin/backup",
            json={"directory": str(target)},
            headers={"Authorization": f"Bearer {service.admin}"},
        )
    assert taken.status_code == 200, taken.text
    assert taken.json()["quads"] == len(Store.read_only(str(target))) > 1000


def test_admin_backup_of_a_store_it_cannot_checkpoint(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, store="memory", load_seeds=False)
    with running(settings) as app, app.client() as client:
        answer = client.post(
            "/admin/backup",
            json={"directory": str(tmp_path / "backup")},
            headers={"Authorization": f"Bearer {app.admin}"},
        )
    assert answer.status_code == 409
    assert "graphsvc export" in answer.json()["error"]
    assert not (tmp_path / "backup").exists()
