"""Use cases of the made side: the logged-in user is the client who booked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.access import Actor
from ..domain.bookings import Status, check_cancel_by_client
from ..domain.errors import NotFound, RuleBroken
from ..store import bookings, ledger
from ..store.db import Database
from . import views

BOOKING_NOT_FOUND = "No PhoneChat booking was found with that BookingID."


async def made_booking_details(db: Database, actor: Actor, booking_id: int,
                               now: datetime) -> dict[str, Any]:
    async with db.connection() as conn:
        row = await bookings.made_booking(conn, booking_id, actor.id)
    if row is None:
        raise NotFound(BOOKING_NOT_FOUND)
    return views.made_booking(row, now)


async def cancel_made_booking(db: Database, actor: Actor, booking_id: int, reason: str,
                              now: datetime) -> dict[str, Any]:
    async with db.transaction() as tx:
        row = await bookings.lock_made_booking(tx, booking_id, actor.id)
        if row is None:
            raise NotFound(BOOKING_NOT_FOUND)
        check_cancel_by_client(views.booking_rules_view(row), now)
        if not await bookings.mark_cancelled(tx, booking_id, expected_status=row["status"],
                                             by=actor.nickname, reason=reason, at=now):
            raise RuleBroken("The booking was changed by another request; nothing was done.")
        await ledger.release_hold(tx, booking_id=booking_id, to_user_id=actor.id,
                                  reason="cancelled", at=now)
        view = await bookings.made_booking(tx, booking_id, actor.id)
    return views.made_booking(view, now)
