"""Prometheus metrics of the service, for one process or several.

Every worker process records into prometheus-client's metric objects. When several processes
serve one dataset, ``PROMETHEUS_MULTIPROC_DIR`` names a directory shared by all of them (set it
before the processes start, and empty it first:
:func:`graphsvc.http.multiproc.use_multiprocess_metrics`); each
process then writes its samples into memory-mapped files there, and ``/metrics``, served by any
of them, adds them up (:func:`render`). Without the variable, one process reports its own.

The metrics (all prefixed ``graphsvc_``):

=====================================  ======================================================
``http_requests_total``                requests by route template, method and status
``http_request_duration_seconds``      latency histogram by route template
``http_requests_in_progress``          requests being answered, by route (summed over workers)
``graphql_operations_total``           GraphQL requests by operation name and status
``graphql_operation_duration_seconds`` their latency
``sparql_queries_total``               ``/sparql`` requests by outcome (ok, bad_request, …)
``cache_lookups_total``                lookups of each result cache, by ``result`` hit or miss
``refresh_seconds``                    refresh of the read model / index / … after a write
``build_seconds``                      the start-up build of each derived structure
``feed_revision``                      the change-feed revision this process has delivered
=====================================  ======================================================
"""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess

from graphsvc.http.multiproc import MULTIPROC_ENV

__all__ = [
    "BUILD_SECONDS",
    "CACHE_LOOKUPS",
    "CONTENT_TYPE",
    "FEED_REVISION",
    "GRAPHQL_DURATION",
    "GRAPHQL_OPERATIONS",
    "IN_PROGRESS",
    "REFRESH_SECONDS",
    "REQUESTS",
    "REQUEST_DURATION",
    "SPARQL_QUERIES",
    "multiprocess_dir",
    "process_exited",
    "render",
    "set_feed_revision",
]

CONTENT_TYPE = CONTENT_TYPE_LATEST

# Latency buckets from 1 ms to 30 s: GraphQL answers in milliseconds, SPARQL may take seconds.
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "graphsvc_http_requests", "HTTP requests answered", ("route", "method", "status")
)
REQUEST_DURATION = Histogram(
    "graphsvc_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ("route",),
    buckets=_BUCKETS,
)
IN_PROGRESS = Gauge(
    "graphsvc_http_requests_in_progress",
    "HTTP requests being answered",
    ("route",),
    multiprocess_mode="livesum",
)
GRAPHQL_OPERATIONS = Counter(
    "graphsvc_graphql_operations", "GraphQL requests by operation name", ("operation", "status")
)
GRAPHQL_DURATION = Histogram(
    "graphsvc_graphql_operation_duration_seconds",
    "Time to answer a GraphQL request, by operation name",
    ("operation",),
    buckets=_BUCKETS,
)
SPARQL_QUERIES = Counter(
    "graphsvc_sparql_queries", "SPARQL protocol requests by outcome", ("outcome",)
)
CACHE_LOOKUPS = Counter(
    "graphsvc_cache_lookups", "Lookups of the result caches", ("cache", "result")
)
REFRESH_SECONDS = Histogram(
    "graphsvc_refresh_seconds",
    "Refresh of a derived structure after a write",
    ("part",),
    buckets=(0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0),
)
BUILD_SECONDS = Gauge(
    "graphsvc_build_seconds",
    "Start-up build of a derived structure",
    ("part",),
    multiprocess_mode="max",
)
FEED_REVISION = Gauge(
    "graphsvc_feed_revision",
    "Change-feed revision delivered by this process",
    multiprocess_mode="max",
)


_feed_revision: list[int | None] = [None]  # the revision last set in this process


def set_feed_revision(revision: int) -> None:
    """Record the change-feed revision this process has delivered (after every request: the
    gauge's lock is taken only when the revision moved)."""
    if revision != _feed_revision[0]:
        FEED_REVISION.set(revision)
        _feed_revision[0] = revision


def _forget_feed_revision() -> None:
    _feed_revision[0] = None


# a forked worker records into files of its own (multiprocess mode): it sets the gauge anew
os.register_at_fork(after_in_child=_forget_feed_revision)


def multiprocess_dir() -> Path | None:
    """The directory shared by the worker processes, if the service runs in multiprocess mode."""
    value = os.environ.get(MULTIPROC_ENV)
    return Path(value) if value else None


def process_exited(pid: int) -> None:
    """Tell multiprocess mode that worker ``pid`` is gone: its in-progress gauges stop counting."""
    directory = multiprocess_dir()
    if directory is not None:
        _multiprocess.mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]


def render() -> bytes:
    """The text exposition of every metric: summed over the workers in multiprocess mode."""
    directory = multiprocess_dir()
    if directory is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    _multiprocess.MultiProcessCollector(registry, path=str(directory))  # type: ignore[no-untyped-call]
    return generate_latest(registry)
