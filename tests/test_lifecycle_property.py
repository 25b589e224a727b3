"""Property: whatever both sides and the clock do, in any order, over many bookings, the
books balance after every step and no credit is created or lost."""

from __future__ import annotations

import asyncio
import shutil
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from phonechat.domain.access import Actor
from phonechat.domain.errors import DomainError
from phonechat.domain.lifecycle import NewBooking, Side
from phonechat.services import ledger_check, lifecycle
from phonechat.store.db import open_database
from tests.conftest import PG_URL, START, USERS, _reset_pg

CLIENTS = [Actor(USERS[r]["UserID"], USERS[r]["Nickname"]) for r in ("client", "member")]
CANDIDATE = Actor(USERS["candidate"]["UserID"], USERS["candidate"]["Nickname"])
HOLD = timedelta(hours=24)

# A step: what happens, to which of the bookings known so far (an index, modulo how many
# there are), and a number (credits, minutes, hours, as the step needs).
KINDS = ["create", "create", "accept", "accept", "confirm", "confirm", "reject",
         "cancel_client", "cancel_candidate", "reinvite", "reschedule", "delete_client",
         "delete_candidate", "tick", "tick", "tick"]
ACTIONS = st.tuples(st.sampled_from(KINDS), st.integers(0, 40), st.integers(1, 250))


async def _step(db, step, ids: list[int], now):  # type: ignore[no-untyped-def]
    kind, which, n = step
    if kind == "tick":  # minutes to three days
        now = now + timedelta(minutes=n * 17)
        if await lifecycle.settle_due(db, now, HOLD):
            event("settled")
        if await lifecycle.reject_unaccepted(db, now, HOLD):
            event("rejected automatically")
        return now
    if kind == "create":  # n: the credits offered and the hours ahead
        actor = CLIENTS[which % 2]
        session = now + timedelta(hours=1 + n % 72)
        new = NewBooking(actor.id, CANDIDATE.id, session, 5 + n % 30, 2, None, None,
                         (20 + n) * 10_000, session - timedelta(minutes=30), None)
        try:
            ids.append((await lifecycle.create_booking(db, actor, new, now)).booking_id)
            event("create done")
        except DomainError:
            event("create refused")
        return now
    b = ids[-1 - which % len(ids)]  # small indexes: the newest bookings
    client_id = await _client_of(db, b)
    client = next(c for c in CLIENTS if c.id == client_id)
    calls = {
        "accept": lambda: lifecycle.accept_received_booking(db, CANDIDATE, b,
                                                            n * 10_000, now),
        "reject": lambda: lifecycle.reject_received_booking(db, CANDIDATE, b, "no", now),
        "confirm": lambda: lifecycle.confirm_made_booking(db, client, b, now),
        "cancel_client": lambda: lifecycle.cancel_made_booking(db, client, b, "no", now),
        "cancel_candidate": lambda: lifecycle.cancel_received_booking(db, CANDIDATE, b, "no",
                                                                      now),
        "reinvite": lambda: lifecycle.reinvite(db, CANDIDATE, b, None, now),
        "reschedule": lambda: lifecycle.reschedule_made_booking(db, client, b, now),
        "delete_client": lambda: lifecycle.delete_bookings(db, Side.CLIENT, client, [b], now),
        "delete_candidate": lambda: lifecycle.delete_bookings(db, Side.CANDIDATE, CANDIDATE,
                                                              [b], now),
    }
    try:
        await calls[kind]()
        event(f"{kind} done")
    except DomainError:  # a refusal is fine; a half-applied change or a 500 is not
        event(f"{kind} refused")
    return now


async def _client_of(db, booking_id: int) -> int:  # type: ignore[no-untyped-def]
    from phonechat.store import lifecycle as store
    async with db.transaction() as tx:
        row = await store.lock(tx, booking_id)
    return int(row["client_id"])


async def _run(url: str, steps) -> None:  # type: ignore[no-untyped-def]
    db = await open_database(url, pool_min=1, pool_max=2)
    try:
        start = await ledger_check.balances(db)
        ids, now = list(range(1, 10)), START
        for step in steps:
            now = await _step(db, step, ids, now)
            assert await ledger_check.check(db) == [], (step, await ledger_check.check(db))
            totals = await ledger_check.balances(db)
            assert totals["total"] == 0
            assert sum(totals["users"].values()) + totals["held"] == \
                sum(start["users"].values()) + start["held"], step  # no credit made or lost
    finally:
        await db.close()


@settings(max_examples=25 if PG_URL else 60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(ACTIONS, min_size=10, max_size=60))
def test_random_lifecycles_never_create_or_lose_a_credit(database_url, tmp_path_factory,
                                                          steps) -> None:
    if PG_URL:
        asyncio.run(_reset_pg(database_url))
        url = database_url
    else:
        path = Path(tmp_path_factory.mktemp("prop")) / "p.db"
        shutil.copyfile(database_url.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
    asyncio.run(_run(url, steps))
