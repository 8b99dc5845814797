"""``/metrics`` adds up every worker process in multiprocess mode (real processes).

Two ``graphsvc serve`` processes share one ``PROMETHEUS_MULTIPROC_DIR``, as the workers of
``serve --workers`` do; each answers some requests; either one's ``/metrics`` reports the sum.
(Each has its own empty store in memory here: the point is the metrics, not the data.)
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from .processes import cli_env, serving


def readyz_count(url: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=30).text
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (
                sample.name == "graphsvc_http_requests_total"
                and sample.labels.get("route") == "/readyz"
            ):
                total += sample.value
    return total


def test_metrics_of_two_processes_are_summed(tmp_path: Path) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = cli_env(
        GRAPHSVC_STORE="memory", GRAPHSVC_LOAD_SEEDS="false", PROMETHEUS_MULTIPROC_DIR=str(shared)
    )
    with contextlib.ExitStack() as stack:
        first = stack.enter_context(serving(tmp_path / "a", env=env))
        second = stack.enter_context(serving(tmp_path / "b", env=env))
        for service, count in ((first, 3), (second, 2)):
            with service.client() as client:
                for _ in range(count):
                    assert client.get("/readyz").status_code == 200
        assert readyz_count(first.url) == 5
        assert readyz_count(second.url) == 5
        assert len(list(shared.glob("*.db"))) >= 2  # each process writes its own samples
