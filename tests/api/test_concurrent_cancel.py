"""Two CancelMadeBooking requests for the same Confirmed booking, at the same moment, on a
real multi-worker server over PostgreSQL: exactly one wins, the held credits come back
exactly once, and the ledger still balances."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from phonechat.domain.access import SCOPES, token_hash
from phonechat.domain.credits import to_units
from phonechat.store import accounts, bookings, ledger
from phonechat.store.db import Query
from phonechat.store.tables import ledger_transfers
from tests.api.test_cancel import ENTRIES_SUM, balance_of, hold_of, snapshot
from tests.conftest import PG_URL, USERS
from tests.servers import free_port, start, stop, wait_for_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow,
              pytest.mark.skipif(not PG_URL, reason="needs PHONECHAT_TEST_DATABASE_URL")]

ROUNDS = 20
CLIENT = USERS["client"]["UserID"]
TOKEN = "concurrency-test-client"
HELD = to_units("7.25")
RELEASES = Query(sa.select(sa.func.count()).select_from(ledger_transfers).where(
    ledger_transfers.c.booking_id == sa.bindparam("id"), ledger_transfers.c.reason == "cancelled"))


async def _prepare(db) -> list[int]:
    """A token that outlives the real clock, and ROUNDS Confirmed bookings far in the
    future (the server runs on the system clock) with their credits held."""
    now = datetime.now().replace(microsecond=0)
    session = datetime(2100, 1, 1, 20, 0)
    ids = []
    async with db.transaction() as tx:
        await accounts.insert_token(tx, token_hash=token_hash(TOKEN), user_id=CLIENT,
                                    scopes=" ".join(SCOPES), expires_at=datetime(2100, 1, 1),
                                    at=now)
        for _ in range(ROUNDS):
            booking_id = await bookings.insert_booking(
                tx, client_id=CLIENT, candidate_id=USERS["candidate"]["UserID"], duration=15,
                credits=HELD, status="Confirmed", method=2, create_date=now,
                session_date=session, accept_by=session - timedelta(days=1),
                accepted_date=now, confirmed_date=now, last_updated=now)
            await ledger.hold(tx, booking_id=booking_id, from_user_id=CLIENT, amount=HELD,
                              reason="confirmed", at=now)
            ids.append(booking_id)
    return ids


async def test_two_simultaneous_cancels_one_wins_credits_returned_once(db, db_url, tmp_path) -> None:
    ids = await _prepare(db)
    port, log = free_port(), tmp_path / "serve.log"
    proc = start(["serve", "--workers", "2", "--port", str(port)], log, {
        "PHONECHAT_DATABASE_URL": db_url, "PHONECHAT_ACCESS_LOG": "false",
        "PHONECHAT_POOL_MIN": "1", "PHONECHAT_POOL_MAX": "4"})
    try:
        wait_for_port(proc, port, log)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30,
                                     limits=limits) as http:
            # Warm both workers' pools so the rounds race on the row, not on start-up.
            await asyncio.gather(*(http.get("/v1/Account/VerifyCredentials", headers=headers)
                                   for _ in range(8)))
            for booking_id in ids:
                before = await snapshot(db, booking_id)
                barrier = asyncio.Barrier(2)

                async def cancel(reason: str) -> httpx.Response:
                    request = http.build_request(
                        "POST", "/v1/PhoneChat/CancelMadeBooking", headers=headers,
                        json={"BookingID": booking_id, "Reason": reason})
                    await barrier.wait()
                    return await http.send(request)

                answers = await asyncio.gather(cancel("first"), cancel("second"))
                assert sorted(r.status_code for r in answers) == [200, 400], \
                    [(r.status_code, r.text) for r in answers]
                won = next(r for r in answers if r.status_code == 200).json()
                lost = next(r for r in answers if r.status_code == 400).json()
                assert won["Status"] == "Cancelled"
                assert "cannot be cancelled" in lost["Message"] or "changed by another request" in lost["Message"]

                after = await snapshot(db, booking_id)
                assert after["booking"]["status"] == "Cancelled"
                assert after["booking"]["cancelled_reason"] == won["CancelledReason"]
                assert after["client"] == before["client"] + HELD
                assert after["hold"] == 0
                assert after["entries"] == before["entries"] + 2
                assert after["sum"] == 0
                async with db.connection() as conn:
                    assert await conn.fetchval(RELEASES, id=booking_id) == 1
        assert proc.poll() is None, log.read_text()
    finally:
        stop(proc)
    async with db.connection() as conn:
        assert await conn.fetchval(ENTRIES_SUM) == 0
    for booking_id in ids:
        assert await hold_of(db, booking_id) == 0
    assert await balance_of(db, CLIENT) == (await snapshot(db, ids[0]))["client"]
