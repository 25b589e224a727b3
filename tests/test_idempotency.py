"""Idempotency-Key on POST: replay, conflicts, expiry, concurrency, restarts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa

from phonechat.api.factory import create_app
from phonechat.services import lifecycle as made
from phonechat.store.db import DatabaseUnavailable, Query, open_database
from phonechat.store.tables import ledger_transfers
from tests.conftest import START, bearer

CANCEL = "/v1/PhoneChat/CancelMadeBooking"
CONFIRMED_FUTURE = 6  # the client's confirmed booking with 15 credits held
PENDING = 3
REJECTED = 5


def cancel(booking_id: int, key: str | None = "key-1", role: str = "client",
           **headers: str) -> dict:
    h = {**bearer(role), **headers}
    if key is not None:
        h["Idempotency-Key"] = key
    return dict(url=CANCEL, json={"BookingID": booking_id, "Reason": "Plans changed"}, headers=h)


CANCEL_TRANSFERS = Query(
    sa.select(sa.func.count()).select_from(ledger_transfers)
    .where(ledger_transfers.c.booking_id == sa.bindparam("booking_id"),
           ledger_transfers.c.reason == "cancelled"))


async def cancel_transfers(db, booking_id: int) -> int:
    async with db.connection() as c:
        return int(await c.fetchval(CANCEL_TRANSFERS, booking_id=booking_id))


async def test_same_key_same_body_replays_first_answer_without_doing_the_work_twice(
        client, db) -> None:
    first = await client.post(**cancel(CONFIRMED_FUTURE))
    assert first.status_code == 200
    assert first.json()["Status"] == "Cancelled"
    assert "idempotent-replayed" not in first.headers
    again = await client.post(**cancel(CONFIRMED_FUTURE))
    assert again.status_code == 200  # a second real cancel would be 400 (already cancelled)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert await cancel_transfers(db, CONFIRMED_FUTURE) == 1  # the hold was released once


async def test_without_a_key_a_repeated_cancel_is_done_again_and_refused(client) -> None:
    assert (await client.post(**cancel(CONFIRMED_FUTURE, key=None))).status_code == 200
    assert (await client.post(**cancel(CONFIRMED_FUTURE, key=None))).status_code == 400


async def test_same_key_with_another_body_is_refused_422_and_does_nothing(client) -> None:
    assert (await client.post(**cancel(CONFIRMED_FUTURE))).status_code == 200
    r = await client.post(**cancel(PENDING))
    assert r.status_code == 422
    assert "already used with a different request" in r.json()["Message"]
    details = await client.get(f"/v1/PhoneChat/MadeBookingDetails?BookingID={PENDING}",
                               headers=bearer("client"))
    assert details.json()["Status"] == "Pending"


async def test_keys_belong_to_one_user(client) -> None:
    assert (await client.post(**cancel(CONFIRMED_FUTURE, key="shared"))).status_code == 200
    r = await client.post(**cancel(9, key="shared", role="member"))  # the member's own booking
    assert r.status_code == 200
    assert "idempotent-replayed" not in r.headers


async def test_key_expires_after_24_hours_by_the_service_clock(client, clock) -> None:
    assert (await client.post(**cancel(CONFIRMED_FUTURE))).status_code == 200
    clock.set(START + timedelta(hours=24) - timedelta(seconds=1))
    assert (await client.post(**cancel(PENDING))).status_code == 422  # still remembered
    clock.set(START + timedelta(hours=24))
    r = await client.post(**cancel(PENDING))  # forgotten: a new request, done
    assert r.status_code == 200
    assert r.json()["Status"] == "Cancelled"
    assert "idempotent-replayed" not in r.headers


async def test_replay_is_the_representation_first_sent(client) -> None:
    first = await client.post(**cancel(CONFIRMED_FUTURE, Accept="application/xml"))
    assert first.headers["content-type"] == "application/xml; charset=utf-8"
    again = await client.post(**cancel(CONFIRMED_FUTURE, Accept="application/json"))
    assert again.headers["content-type"] == "application/xml; charset=utf-8"
    assert again.content == first.content


async def test_refusals_are_replayed_too(client) -> None:
    first = await client.post(**cancel(REJECTED))
    assert first.status_code == 400
    again = await client.post(**cancel(REJECTED))
    assert again.status_code == 400
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()


async def test_server_errors_are_not_stored_so_a_retry_does_the_work(client, monkeypatch) -> None:
    real = made.cancel_made_booking

    async def unreachable(*args, **kwargs):
        raise DatabaseUnavailable("connection refused")

    monkeypatch.setattr(made, "cancel_made_booking", unreachable)
    assert (await client.post(**cancel(CONFIRMED_FUTURE))).status_code == 503
    monkeypatch.setattr(made, "cancel_made_booking", real)
    r = await client.post(**cancel(CONFIRMED_FUTURE))
    assert r.status_code == 200
    assert "idempotent-replayed" not in r.headers


async def test_a_key_in_progress_answers_409_until_its_lease_runs_out(client, clock,
                                                                     monkeypatch) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    real = made.cancel_made_booking

    async def slow(*args, **kwargs):
        started.set()
        await release.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(made, "cancel_made_booking", slow)
    first = asyncio.create_task(client.post(**cancel(CONFIRMED_FUTURE)))
    await started.wait()
    r = await client.post(**cancel(CONFIRMED_FUTURE))
    assert r.status_code == 409
    assert "in progress" in r.json()["Message"]
    assert r.headers["retry-after"] == "1"
    release.set()
    assert (await first).status_code == 200
    assert (await client.post(**cancel(CONFIRMED_FUTURE))).headers["idempotent-replayed"] == "true"


async def test_a_claim_left_by_a_dead_worker_is_taken_over_after_the_lease(client, db,
                                                                          clock) -> None:
    from phonechat.store import idempotency as store

    async with db.connection() as c:  # what a worker killed mid-request leaves behind
        await store.claim(c, user_id=100, key="orphan", fingerprint="x" * 64, at=START,
                          expires_at=START + timedelta(hours=24))
    assert (await client.post(**cancel(CONFIRMED_FUTURE, key="orphan"))).status_code == 422
    clock.set(START + timedelta(seconds=61))
    r = await client.post(**cancel(CONFIRMED_FUTURE, key="orphan"))
    assert r.status_code == 200
    assert "idempotent-replayed" not in r.headers


async def test_concurrent_requests_with_one_key_do_the_work_once(client, db) -> None:
    answers = await asyncio.gather(*(client.post(**cancel(CONFIRMED_FUTURE))
                                     for _ in range(6)))
    done = [a for a in answers if a.status_code == 200 and "idempotent-replayed" not in a.headers]
    assert len(done) == 1
    assert all(a.status_code in (200, 409) for a in answers)
    assert await cancel_transfers(db, CONFIRMED_FUTURE) == 1


async def test_answers_survive_a_restart(client, settings, clock, db_url) -> None:
    first = await client.post(**cancel(CONFIRMED_FUTURE))
    db2 = await open_database(db_url, pool_min=1, pool_max=2)
    try:
        app2 = create_app(settings, clock=clock, db=db2)
        transport = httpx.ASGITransport(app=app2)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c2:
            again = await c2.post(**cancel(CONFIRMED_FUTURE))
    finally:
        await db2.close()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content


@pytest.mark.parametrize("key", ["", "has space", "k" * 256, "caf\u00e9"])
async def test_a_malformed_key_is_refused_400(client, key) -> None:
    r = await client.post(CANCEL, json={"BookingID": CONFIRMED_FUTURE, "Reason": "x"},
                          headers={**bearer("client"), "Idempotency-Key": key.encode("utf-8")})
    assert r.status_code == 400
    assert "Idempotency-Key" in r.json()["Message"]


async def test_unauthenticated_post_with_a_key_is_refused_401_before_any_claim(client) -> None:
    r = await client.post(CANCEL, json={"BookingID": CONFIRMED_FUTURE, "Reason": "x"},
                          headers={"Idempotency-Key": "k"})
    assert r.status_code == 401


async def test_expired_keys_are_purged(client, db) -> None:
    from phonechat.api.idempotency import purge_expired

    await client.post(**cancel(CONFIRMED_FUTURE, key="old"))
    assert await purge_expired(db, START + timedelta(hours=23)) == 0
    assert await purge_expired(db, START + timedelta(hours=24)) == 1
    r = await client.post(**cancel(PENDING, key="old"))  # the key is free again
    assert r.status_code == 200


def test_the_fingerprint_covers_endpoint_query_and_body() -> None:
    from types import SimpleNamespace

    from phonechat.api.idempotency import fingerprint

    def req(body: bytes, qs: bytes = b"") -> SimpleNamespace:
        return SimpleNamespace(body=body, scope={"query_string": qs})

    base = fingerprint(req(b'{"BookingID":6}'), CANCEL)  # type: ignore[arg-type]
    assert fingerprint(req(b'{"BookingID":6}'), CANCEL.upper()) == base  # paths are case-blind
    assert fingerprint(req(b'{"BookingID":6}'), "/v1/PhoneChat/Other") != base
    assert fingerprint(req(b'{"BookingID":6}', b"x=1"), CANCEL) != base  # type: ignore[arg-type]
    assert fingerprint(req(b'{"BookingID": 6}'), CANCEL) != base  # byte for byte


async def test_a_retried_create_booking_makes_one_booking(client, db) -> None:
    from phonechat.store.tables import bookings

    count = Query(sa.select(sa.func.count()).select_from(bookings))
    async with db.connection() as c:
        before = await c.fetchval(count)
    new = {"BookUserID": 123456, "SessionDate": "2018-01-25 20:00", "Duration": 10,
           "Method": 2, "Credits": 6, "AcceptBy": "2018-01-24 20:00"}
    h = {**bearer("client"), "Idempotency-Key": "create-1"}
    first = await client.post("/v1/PhoneChat/CreateBooking", json=new, headers=h)
    again = await client.post("/v1/PhoneChat/CreateBooking", json=new, headers=h)
    assert first.status_code == 200, first.text
    assert again.json()["BookingID"] == first.json()["BookingID"]
    assert again.headers["idempotent-replayed"] == "true"
    async with db.connection() as c:
        assert await c.fetchval(count) == before + 1
