"""Operations: /health, /ready, /metrics, request ids and structured logs."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

import httpx
import orjson

from phonechat.api.factory import create_app
from phonechat.logs import JsonFormatter
from phonechat.services import lifecycle as made
from phonechat.store.db import DatabaseUnavailable
from tests.conftest import bearer

DETAILS = "/v1/PhoneChat/MadeBookingDetails?BookingID=1"


class DownDatabase:
    """A database that cannot be reached."""

    dialect = "postgresql"

    @asynccontextmanager
    async def connection(self):
        raise DatabaseUnavailable("connection refused")
        yield  # pragma: no cover

    transaction = connection

    async def ping(self) -> None:
        raise DatabaseUnavailable("connection refused")

    async def close(self) -> None:
        pass

    def pool_stats(self) -> dict[str, int]:
        return {"size": 0, "idle": 0, "max": 10}


async def down_client(settings, clock) -> httpx.AsyncClient:
    app = create_app(settings, clock=clock, db=DownDatabase())  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_health_answers_without_the_database(settings, clock) -> None:
    async with await down_client(settings, clock) as c:
        r = await c.get("/health")
    assert r.status_code == 200
    assert r.json() == {"Status": "ok"}


async def test_ready_when_the_database_answers(client) -> None:
    r = await client.get("/ready")
    assert r.status_code == 200
    assert r.json() == {"Status": "ready"}


async def test_not_ready_503_when_the_database_is_unreachable(settings, clock) -> None:
    async with await down_client(settings, clock) as c:
        r = await c.get("/ready")
        api = await c.get(DETAILS, headers=bearer("client"))
    assert r.status_code == 503
    assert r.headers["retry-after"] == "1"
    assert r.json() == {"Message": "The service is temporarily unavailable. Try again shortly."}
    assert api.status_code == 503  # the API's answer is the same clean 503


async def test_metrics_count_requests_by_route_and_status(client) -> None:
    await client.get(DETAILS, headers=bearer("client"))
    await client.get(DETAILS, headers=bearer("client"))
    await client.get("/v1/PhoneChat/MadeBookingDetails?BookingID=999", headers=bearer("client"))
    await client.get("/no/such/thing/12345")
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain; version=")
    text = r.text
    route = 'route="/v1/PhoneChat/MadeBookingDetails"'
    assert f'phonechat_http_requests_total{{method="GET",{route},status="200"}} 2.0' in text
    assert f'phonechat_http_requests_total{{method="GET",{route},status="404"}} 1.0' in text
    # Unknown paths share one label: a scanner cannot blow up the series count.
    assert 'route="(unmatched)",status="404"} 1.0' in text
    assert "/no/such/thing" not in text
    assert f'phonechat_http_request_duration_seconds_bucket{{le="10.0",method="GET",{route}}} 3.0' in text
    assert f'phonechat_http_request_duration_seconds_count{{method="GET",{route}}} 3.0' in text
    assert 'phonechat_db_pool_connections{state="max"}' in text
    assert 'phonechat_db_pool_connections{state="in_use"}' in text


async def test_metrics_can_be_turned_off(settings, clock, db) -> None:
    import dataclasses

    app = create_app(dataclasses.replace(settings, metrics=False), clock=clock, db=db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        assert (await c.get("/metrics")).status_code == 404
        assert (await c.get(DETAILS, headers=bearer("client"))).status_code == 200


async def test_every_answer_carries_a_request_id(client) -> None:
    a = await client.get(DETAILS, headers=bearer("client"))
    b = await client.get("/nowhere")
    assert len(a.headers["x-request-id"]) == 16
    assert a.headers["x-request-id"] != b.headers["x-request-id"]


async def test_a_callers_request_id_is_kept_and_a_bad_one_replaced(client) -> None:
    kept = await client.get("/health", headers={"X-Request-ID": "lb-7f3a-0001"})
    assert kept.headers["x-request-id"] == "lb-7f3a-0001"
    replaced = await client.get("/health", headers={"X-Request-ID": "bad id\" with quotes"})
    assert replaced.headers["x-request-id"] != "bad id\" with quotes"
    assert replaced.headers["x-request-id"].isalnum()


async def test_access_log_is_one_json_line_with_the_request_id(settings, clock, db,
                                                               caplog) -> None:
    import dataclasses

    caplog.set_level(logging.INFO, "phonechat.access")
    app = create_app(dataclasses.replace(settings, access_log=True), clock=clock, db=db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.get(DETAILS, headers=bearer("client"))
    record = next(rec for rec in caplog.records if rec.name == "phonechat.access")
    line = orjson.loads(JsonFormatter().format(record))
    assert line["request_id"] == r.headers["x-request-id"]
    assert line["method"] == "GET"
    assert line["path"] == "/v1/PhoneChat/MadeBookingDetails"
    assert line["status"] == 200
    assert line["level"] == "INFO"
    assert isinstance(line["ms"], float)


async def test_an_unexpected_failure_is_500_and_logged_with_its_request_id(
        client, caplog, monkeypatch) -> None:
    async def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(made, "made_booking_details", broken)
    caplog.set_level(logging.ERROR, "phonechat.api")
    r = await client.get(DETAILS, headers=bearer("client"))
    assert r.status_code == 500
    assert r.json() == {"Message": "An error has occurred."}
    assert "boom" not in r.text
    record = next(rec for rec in caplog.records if rec.getMessage() == "unexpected failure")
    line = orjson.loads(JsonFormatter().format(record))
    assert line["request_id"] == r.headers["x-request-id"]
    assert "RuntimeError: boom" in line["exception"]
