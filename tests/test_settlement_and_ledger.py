"""Settlement by the clock (the worker, the sandbox clock) and `phonechat ledger check`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import datetime, timedelta


from phonechat.domain.credits import to_units
from phonechat.services import ledger_check, lifecycle, worker
from phonechat.clock import FrozenClock
from phonechat.store.db import Query
from tests.conftest import START
from tests.lifecycle_helpers import CANDIDATE, CLIENT, balance_of, books_balance, post

HOLD = timedelta(hours=24)


async def test_a_confirmed_session_is_paid_to_the_candidate_after_the_hold_period(db) -> None:
    # Booking 7: 30 minutes from START - 2 days, so due at START - 1 day + 30 minutes.
    due = START - timedelta(days=1) + timedelta(minutes=30)
    assert await lifecycle.settle_due(db, due - timedelta(seconds=1), HOLD) == 0
    before = await balance_of(db, CANDIDATE)
    assert await lifecycle.settle_due(db, due, HOLD) == 1
    assert await balance_of(db, CANDIDATE) == before + to_units(20)
    assert await lifecycle.settle_due(db, START, HOLD) == 0  # never twice
    await books_balance(db)


async def test_settlement_waits_for_the_session_to_end_plus_the_hold(db) -> None:
    # Booking 1: 2018-01-22 21:30 for 15 minutes.
    end = datetime(2018, 1, 22, 21, 45)
    assert await lifecycle.settle_due(db, end + HOLD - timedelta(microseconds=1), HOLD) == 2  # 6, 7
    assert await lifecycle.settle_due(db, end + HOLD, HOLD) == 1  # 1
    await books_balance(db)


async def test_settlement_of_many_bookings_in_small_batches(db) -> None:
    assert await lifecycle.settle_due(db, datetime(2018, 2, 1), HOLD, batch=1) == 3  # 1, 6, 7
    await books_balance(db)
    assert (await ledger_check.balances(db))["held"] == 0


async def test_a_cancelled_booking_is_never_settled(client, db) -> None:
    await post(client, "client", "CancelMadeBooking", {"BookingID": 6, "Reason": "x"})
    before = await balance_of(db, CANDIDATE)
    assert await lifecycle.settle_due(db, datetime(2018, 2, 1), HOLD) == 2  # 1 and 7
    assert await balance_of(db, CANDIDATE) == before + to_units(28)
    await books_balance(db)


async def test_two_workers_at_once_pay_each_booking_once(db) -> None:
    counts = await asyncio.gather(*(lifecycle.settle_due(db, datetime(2018, 2, 1), HOLD)
                                    for _ in range(4)))
    assert sum(counts) == 3
    await books_balance(db)
    assert await balance_of(db, CANDIDATE) == to_units(8 + 15 + 20)


async def test_moving_the_sandbox_clock_settles_what_became_due(client, db) -> None:
    r = await client.post("/v1/Sandbox/Clock", json={"Now": "2018-02-01T00:00:00"})
    assert r.status_code == 200
    assert await balance_of(db, CANDIDATE) == to_units(8 + 15 + 20)
    await books_balance(db)


async def test_the_worker_loop_settles_on_its_clock(db) -> None:
    clock = FrozenClock(datetime(2018, 2, 1))
    task = asyncio.create_task(worker.run(db, clock, HOLD, interval=0.01))
    for _ in range(500):  # wait for the outcome, not for a time
        if await balance_of(db, CANDIDATE) == to_units(43):
            break
        await asyncio.sleep(0.01)
    task.cancel()
    assert await balance_of(db, CANDIDATE) == to_units(43)


# --- the automatic rejection of a booking never accepted (same sweep) --------------------

# Booking 2, the cancel sample: Pending, AcceptBy 2018-01-22 00:00, session 21:30-21:45.
SAMPLE_CANCEL_END = datetime(2018, 1, 22, 21, 45)


async def _booking(db, booking_id: int):  # type: ignore[no-untyped-def]
    from phonechat.store import lifecycle as store
    async with db.connection() as conn:
        return await store.view(conn, "client", booking_id, CLIENT)


async def test_an_unaccepted_booking_is_rejected_by_the_sweep_after_its_session(db) -> None:
    clock = FrozenClock(datetime(2018, 1, 22, 18, 24, 11))  # 18 h past AcceptBy: the sample
    assert await worker.run_once(db, clock, HOLD) == (1, 0)  # booking 7 paid, nothing rejected
    assert (await _booking(db, 2))["status"] == "Pending"  # still cancellable, as published
    clock.set(SAMPLE_CANCEL_END + HOLD - timedelta(microseconds=1))
    assert (await worker.run_once(db, clock, HOLD)).rejected == 0
    before = await ledger_check.balances(db)
    clock.set(SAMPLE_CANCEL_END + HOLD)
    assert await worker.run_once(db, clock, HOLD) == (1, 1)  # booking 1 paid, booking 2 rejected
    row = await _booking(db, 2)
    assert row["status"] == "Rejected" and row["last_updated"] == SAMPLE_CANCEL_END + HOLD
    assert row["rejected_reason"] == "The booking was not accepted by its AcceptBy."
    # Nothing was held for it, so nothing moved for it (booking 1's 8 went to the candidate).
    after = await ledger_check.balances(db)
    assert after["users"][CLIENT] == before["users"][CLIENT]
    assert (await worker.run_once(db, clock, HOLD)) == (0, 0)  # never twice
    await books_balance(db)


async def test_the_rejected_booking_can_no_longer_be_cancelled_or_re_invited(client, clock,
                                                                             db) -> None:
    clock.set(SAMPLE_CANCEL_END + HOLD)
    assert (await worker.run_once(db, clock, HOLD)).rejected == 1
    r = await post(client, "candidate", "ReInvite", {"BookingID": 2})
    assert r.status_code == 400 and "Status is Rejected" in r.json()["Message"]
    r = await post(client, "client", "CancelMadeBooking", {"BookingID": 2, "Reason": "x"})
    assert r.status_code == 400 and "Status is Rejected" in r.json()["Message"]


async def test_two_sweeps_at_once_reject_each_booking_once(db) -> None:
    counts = await asyncio.gather(*(lifecycle.reject_unaccepted(db, datetime(2018, 2, 1), HOLD)
                                    for _ in range(4)))
    assert sum(counts) == 3  # 2, 3 and 9
    await books_balance(db)


async def test_moving_the_sandbox_clock_rejects_what_was_never_accepted(client, db) -> None:
    r = await client.post("/v1/Sandbox/Clock", json={"Now": "2018-01-22T18:24:11"})
    assert r.status_code == 200
    assert (await _booking(db, 2))["status"] == "Pending"  # the cancel sample stays reachable
    r = await client.post("/v1/Sandbox/Clock", json={"Now": "2018-02-01T00:00:00"})
    assert r.status_code == 200
    assert (await _booking(db, 2))["status"] == "Rejected"
    await books_balance(db)


# --- ledger check finds what is wrong ------------------------------------------------------


async def _sql(db, sql: str) -> None:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa
    async with db.transaction() as tx:
        await tx.execute(Query(sa.text(sql)))


async def test_ledger_check_passes_on_the_seed(db) -> None:
    assert await ledger_check.check(db) == []
    totals = await ledger_check.balances(db)
    assert totals["total"] == 0 and totals["held"] == to_units(8 + 15 + 20)
    assert totals["users"][CLIENT] == to_units(457)


async def test_ledger_check_finds_a_hold_that_does_not_match_the_status(db) -> None:
    await _sql(db, "UPDATE bookings SET status = 'Cancelled' WHERE id = 6")
    problems = await ledger_check.check(db)
    assert problems == ["booking 6 (Cancelled, Credits 15): holds 15, should hold 0"]


async def test_ledger_check_finds_a_cached_balance_that_is_not_the_sum(db) -> None:
    await _sql(db, f"UPDATE credit_accounts SET balance = balance + 1 WHERE user_id = {CLIENT}")
    problems = await ledger_check.check(db)
    assert len(problems) == 1 and "balance 457.0001 but its entries sum to 457" in problems[0]


async def test_ledger_check_finds_an_unbalanced_transfer(db) -> None:
    await _sql(db, "UPDATE ledger_entries SET amount = amount + 1 WHERE id = 1")
    problems = await ledger_check.check(db)
    assert any("transfer 1: its entries sum to 0.0001, not 0" == p for p in problems), problems


async def test_ledger_check_finds_a_negative_account(db) -> None:
    await _sql(db, "PRAGMA ignore_check_constraints = ON" if db.dialect == "sqlite" else
               "ALTER TABLE credit_accounts DROP CONSTRAINT ck_credit_accounts_no_overdraft")
    await _sql(db, f"UPDATE credit_accounts SET balance = -1 WHERE user_id = {CLIENT}")
    assert any("negative balance -0.0001" in p for p in await ledger_check.check(db))


def test_ledger_check_command_exits_non_zero_with_the_problems(db_url) -> None:
    env = {**os.environ, "PHONECHAT_DATABASE_URL": db_url}
    cmd = [sys.executable, "-m", "phonechat.cli", "ledger", "check"]
    ok = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "ledger check OK" in ok.stdout, ok.stderr

    async def corrupt() -> None:
        from phonechat.store.db import open_database
        db = await open_database(db_url, pool_min=1, pool_max=1)
        await _sql(db, "UPDATE bookings SET status = 'Pending' WHERE id = 7")
        await db.close()

    asyncio.run(corrupt())
    bad = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert "booking 7 (Pending, Credits 20): holds 20, should hold 0" in bad.stderr


def test_worker_once_command_settles_due_bookings(db_url) -> None:
    env = {**os.environ, "PHONECHAT_DATABASE_URL": db_url, "PHONECHAT_LOG_LEVEL": "WARNING"}
    r = subprocess.run([sys.executable, "-m", "phonechat.cli", "worker", "--once"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    # The system clock is long past 2018: 1, 6, 7 are paid; 2, 3, 9 were never accepted.
    assert r.stdout.strip() == "settled 3 booking(s), rejected 3 booking(s)"
