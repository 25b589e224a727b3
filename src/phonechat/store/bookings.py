"""Inserting bookings (the sandbox seed and CreateBooking); reads and transitions are in
store/lifecycle.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam as p

from .db import Conn, Query
from .tables import bookings as b

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
