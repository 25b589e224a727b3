"""Use cases of the booking lifecycle, both sides. Each is one transaction; every
transition runs through `apply`, from its declaration in domain/lifecycle.py alone (lock,
check, conditional UPDATE, credits), and answers the booking as the caller's side sees it."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from ..domain import lifecycle as rules
from ..domain.access import Actor
from ..domain.credits import format_credits
from ..domain.errors import Invalid, NotFound, RuleBroken
from ..domain.lifecycle import Action, Change, Money, Side, Transition
from ..store import bookings as booking_rows
from ..store import events, ledger
from ..store import lifecycle as store
from ..store.db import Conn, Database, Row
from . import booking_settings, views

BOOKING_NOT_FOUND = "No PhoneChat booking was found with that BookingID."
CLIENT, CANDIDATE = Side.CLIENT, Side.CANDIDATE
_MIN_START = datetime(1, 1, 1)


def _mine(row: Row, side: Side, user_id: int) -> bool:
    if side is CLIENT:
        return row["client_id"] == user_id and not row["deleted_by_client"]
    return row["candidate_id"] == user_id and not row["deleted_by_candidate"]


async def _lock(tx: Conn, side: Side, actor: Actor, booking_id: int) -> Row:
    """The booking, locked; NotFound unless it is this side's and not deleted by it."""
    row = await store.lock(tx, booking_id)
    if row is None or not _mine(row, side, actor.id):
        raise NotFound(BOOKING_NOT_FOUND)
    return row


async def _answer(conn: Conn, side: Side, booking_id: int, user_id: int,
                  now: datetime) -> views.MadeBooking | views.ReceivedBooking:
    return _as_seen(await store.view(conn, side, booking_id, user_id), side, now)


def _as_seen(row: Row | None, side: Side,
             now: datetime) -> views.MadeBooking | views.ReceivedBooking:
    """The booking as this side sees it; NotFound if it is not theirs (no row)."""
    if row is None:
        raise NotFound(BOOKING_NOT_FOUND)
    return views.made_booking(row, now) if side is CLIENT else views.received_booking(row, now)


def _move_credits(tx: Conn, money: Money, row: Row, now: datetime,
                  reason: str) -> Awaitable[object] | None:
    """What moves the transition's credits, to await (None: nothing moves). A plain
    function: the ledger's coroutine is awaited by `apply` itself, one frame fewer."""
    if money is Money.HOLD:
        return _hold(tx, row, now, reason)
    if money is Money.RELEASE:
        return ledger.release_hold(tx, booking_id=row["id"], to_user_id=row["client_id"],
                                   reason=reason, at=now)
    if money is Money.PAY:
        return ledger.release_hold(tx, booking_id=row["id"], to_user_id=row["candidate_id"],
                                   reason=reason, at=now)
    return None


async def _hold(tx: Conn, row: Row, now: datetime, reason: str) -> None:
    try:
        await ledger.hold(tx, booking_id=row["id"], from_user_id=row["client_id"],
                          amount=row["credits"], reason=reason, at=now)
    except ledger.InsufficientCredits:
        raise RuleBroken(
            f"The booking cannot be {reason}: you have fewer credits than its Credits "
            f"({format_credits(row['credits'])}); its Status is {row['status']}.") from None


def _append_event(tx: Conn, event: str, row: Row, status: str, previous: str | None,
                  actor: Actor | None, now: datetime, *, reason: str | None = None,
                  credits: int | None = None, private: bool = False) -> Awaitable[int]:
    by = actor.manager or actor if actor else None  # a manager acting: theirs, and for whom
    return events.append(
        tx, type=event, created=now, booking_id=row["id"], status=status,
        previous_status=previous, by_user_id=by.id if by else None,
        by_nickname=by.nickname if by else None,
        on_behalf_of_user_id=actor.id if actor and actor.manager else None,
        reason=reason, credits=credits, client_id=row["client_id"],
        candidate_id=row["candidate_id"], only_user_id=actor.id if private and actor else None)


async def apply(tx: Conn, t: Transition, row: Row, now: datetime, change: Change,
                actor: Actor | None, hold: timedelta = rules.DEFAULT_SETTLEMENT_HOLD) -> bool:
    """Any transition on a locked row: check it (RuleBroken), change the row conditionally
    on the state checked, move its credits, append its event (`actor` None: the clock).
    False when the row was changed meanwhile."""
    b = views.booking_rules_view(row)
    status = t.check(b, now, hold)
    if not await store.change(tx, t, row["id"], row["status"], at=now,
                              **t.values(b, now, change)):
        return False
    moving = _move_credits(tx, t.money(b), row, now, t.verb)
    if moving is not None:
        await moving
    await _append_event(tx, t.event, row, status, row["status"], actor, now,
                        reason=t.event_reason(change), credits=t.moved(b), private=t.private)
    return True


async def run(db: Database, action: Action, actor: Actor, booking_id: int, now: datetime,
              change: Change = Change()) -> views.MadeBooking | views.ReceivedBooking:
    """A user's transition in one transaction: lock, apply, answer the booking as the
    actor's side sees it."""
    t = rules.TRANSITIONS[action]
    side = t.by[0]
    async with db.transaction() as tx:
        row = await _lock(tx, side, actor, booking_id)
        if not await apply(tx, t, row, now, Change(change.reason, change.credits, actor.nickname),
                           actor):
            # Only reachable where row locks do not exist; say what the booking is now.
            latest = await store.lock(tx, booking_id)
            raise RuleBroken(f"The booking was changed by another request at the same time; "
                             f"its Status is now {latest['status']}.")
        return await _answer(tx, side, booking_id, actor.id, now)


# --- the made side (the client) ----------------------------------------------------------


async def create_booking(db: Database, actor: Actor, n: rules.NewBooking,
                         now: datetime, invalid: dict[str, list[str]] | None = None) -> views.MadeBooking:
    async with db.transaction() as tx:
        offer = await booking_settings.offer(tx, n.book_user_id)
        balance = await ledger.balance(tx, await ledger.user_account(tx, actor.id))
        rules.check_new_booking(n, offer, balance, now, invalid)
        booking_id = await booking_rows.insert_booking(
            tx, client_id=actor.id, candidate_id=n.book_user_id, duration=n.duration,
            credits=n.credits, status="Pending", method=n.method,
            phone_number=n.phone_number if n.method == 1 else None,
            skype_name=n.skype_name if n.method == 3 else None,
            create_date=now, session_date=n.session_date, accept_by=n.accept_by,
            last_updated=now, comments=n.comments or None)
        answer = await _answer(tx, CLIENT, booking_id, actor.id, now)
        await _append_event(tx, rules.CREATED_EVENT, {"id": booking_id, "client_id": actor.id,
                                                      "candidate_id": n.book_user_id},
                            answer.status, None, actor, now)
        return answer


def made_booking_details(db: Database, actor: Actor, booking_id: int,
                         now: datetime) -> Awaitable[views.MadeBooking | views.ReceivedBooking]:
    """MadeBookingDetails, as published."""
    return booking_details(db, CLIENT, actor, booking_id, now)


def cancel_made_booking(db: Database, actor: Actor, booking_id: int, reason: str,
                        now: datetime) -> Awaitable[views.MadeBooking | views.ReceivedBooking]:
    """CancelMadeBooking, as published: CancelledBy is the client's nickname."""
    return run(db, Action.CANCEL_BY_CLIENT, actor, booking_id, now, Change(reason))


def confirm_made_booking(db: Database, actor: Actor, booking_id: int,
                         now: datetime) -> Awaitable[views.MadeBooking | views.ReceivedBooking]:
    return run(db, Action.CONFIRM, actor, booking_id, now)


def reschedule_made_booking(db: Database, actor: Actor, booking_id: int,
                            now: datetime) -> Awaitable[views.MadeBooking | views.ReceivedBooking]:
    return run(db, Action.RESCHEDULE, actor, booking_id, now)


# --- the received side (the booked user) --------------------------------------------------


def accept_received_booking(db: Database, actor: Actor, booking_id: int, credits: int,
                            now: datetime) -> Awaitable[views.MadeBooking | views.ReceivedBooking]:
    if credits <= 0:
        raise Invalid.field("Credits", "The field Credits must be more than 0.")
    return run(db, Action.ACCEPT, actor, booking_id, now, Change(credits=credits))


def reject_received_booking(db: Database, actor: Actor, booking_id: int, reason: str,
                            now: datetime) -> Awaitable[views.ReceivedBooking]:
    return run(db, Action.REJECT, actor, booking_id, now, Change(reason))  # type: ignore[return-value]


def cancel_received_booking(db: Database, actor: Actor, booking_id: int, reason: str,
                            now: datetime) -> Awaitable[views.ReceivedBooking]:
    return run(db, Action.CANCEL_BY_CANDIDATE, actor, booking_id, now, Change(reason))  # type: ignore[return-value]


def reinvite(db: Database, actor: Actor, booking_id: int, reason: str | None,
             now: datetime) -> Awaitable[views.ReceivedBooking]:
    return run(db, Action.REINVITE, actor, booking_id, now, Change(reason))  # type: ignore[return-value]


# --- both sides: reading and deleting -----------------------------------------------------


async def booking_details(db: Database, side: Side, actor: Actor, booking_id: int,
                          now: datetime) -> views.MadeBooking | views.ReceivedBooking:
    async with db.connection() as conn:
        row = await store.view(conn, side, booking_id, actor.id)
    return _as_seen(row, side, now)


async def bookings_page(db: Database, side: Side, actor: Actor, *, start: datetime | None,
                        order: str | None, per_page: int | None, page: int | None,
                        now: datetime) -> views.BookingsPage:
    per_page, page = per_page or 50, page or 1
    async with db.connection() as conn:
        total, rows = await store.page(conn, side, actor.id, order=order or "date-desc",
                                       start=start or _MIN_START, limit=per_page,
                                       offset=(page - 1) * per_page)
    show = views.made_booking if side is CLIENT else views.received_booking
    return views.BookingsPage(math.ceil(total / per_page), page, per_page,
                              [show(r, now) for r in rows])  # type: ignore[misc]


_DELETE = {CLIENT: Action.DELETE_BY_CLIENT, CANDIDATE: Action.DELETE_BY_CANDIDATE}


async def delete_bookings(db: Database, side: Side, actor: Actor, booking_ids: list[int],
                          now: datetime) -> list[views.DeleteResult]:
    """Each ID on its own: deleted, or why not; the deleted first, then the others, each in
    BookingID order (the published sample for "100,101,102" starts at 101). The booking
    stays for the other side and for the ledger (and is still settled when due)."""
    t = rules.TRANSITIONS[_DELETE[side]]
    results = []
    for booking_id in sorted(booking_ids):
        try:
            async with db.transaction() as tx:
                row = await _lock(tx, side, actor, booking_id)
                if not await apply(tx, t, row, now, Change(by=actor.nickname), actor):
                    raise RuleBroken("The booking was changed by another request at the same "
                                     "time; nothing was deleted.")
            results.append(views.DeleteResult(booking_id, True, None))
        except (NotFound, RuleBroken) as exc:
            results.append(views.DeleteResult(booking_id, False, exc.message))
    return sorted(results, key=lambda r: not r.deleted)  # stable: IDs stay in order


# --- the worker's sweep: what the clock makes happen --------------------------------------


Due = Callable[[Conn, datetime, int], Awaitable[list[int]]]  # (cutoff, limit) -> booking IDs


async def _sweep(db: Database, now: datetime, hold: timedelta, batch: int,
                 due: Due, action: Action) -> int:
    """Apply `action` to every due booking; how many it changed. Safe in several processes
    at once: a batch is claimed with FOR UPDATE SKIP LOCKED, then each booking is changed in
    a transaction of its own that locks it again and re-checks it, so no booking is changed
    (nor its credits moved) twice. One transaction per booking keeps the event's EventID
    lock (store/events.py) the last lock any transaction takes: no deadlock with requests."""
    t = rules.TRANSITIONS[action]
    done = 0
    while True:
        async with db.transaction() as tx:
            ids = await due(tx, now - hold, batch)
        for booking_id in ids:
            async with db.transaction() as tx:
                row = await store.lock(tx, booking_id)
                try:
                    done += row is not None and await apply(tx, t, row, now, Change(), None, hold)
                except RuleBroken:
                    continue
        if len(ids) < batch:
            return done


async def settle_due(db: Database, now: datetime, hold: timedelta = rules.DEFAULT_SETTLEMENT_HOLD,
                     batch: int = 100) -> int:
    """Pay every due Confirmed booking to its candidate; returns how many were settled."""
    return await _sweep(db, now, hold, batch, store.due_settlements, Action.SETTLE)


async def reject_unaccepted(db: Database, now: datetime,
                            hold: timedelta = rules.DEFAULT_SETTLEMENT_HOLD,
                            batch: int = 100) -> int:
    """Reject every Pending booking the hold period after its session's end (it was never
    accepted by its AcceptBy); returns how many. Nothing is held before confirmation, so
    the release it makes moves nothing (and would return a hold exactly once)."""
    return await _sweep(db, now, hold, batch, store.due_rejections, Action.AUTO_REJECT)
