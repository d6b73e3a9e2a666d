"""Prometheus metrics of the worker.

Celery's prefork pool runs tasks in child processes, so the counters use prometheus_client's
multiprocess mode: worker.daemon.app sets PROMETHEUS_MULTIPROC_DIR before anything imports
prometheus_client, and the parent process serves the merged view.
Queue depth is read from Redis at scrape time (a collector), so it is never stale.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger("bayegan.metrics")

_MP_ENV = "PROMETHEUS_MULTIPROC_DIR"  # set by worker.daemon.app before prometheus_client is imported

ARTICLES = Counter("bayegan_articles", "Articles stored, by source and store status "
                   "(new, version, alias, unchanged); each article counted once per status change",
                   ["source", "status"])
FETCH_SECONDS = Histogram("bayegan_fetch_seconds", "Latency of one page fetch (politeness wait excluded "
                          "where the fetcher reports it)", ["source"],
                          buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60))
ERRORS = Counter("bayegan_errors", "Errors by source and kind (fetch, discovery, parse, store, ...)",
                 ["source", "kind"])
CHANGES = Counter("bayegan_changes", "Edits, removals and restorations found by re-checks",
                  ["source", "kind"])
POLLS = Counter("bayegan_polls", "Source polls by outcome", ["source", "ok"])


class QueueDepthCollector:
    """`bayegan_queue_depth{queue}`: messages waiting in each Redis list at scrape time."""

    def __init__(self, depth: Callable[[], dict[str, int]]) -> None:
        self._depth = depth

    def collect(self) -> Iterable[Any]:
        family = GaugeMetricFamily("bayegan_queue_depth", "Messages waiting per Celery queue", labels=["queue"])
        try:
            for queue, n in self._depth().items():
                family.add_metric([queue], n)
        except Exception as exc:  # a scrape during a Redis outage must still answer
            log.warning("queue depth unavailable", extra={"error": str(exc)})
        yield family


def serve(port: int, queue_depth: Callable[[], dict[str, int]] | None = None, host: str = "127.0.0.1") -> None:
    """Serve /metrics on `host`:`port` (0: disabled) with the merged view of every worker process.

    Loopback by default: the endpoint has no authentication (a container sets BAYEGAN_METRICS_HOST=0.0.0.0
    and its host publishes the port on loopback).
    """
    if not port:
        return
    registry = CollectorRegistry()
    if os.environ.get(_MP_ENV):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    if queue_depth is not None:
        registry.register(QueueDepthCollector(queue_depth))
    start_http_server(port, addr=host, registry=registry)
    log.info("metrics endpoint", extra={"host": host, "port": port})


def process_exited(pid: int) -> None:
    if os.environ.get(_MP_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
