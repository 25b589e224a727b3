"""`phonechat serve` as operators run it: several workers, shared metrics, graceful stop."""

from __future__ import annotations

import asyncio
import re
import time
import tempfile
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import PG_URL, bearer
from tests.workers import connection_refused, lock_waiters, started_servers

pytestmark = pytest.mark.slow
needs_pg = pytest.mark.skipif(not PG_URL, reason="needs PHONECHAT_TEST_DATABASE_URL")

DETAILS = "/v1/PhoneChat/MadeBookingDetails?BookingID=1"


@pytest.fixture
def server_factory(db_url, tmp_path):
    with started_servers(tmp_path) as start:
        yield lambda workers=1, **settings: start(db_url, workers, **settings)


def test_two_workers_answer_and_metrics_add_up_across_them(server_factory) -> None:
    server = server_factory(workers=2)
    assert len(server.worker_pids()) == 2
    for _ in range(20):  # a new connection each: the kernel spreads them over the workers
        r = httpx.get(server.url + DETAILS, headers={**bearer("client"), "Connection": "close"})
        assert r.status_code == 200
        assert r.headers["x-request-id"]
    # Each worker hands its counts over within a second (metrics.POOL_EVERY).
    deadline = time.monotonic() + 5
    while True:
        text = httpx.get(server.url + "/metrics").text
        m = re.search(r'phonechat_http_requests_total\{method="GET",'
                      r'route="/v1/PhoneChat/MadeBookingDetails",status="200"\} (\S+)', text)
        if (m is not None and float(m.group(1)) == 20.0) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert m is not None and float(m.group(1)) == 20.0


def test_the_server_logs_one_json_line_per_request_with_its_request_id(server_factory) -> None:
    import orjson

    server = server_factory(workers=1, access_log="true", log_level="INFO")
    mine = httpx.get(server.url + DETAILS, headers={**bearer("client"), "X-Request-ID": "trace-42"})
    theirs = httpx.get(server.url + "/nowhere")
    server.stop()
    lines = [orjson.loads(line) for line in server.log_path.read_text().splitlines()]  # all JSON
    access = {e["request_id"]: e for e in lines if e["logger"] == "phonechat.access"}
    assert mine.headers["x-request-id"] == "trace-42"
    assert access["trace-42"]["status"] == 200
    assert access["trace-42"]["path"] == "/v1/PhoneChat/MadeBookingDetails"
    assert access[theirs.headers["x-request-id"]]["status"] == 404
    assert all({"time", "level", "logger", "message"} <= e.keys() for e in lines)


def test_an_idempotency_key_holds_across_workers(server_factory) -> None:
    server = server_factory(workers=2)
    answers = []
    for _ in range(8):  # new connections: both workers get some of them
        answers.append(httpx.post(
            server.url + "/v1/PhoneChat/CancelMadeBooking", json={"BookingID": 3, "Reason": "x"},
            headers={**bearer("client"), "Idempotency-Key": "across-workers",
                     "Connection": "close"}))
    assert [r.status_code for r in answers] == [200] * 8
    assert [r.headers.get("idempotent-replayed") for r in answers] == [None] + ["true"] * 7
    assert len({r.content for r in answers}) == 1


def metrics_dirs() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("phonechat-metrics-*"))


@needs_pg
async def test_sigterm_lets_the_request_in_flight_finish_and_refuses_new_ones(
        server_factory) -> None:
    server = server_factory(workers=1)
    running = metrics_dirs()
    blocker = await asyncpg.connect(PG_URL)
    admin = await asyncpg.connect(PG_URL)
    try:
        tx = blocker.transaction()
        await tx.start()
        await blocker.execute("SELECT 1 FROM bookings WHERE id = 3 FOR UPDATE")
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as c:
            in_flight = asyncio.create_task(c.post(
                "/v1/PhoneChat/CancelMadeBooking", json={"BookingID": 3, "Reason": "x"},
                headers=bearer("client")))
            await lock_waiters(admin, 1)  # the cancel is inside its transaction
            server.terminate()
            for _ in range(100):  # the listening socket closes at once
                if connection_refused(server.port):
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("still accepting connections after SIGTERM")
            assert server.proc.poll() is None  # ... but still running: a request is in flight
            await tx.commit()
            r = await in_flight
        assert r.status_code == 200
        assert r.json()["Status"] == "Cancelled"
        # A clean stop on SIGTERM exits 143 (128 + SIGTERM), by convention.
        assert server.proc.wait(30) == 143
        assert metrics_dirs() < running  # its metrics directory was removed
    finally:
        await blocker.close()
        await admin.close()
