"""Prometheus metrics: requests by route and status, latency, database pool usage.

With several worker processes (`phonechat serve --workers N`) each process writes its
samples to files in PROMETHEUS_MULTIPROC_DIR (prometheus_client's multiprocess mode; `serve`
points it at a fresh temporary directory before the workers start) and GET /metrics, in
whichever worker answers, adds up the files of all of them. Without that variable (tests,
the sandbox) the metrics live in this process only.
"""

from __future__ import annotations

import asyncio
import os
from bisect import bisect_left
from collections.abc import Callable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "(unmatched)"  # the route label of requests no route matched
_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                    2.5, 5.0, 10.0)
POOL_EVERY = 1.0  # seconds: how late the request counts and the pool gauge may be


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


class Metrics:
    def __init__(self, pool_stats: Callable[[], dict[str, int] | None]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "phonechat_http_requests", "HTTP requests answered, by method, route and status.",
            ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram(
            "phonechat_http_request_duration_seconds",
            "Time from the request's arrival to the end of its answer, by method and route.",
            ["method", "route"], buckets=_LATENCY_BUCKETS, registry=self.registry)
        self.pool = Gauge(
            "phonechat_db_pool_connections",
            "Database connections of the workers' pools: size (open), in_use, max.",
            ["state"], multiprocess_mode="livesum", registry=self.registry)
        self._pool_stats = pool_stats
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        # (method, route, status) -> [count, seconds, count per bucket] not yet flushed;
        # the last bucket is +Inf.
        self._bounds = (*_LATENCY_BUCKETS, float("inf"))
        self._pending: dict[tuple[str, str, int], list[Any]] = {}
        self._flush_later: Any = None  # the scheduled flush

    def observe(self, method: str, route: str, status: int, elapsed: float) -> None:
        # Counted here and handed to prometheus_client within POOL_EVERY seconds (and
        # before every exposition): in multiprocess mode each of its increments takes a
        # lock and writes a memory-mapped file, about 10 us a request for the counter,
        # the sum and the bucket (bench/RESULTS.md). Another worker's /metrics may
        # therefore miss this worker's last second of requests.
        key = (method, route, status)
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = [0, 0.0, [0] * len(self._bounds)]
        pending[0] += 1
        pending[1] += elapsed
        pending[2][bisect_left(self._bounds, elapsed)] += 1
        if self._flush_later is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no event loop: nothing would flush later
                self._flush_now()
                return
            self._flush_later = loop.call_later(POOL_EVERY, self._flush_now)

    def _flush_now(self) -> None:
        self._flush_later = None
        self.flush()
        self.update_pool()

    def flush(self) -> None:
        """Hand the requests counted since the last flush to prometheus_client."""
        pending, self._pending = self._pending, {}
        for (method, route, status), (count, total, buckets) in pending.items():
            pair = self._children.get((method, route, status))
            if pair is None:
                pair = self._children[(method, route, status)] = (
                    self.requests.labels(method, route, str(status)),
                    self.latency.labels(method, route))
            pair[0].inc(count)
            # Histogram.observe's own steps (prometheus_client keeps each bucket's count
            # apart and adds them up when exposing), for many observations at once.
            pair[1]._sum.inc(total)
            for i, n in enumerate(buckets):
                if n:
                    pair[1]._buckets[i].inc(n)

    def update_pool(self) -> None:
        stats = self._pool_stats()
        if stats is None:
            return
        self.pool.labels("size").set(stats["size"])
        self.pool.labels("in_use").set(stats["size"] - stats["idle"])
        self.pool.labels("max").set(stats["max"])

    def exposition(self) -> tuple[bytes, str]:
        """The text format of every worker's metrics (or this process's)."""
        self.flush()
        self.update_pool()
        if multiprocess():
            from prometheus_client import multiprocess as mp

            registry = CollectorRegistry()
            mp.MultiProcessCollector(registry)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def close(self) -> None:
        """This worker is stopping: its pool gauge no longer counts."""
        if self._flush_later is not None:
            self._flush_later.cancel()
            self._flush_later = None
        self.flush()
        if multiprocess():
            from prometheus_client import multiprocess as mp

            mp.mark_process_dead(os.getpid())
