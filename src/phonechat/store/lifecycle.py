"""Queries of the booking lifecycle: both sides' views and lists, the row lock, and one
conditional UPDATE per transition, made from domain/lifecycle.py's table (each re-checks
the status it was decided on, so that two racing requests cannot both win even where row
locks do not exist)."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam as p
from sqlalchemy.dialects.postgresql import insert as pg_insert  # ON CONFLICT: SQLite too

from ..domain.lifecycle import TRANSITIONS, Action, Transition, Value
from .db import Conn, Query, Row
from .tables import bookings as b
from .tables import phonechat_settings as s
from .tables import users as u

# --- the two sides' views --------------------------------------------------------------


def _view(other_id: Any, with_contact: bool) -> Any:
    """A booking with the other side's nickname and ratings (and, for the made side, the
    booked user's number and Skype name, shown close to a Confirmed session)."""
    cols = [b, u.c.nickname.label("other_nickname"), u.c.rating_positive,
            u.c.rating_neutral, u.c.rating_negative, u.c.disputes]
    if with_contact:
        cols += [s.c.phone_number.label("other_phone_number"),
                 s.c.skype_name.label("other_skype_name")]
        return sa.select(*cols).select_from(
            b.join(u, u.c.id == other_id).outerjoin(s, s.c.user_id == u.c.id))
    cols += [sa.null().label("other_phone_number"), sa.null().label("other_skype_name")]
    return sa.select(*cols).select_from(b.join(u, u.c.id == other_id))


MADE_VIEW = _view(b.c.candidate_id, True)
RECEIVED_VIEW = _view(b.c.client_id, False)

_MADE_MINE = sa.and_(b.c.client_id == p("user_id"), b.c.deleted_by_client == sa.false())
_RECEIVED_MINE = sa.and_(b.c.candidate_id == p("user_id"),
                         b.c.deleted_by_candidate == sa.false())

MADE_ONE = Query(MADE_VIEW.where(b.c.id == p("booking_id"), _MADE_MINE))
RECEIVED_ONE = Query(RECEIVED_VIEW.where(b.c.id == p("booking_id"), _RECEIVED_MINE))

# OrderBy (domain.lifecycle.ORDER_BY) -> the ORDER BY (the booking ID breaks ties, so
# pages never overlap).
ORDERS = {
    "date-desc": (b.c.create_date.desc(), b.c.id.desc()),
    "date-asc": (b.c.create_date.asc(), b.c.id.asc()),
    "nickname-asc": (u.c.nickname.asc(), b.c.id.asc()),
    "nickname-desc": (u.c.nickname.desc(), b.c.id.desc()),
    "sessiondate-asc": (b.c.session_date.asc(), b.c.id.asc()),
    "sessiondate-desc": (b.c.session_date.desc(), b.c.id.desc()),
}
_SINCE = b.c.create_date >= p("start")  # StartDate: bookings made on or after that day


def _pages(view: Any, mine: Any, other_id: Any) -> dict[str, Query]:
    """One page per OrderBy, as a deferred join: the page's booking IDs first (for the date
    orders an index-only scan of ix_bookings_made_list / _received_list, which skips the
    rows before the page without reading them), then only those bookings with the other
    side's user and settings. Joining every skipped row made the last page of a client's
    1,000 bookings cost 1.5 times the first (bench/RESULTS.md)."""
    pages = {}
    for order, cols in ORDERS.items():
        ids = sa.select(b.c.id).where(mine, _SINCE)
        if order.startswith("nickname"):
            ids = ids.select_from(b.join(u, u.c.id == other_id))
        page_ids = ids.order_by(*cols).limit(p("limit")).offset(p("offset")).subquery("page")
        pages[order] = Query(view.join(page_ids, page_ids.c.id == b.c.id).order_by(*cols))
    return pages


MADE_PAGES = _pages(MADE_VIEW, _MADE_MINE, b.c.candidate_id)
RECEIVED_PAGES = _pages(RECEIVED_VIEW, _RECEIVED_MINE, b.c.client_id)
MADE_COUNT = Query(sa.select(sa.func.count()).select_from(b).where(_MADE_MINE, _SINCE))
RECEIVED_COUNT = Query(sa.select(sa.func.count()).select_from(b).where(_RECEIVED_MINE, _SINCE))

# Locks the booking row (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers).
LOCK = Query(sa.select(b).where(b.c.id == p("booking_id")).with_for_update())


def view(conn: Conn, side: str, booking_id: int, user_id: int) -> Awaitable[Row | None]:
    q = MADE_ONE if side == "client" else RECEIVED_ONE
    return conn.fetchrow(q, booking_id=booking_id, user_id=user_id)


async def page(conn: Conn, side: str, user_id: int, *, order: str, start: datetime,
               limit: int, offset: int) -> tuple[int, Sequence[Row]]:
    pages, count = (MADE_PAGES, MADE_COUNT) if side == "client" else (RECEIVED_PAGES,
                                                                       RECEIVED_COUNT)
    total = int(await conn.fetchval(count, user_id=user_id, start=start))
    rows = await conn.fetch(pages[order], user_id=user_id, start=start, limit=limit,
                            offset=offset) if offset < total else []
    return total, rows


def lock(conn: Conn, booking_id: int) -> Awaitable[Row | None]:
    return conn.fetchrow(LOCK, booking_id=booking_id)


# --- one conditional UPDATE per transition, made from its declaration -----------------


def _update(t: Transition) -> Query:
    """SET the target Status and the columns the transition sets (the moment: `at`, once;
    a constant: itself; any other value: a parameter named after its column), WHERE the
    row still is as it was decided on."""
    values: dict[str, Any] = {} if t.target is None else {"status": t.target.value}
    for column, v in t.sets.items():
        if v is Value.NOW:
            values[column] = p("at")
        elif v is Value.NOW_IF_UNSET:
            values[column] = sa.func.coalesce(b.c[column], p("at"))
        elif v is Value.TRUE:
            values[column] = True
        else:
            values[column] = p(column)
    where = [b.c.id == p("booking_id"), b.c.status == p("expected_status")]
    if t.unsettled:
        where.append(b.c.settled_date.is_(None))
    return Query(b.update().where(*where).values(values))


UPDATES: dict[Action, Query] = {a: _update(t) for a, t in TRANSITIONS.items()}


async def change(conn: Conn, t: Transition, booking_id: int, expected_status: str,
                 **values: Any) -> bool:
    """Apply one transition's UPDATE; False when the row no longer is as expected."""
    q = UPDATES.get(t.action)
    if q is None:  # a transition declared after import (the table is open to new entries)
        q = UPDATES[t.action] = _update(t)
    return await conn.execute(q, booking_id=booking_id, expected_status=expected_status,
                              **values) == 1


# --- the worker's sweep: settlement and automatic rejection -------------------------------

# Due bookings, oldest first. SKIP LOCKED: several workers share the work without waiting
# on each other or acting twice (each UPDATE re-checks the status, settlement settled_date).
def _due(*where: Any) -> Query:
    return Query(sa.select(b.c.id).where(*where, b.c.session_end <= p("cutoff"))
                 .order_by(b.c.session_end, b.c.id).limit(p("limit"))
                 .with_for_update(skip_locked=True))


DUE_SETTLEMENTS = _due(b.c.status == "Confirmed", b.c.settled_date.is_(None))
DUE_REJECTIONS = _due(b.c.status == "Pending")


async def due_settlements(conn: Conn, cutoff: datetime, limit: int) -> list[int]:
    return [int(r["id"]) for r in await conn.fetch(DUE_SETTLEMENTS, cutoff=cutoff, limit=limit)]


async def due_rejections(conn: Conn, cutoff: datetime, limit: int) -> list[int]:
    """Pending bookings (never accepted) whose session ended before `cutoff`."""
    return [int(r["id"]) for r in await conn.fetch(DUE_REJECTIONS, cutoff=cutoff, limit=limit)]


# --- settings ---------------------------------------------------------------------------

SETTINGS = Query(sa.select(s).where(s.c.user_id == p("user_id")))
USER_EXISTS = Query(sa.select(u.c.id).where(u.c.id == p("user_id")))
_SETTING_COLUMNS = [c for c in s.columns if c.name != "user_id"]
# SaveSettings: make sure the row exists (a first save), then lock it and update it. Two
# first saves at once (a member and their manager) cannot both insert: the second waits
# on the first's row and then does nothing, instead of failing on the primary key.
ENSURE_SETTINGS = Query(
    pg_insert(s).values(user_id=p("user_id"), takes_bookings=False,
                        method_performer_calls=False, method_client_calls=False,
                        method_skype=False)
    .on_conflict_do_nothing(index_elements=[s.c.user_id]))
LOCK_SETTINGS = Query(SETTINGS.statement.with_for_update())  # type: ignore[attr-defined]
UPDATE_SETTINGS = Query(s.update().where(s.c.user_id == p("user_id")).values(
    {c.name: p(c.name) for c in _SETTING_COLUMNS}))


async def settings(conn: Conn, user_id: int) -> Row | None:
    return await conn.fetchrow(SETTINGS, user_id=user_id)


async def user_exists(conn: Conn, user_id: int) -> bool:
    return await conn.fetchval(USER_EXISTS, user_id=user_id) is not None


async def lock_settings(conn: Conn, user_id: int) -> tuple[Row, bool]:
    """The user's settings row, locked until the transaction ends (created if there was
    none), and whether it was just created."""
    created = await conn.execute(ENSURE_SETTINGS, user_id=user_id) == 1
    return await conn.fetchrow(LOCK_SETTINGS, user_id=user_id), created


async def update_settings(conn: Conn, user_id: int, **columns: Any) -> None:
    await conn.execute(UPDATE_SETTINGS, user_id=user_id, **columns)
