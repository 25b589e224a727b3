"""Queries of booking events: the append (one INSERT in the changing transaction), a
booking's history and a user's feed.

EventIDs are handed out in commit order: on PostgreSQL the INSERT first takes a
transaction-scoped advisory lock, held until the commit, so an id is drawn only once every
transaction that drew a smaller one has ended (a sequence alone can commit 11 before 10,
and a feed reader past 11 would never see 10). SQLite serialises writers already.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam as p
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from .db import Conn, Query, Row
from .tables import booking_events as e
from .tables import bookings as b

EVENT_ORDER_LOCK = 0x70686F6E  # "phon": the advisory lock key of the EventID order


class _EventOrderLock(ColumnElement[Any]):
    inherit_cache = True
    type = sa.Integer()


@compiles(_EventOrderLock, "postgresql")
def _lock_pg(element: Any, compiler: Any, **kw: Any) -> str:
    return f"pg_advisory_xact_lock({EVENT_ORDER_LOCK})"


@compiles(_EventOrderLock)
def _lock_other(element: Any, compiler: Any, **kw: Any) -> str:
    return "1"


_COLUMNS = [c for c in e.columns if c.name != "id"]
_ORDERED = sa.select(_EventOrderLock().label("locked")).subquery("event_order")
APPEND = Query(e.insert().from_select(
    [c.name for c in _COLUMNS],
    sa.select(*[p(c.name, type_=c.type) for c in _COLUMNS]).select_from(_ORDERED)))


def append(conn: Conn, **columns: Any) -> Awaitable[int]:
    return conn.execute(APPEND, **columns)


_FIELDS = [e.c.id, *_COLUMNS]
HISTORY = Query(sa.select(*_FIELDS).where(
    e.c.booking_id == p("booking_id"),
    sa.or_(e.c.only_user_id.is_(None), e.c.only_user_id == p("user_id"))).order_by(e.c.id))

_CONCERNS = sa.and_(
    sa.or_(e.c.client_id == p("user_id"), e.c.candidate_id == p("user_id")),
    sa.or_(e.c.only_user_id.is_(None), e.c.only_user_id == p("user_id")))
FEED = Query(sa.select(*_FIELDS).where(_CONCERNS, e.c.id > p("after"))
             .order_by(e.c.id).limit(p("limit")))


async def history(conn: Conn, booking_id: int, user_id: int) -> Sequence[Row]:
    return await conn.fetch(HISTORY, booking_id=booking_id, user_id=user_id)


async def feed(conn: Conn, user_id: int, after: int, limit: int) -> Sequence[Row]:
    return await conn.fetch(FEED, user_id=user_id, after=after, limit=limit)


# Who may read a booking's history: the parties who may read its details.
PARTIES = Query(sa.select(b.c.client_id, b.c.candidate_id, b.c.deleted_by_client,
                          b.c.deleted_by_candidate).where(b.c.id == p("booking_id")))


async def parties(conn: Conn, booking_id: int) -> Row | None:
    return await conn.fetchrow(PARTIES, booking_id=booking_id)
