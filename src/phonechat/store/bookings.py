"""Queries on bookings: the views each side reads, and the conditional state changes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam as p

from .db import Conn, Query, Row
from .tables import bookings as b
from .tables import phonechat_settings as s
from .tables import users as u

# The made side sees the booked user (the "candidate") and that user's contact details.
_made_view = (
    sa.select(
        b,
        u.c.nickname.label("other_nickname"),
        u.c.rating_positive, u.c.rating_neutral, u.c.rating_negative, u.c.disputes,
        s.c.phone_number.label("other_phone_number"),
        s.c.skype_name.label("other_skype_name"),
    )
    .select_from(b.join(u, u.c.id == b.c.candidate_id).outerjoin(s, s.c.user_id == u.c.id))
)

MADE_BOOKING = Query(
    _made_view.where(b.c.id == p("booking_id"), b.c.client_id == p("client_id"),
                     b.c.deleted_by_client == sa.false())
)

LOCK_MADE_BOOKING = Query(
    sa.select(b)
    .where(b.c.id == p("booking_id"), b.c.client_id == p("client_id"),
           b.c.deleted_by_client == sa.false())
    .with_for_update()
)

# Cancelling is conditional on the status it was checked in, so that even without the
# row lock (SQLite) two cancels cannot both win.
MARK_CANCELLED = Query(
    b.update()
    .where(b.c.id == p("booking_id"), b.c.status == p("expected_status"))
    .values(status="Cancelled", cancelled_date=p("at"), cancelled_reason=p("reason"),
            cancelled_by=p("by"), last_updated=p("at"))
)


async def made_booking(conn: Conn, booking_id: int, client_id: int) -> Row | None:
    return await conn.fetchrow(MADE_BOOKING, booking_id=booking_id, client_id=client_id)


async def lock_made_booking(conn: Conn, booking_id: int, client_id: int) -> Row | None:
    return await conn.fetchrow(LOCK_MADE_BOOKING, booking_id=booking_id, client_id=client_id)


async def mark_cancelled(conn: Conn, booking_id: int, *, expected_status: str, by: str,
                         reason: str, at: datetime) -> bool:
    n = await conn.execute(MARK_CANCELLED, booking_id=booking_id,
                           expected_status=expected_status, by=by, reason=reason, at=at)
    return n == 1


INSERT_BOOKING = Query(
    b.insert().values({c.name: p(c.name) for c in b.columns if c.name != "id"}).returning(b.c.id)
)
INSERT_BOOKING_WITH_ID = Query(b.insert().values({c.name: p(c.name) for c in b.columns}))


async def insert_booking(conn: Conn, **fields: Any) -> int:
    """Insert a booking; every column but id must be given (seed data may give id too)."""
    row = {c.name: None for c in b.columns}
    row.update(deleted_by_client=False, deleted_by_candidate=False)
    row.update(fields)
    if row["session_end"] is None:  # SessionDate + Duration (the worker's index)
        row["session_end"] = row["session_date"] + timedelta(minutes=row["duration"])
    if fields.get("id") is not None:
        await conn.execute(INSERT_BOOKING_WITH_ID, **row)
        return int(fields["id"])
    return int(await conn.fetchval(INSERT_BOOKING, **row))
