"""Prometheus metrics: requests, latencies, records ingested, checks by decision.

With several server processes, each writes its figures to files in PROMETHEUS_MULTIPROC_DIR
(set by `credo serve` before the workers start) and `/metrics` adds them up across workers.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def _multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class Metrics:
    def __init__(self) -> None:
        # Single-process figures go to a registry of this app's own, so two apps in one process
        # (as in tests) never share counters; multi-process ones are collected from files.
        self.registry = None if _multiprocess() else CollectorRegistry()
        registry = self.registry
        self.requests = Counter(
            "credo_http_requests",
            "HTTP requests answered, by method, route and status.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "credo_http_request_seconds",
            "Time to answer an HTTP request, by method and route.",
            ["method", "route"],
            buckets=_BUCKETS,
            registry=registry,
        )
        self.records = Counter(
            "credo_records_ingested",
            "Records submitted through the API, by outcome.",
            ["outcome"],
            registry=registry,
        )
        self.checks = Counter(
            "credo_checks",
            "Checks answered, by decision.",
            ["decision"],
            registry=registry,
        )

    def exposition(self) -> bytes:
        if self.registry is not None:
            return generate_latest(self.registry)
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)  # type: ignore[no-untyped-call]
        return generate_latest(collected)
