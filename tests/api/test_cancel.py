"""CancelMadeBooking's published prerequisites, end to end, and what a cancel does to
the booking and to the credits ledger."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from phonechat import sandbox
from phonechat.store import ledger
from phonechat.store.db import Query
from phonechat.store.tables import bookings as b_table
from phonechat.store.tables import credit_accounts, ledger_entries
from tests.conftest import START, USERS, bearer
from tests.wire import send

IDS = sandbox.BOOKING_IDS
CLIENT_ID = USERS["client"]["UserID"]
URL = "/v1/PhoneChat/CancelMadeBooking"

BOOKING_ROW = Query(sa.select(b_table).where(b_table.c.id == sa.bindparam("id")))
HOLD_BALANCE = Query(sa.select(credit_accounts.c.balance).where(
    credit_accounts.c.kind == "hold", credit_accounts.c.booking_id == sa.bindparam("id")))
ENTRIES_SUM = Query(sa.select(sa.func.coalesce(sa.func.sum(ledger_entries.c.amount), 0)))
ENTRY_COUNT = Query(sa.select(sa.func.count()).select_from(ledger_entries))


async def balance_of(db, user_id: int) -> int:
    async with db.connection() as conn:
        return await ledger.balance(conn, await ledger.user_account(conn, user_id))


async def hold_of(db, booking_id: int) -> int | None:
    async with db.connection() as conn:
        v = await conn.fetchval(HOLD_BALANCE, id=booking_id)
    return None if v is None else int(v)


async def snapshot(db, booking_id: int) -> dict[str, Any]:
    """Everything a cancel could touch."""
    async with db.connection() as conn:
        row = dict(await conn.fetchrow(BOOKING_ROW, id=booking_id))
        entries = int(await conn.fetchval(ENTRY_COUNT))
        total = int(await conn.fetchval(ENTRIES_SUM))
    return {"booking": row, "entries": entries, "sum": total,
            "client": await balance_of(db, CLIENT_ID), "hold": await hold_of(db, booking_id)}


async def cancel(client, booking_id: Any, reason: str = "Something came up", role: str = "client"):
    return await client.post(URL, headers=bearer(role),
                             json={"BookingID": booking_id, "Reason": reason})


@pytest.mark.parametrize("key,status", [("cancelled", "Cancelled"), ("rejected", "Rejected")])
async def test_cancel_refused_when_status_is_cancelled_or_rejected(client, db, key, status) -> None:
    before = await snapshot(db, IDS[key])
    r = await cancel(client, IDS[key])
    assert r.status_code == 400
    assert r.json() == {"Message": f"The booking cannot be cancelled: its Status is {status}, "
                                   "and a Cancelled or Rejected booking cannot be cancelled."}
    assert await snapshot(db, IDS[key]) == before


async def test_cancel_refused_when_confirmed_session_passed(client, db) -> None:
    before = await snapshot(db, IDS["confirmed_past"])
    r = await cancel(client, IDS["confirmed_past"])
    assert r.status_code == 400
    message = r.json()["Message"]
    assert "Confirmed" in message and "SessionDate" in message and "passed" in message
    assert await snapshot(db, IDS["confirmed_past"]) == before
    assert before["hold"] > 0  # its credits stay held


async def test_cancel_refused_at_the_very_session_date(client, db, clock) -> None:
    row = (await snapshot(db, IDS["confirmed_future"]))["booking"]
    clock.set(row["session_date"])
    r = await cancel(client, IDS["confirmed_future"])
    assert r.status_code == 400
    assert "has already passed" in r.json()["Message"]


async def test_cancel_confirmed_before_session_returns_held_credits(client, db, clock) -> None:
    booking_id = IDS["confirmed_future"]
    before = await snapshot(db, booking_id)
    held = before["booking"]["credits"]
    assert before["hold"] == held > 0
    clock.set(before["booking"]["session_date"] - timedelta(seconds=1))
    r = await cancel(client, booking_id)
    assert r.status_code == 200, r.text
    after = await snapshot(db, booking_id)
    assert after["client"] == before["client"] + held
    assert after["hold"] == 0
    assert after["sum"] == 0 and before["sum"] == 0
    assert after["entries"] == before["entries"] + 2  # one transfer, two entries
    assert after["booking"]["status"] == "Cancelled"


@pytest.mark.parametrize("key", ["pending", "accepted", "sample_cancel"])
async def test_cancel_allowed_when_pending_or_accepted(client, db, key) -> None:
    before = await snapshot(db, IDS[key])
    r = await cancel(client, IDS[key], "Plans changed")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["Status"] == "Cancelled"
    assert body["ActionClient"] is None
    after = await snapshot(db, IDS[key])
    assert after["client"] == before["client"]  # nothing was held, nothing moves
    assert after["entries"] == before["entries"]


async def test_cancel_records_nickname_reason_and_now(client, db, clock) -> None:
    now = START + timedelta(hours=3, minutes=7, seconds=9, microseconds=250_000)
    clock.set(now)
    r = await cancel(client, IDS["pending"], "Away that day")
    body = r.json()
    assert body["CancelledBy"] == USERS["client"]["Nickname"] == "BookingUser"
    assert body["CancelledReason"] == "Away that day"
    assert body["CancelledDate"] == body["LastUpdated"] == "2018-01-21T17:07:09.25"
    row = (await snapshot(db, IDS["pending"]))["booking"]
    assert (row["status"], row["cancelled_by"], row["cancelled_reason"]) == (
        "Cancelled", "BookingUser", "Away that day")
    assert row["cancelled_date"] == row["last_updated"] == now


async def test_cancel_twice_second_is_refused_and_changes_nothing(client, db) -> None:
    assert (await cancel(client, IDS["confirmed_future"])).status_code == 200
    before = await snapshot(db, IDS["confirmed_future"])
    r = await cancel(client, IDS["confirmed_future"], "Again")
    assert r.status_code == 400
    assert "its Status is Cancelled" in r.json()["Message"]
    assert await snapshot(db, IDS["confirmed_future"]) == before


async def test_cancel_of_another_users_booking_is_the_same_404_as_a_missing_one(client, db) -> None:
    before = await snapshot(db, IDS["member_pending"])
    theirs = await cancel(client, IDS["member_pending"])
    missing = await cancel(client, 987654)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    assert theirs.json() == {"Message": "No PhoneChat booking was found with that BookingID."}
    assert {k: v for k, v in theirs.headers.items() if k != "x-request-id"} == \
        {k: v for k, v in missing.headers.items() if k != "x-request-id"}
    assert await snapshot(db, IDS["member_pending"]) == before


async def test_candidate_cannot_cancel_as_client(client, db) -> None:
    """The booked user is not the booking's client: the made side does not find it."""
    r = await cancel(client, IDS["pending"], role="candidate")
    assert r.status_code == 404


async def test_details_of_another_users_booking_is_the_same_404_as_a_missing_one(client) -> None:
    theirs = await client.get(f"/v1/PhoneChat/MadeBookingDetails?BookingID={IDS['member_pending']}",
                              headers=bearer("client"))
    missing = await client.get("/v1/PhoneChat/MadeBookingDetails?BookingID=987654",
                               headers=bearer("client"))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content


async def test_refused_cancel_in_xml_body_changes_nothing(client, db) -> None:
    before = await snapshot(db, IDS["rejected"])
    r = await send(client, "POST", URL, headers=bearer("client") | {"Content-Type": "application/xml"},
                   content=f"<CancelMadeBooking><BookingID>{IDS['rejected']}</BookingID>"
                                  "<Reason>x</Reason></CancelMadeBooking>")
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/xml; charset=utf-8"
    assert r.text.startswith("<Error><Message>The booking cannot be cancelled: its Status is Rejected")
    assert await snapshot(db, IDS["rejected"]) == before


async def test_simultaneous_cancels_in_process_one_wins(client, db) -> None:
    """The same race as tests/api/test_concurrent_cancel.py, inside one process (on
    SQLite the transaction lock decides, on PostgreSQL the row lock)."""
    import asyncio

    booking_id = IDS["confirmed_future"]
    before = await snapshot(db, booking_id)
    answers = await asyncio.gather(*(cancel(client, booking_id, f"r{i}") for i in range(4)))
    assert sorted(r.status_code for r in answers) == [200, 400, 400, 400]
    after = await snapshot(db, booking_id)
    assert after["client"] == before["client"] + before["booking"]["credits"]
    assert after["hold"] == 0 and after["sum"] == 0
    assert after["entries"] == before["entries"] + 2


async def test_booking_deleted_from_clients_list_is_404(client, db) -> None:
    mark = Query(b_table.update().where(b_table.c.id == sa.bindparam("id"))
                 .values(deleted_by_client=True))
    async with db.transaction() as tx:
        await tx.execute(mark, id=IDS["pending"])
    missing = await cancel(client, 987654)
    for r in (await cancel(client, IDS["pending"]),
              await client.get(f"/v1/PhoneChat/MadeBookingDetails?BookingID={IDS['pending']}",
                               headers=bearer("client"))):
        assert r.status_code == 404 and r.content == missing.content
