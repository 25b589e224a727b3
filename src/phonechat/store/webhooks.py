"""Queries of webhooks and their outbox (services/webhooks.py says how they are used)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
import sqlalchemy as sa
from sqlalchemy import bindparam as p
from sqlalchemy.dialects.postgresql import insert as pg_insert  # ON CONFLICT: SQLite too

from .db import Conn, Query, Row
from .tables import booking_events as e
from .tables import oauth_grants as g
from .tables import webhook_attempts as at
from .tables import webhook_deliveries as d
from .tables import webhook_dispatch as c
from .tables import webhooks as w

# --- webhooks ----------------------------------------------------------------------------

# A new webhook gets the events after the last one committed (EventIDs are in commit order).
INSERT = Query(w.insert().values(
    application_id=p("application_id"), url=p("url"), events=p("events"), secret=p("secret"),
    after_event_id=sa.select(sa.func.coalesce(sa.func.max(e.c.id), 0)).scalar_subquery(),
    created_at=p("at")).returning(w.c.id))
OF_APP = Query(sa.select(w).where(w.c.application_id == p("application_id")).order_by(w.c.id))
ONE = Query(sa.select(w).where(w.c.id == p("webhook_id"),
                               w.c.application_id == p("application_id")))
ALL = Query(sa.select(w).order_by(w.c.id))
BY_ID = Query(sa.select(w).where(w.c.id == p("webhook_id")))
DELETE_ATTEMPTS = Query(at.delete().where(at.c.delivery_id.in_(
    sa.select(d.c.id).where(d.c.webhook_id == p("webhook_id")).scalar_subquery())))
DELETE_DELIVERIES = Query(d.delete().where(d.c.webhook_id == p("webhook_id")))
DELETE = Query(w.delete().where(w.c.id == p("webhook_id")))
ROTATE = Query(w.update().where(w.c.id == p("webhook_id")).values(
    secret=p("secret"), previous_secret=p("previous_secret"),
    previous_secret_expires=p("previous_secret_expires")))


async def insert(conn: Conn, application_id: int, url: str, events: str, secret: str,
                 at: datetime) -> int:
    return int(await conn.fetchval(INSERT, application_id=application_id, url=url,
                                   events=events, secret=secret, at=at))


async def of_app(conn: Conn, application_id: int) -> Sequence[Row]:
    return await conn.fetch(OF_APP, application_id=application_id)


async def one(conn: Conn, application_id: int, webhook_id: int) -> Row | None:
    return await conn.fetchrow(ONE, application_id=application_id, webhook_id=webhook_id)


async def every(conn: Conn) -> Sequence[Row]:
    return await conn.fetch(ALL)


async def by_id(conn: Conn, webhook_id: int) -> Row | None:
    return await conn.fetchrow(BY_ID, webhook_id=webhook_id)


async def delete(conn: Conn, webhook_id: int) -> None:
    for q in (DELETE_ATTEMPTS, DELETE_DELIVERIES, DELETE):  # SQLite enforces no cascade
        await conn.execute(q, webhook_id=webhook_id)


async def rotate(conn: Conn, webhook_id: int, secret: str, previous: str,
                 expires: datetime) -> None:
    await conn.execute(ROTATE, webhook_id=webhook_id, secret=secret, previous_secret=previous,
                       previous_secret_expires=expires)


# --- fan-out: booking_events -> deliveries -----------------------------------------------

ENSURE_CURSOR = Query(pg_insert(c).values(id=1, last_event_id=0)
                      .on_conflict_do_nothing(index_elements=[c.c.id]))
LOCK_CURSOR = Query(sa.select(c.c.last_event_id).where(c.c.id == 1).with_for_update())
MOVE_CURSOR = Query(c.update().where(c.c.id == 1).values(last_event_id=p("last_event_id")))
EVENTS_AFTER = Query(sa.select(e).where(e.c.id > p("after")).order_by(e.c.id)
                     .limit(p("limit")))
# The grants of an event's two parties.
GRANTS_OF = Query(sa.select(g.c.user_id, g.c.application_id, g.c.scopes)
                  .where(g.c.user_id.in_([p("client_id"), p("candidate_id")])))
ADD_DELIVERY = Query(pg_insert(d).values(
    webhook_id=p("webhook_id"), event_id=p("event_id"), status="Pending", attempts=0,
    first_due=p("at"), next_attempt_at=p("at"))
    .on_conflict_do_nothing(index_elements=[d.c.webhook_id, d.c.event_id]))


async def lock_cursor(conn: Conn) -> int:
    await conn.execute(ENSURE_CURSOR)
    return int(await conn.fetchval(LOCK_CURSOR))


async def move_cursor(conn: Conn, last_event_id: int) -> None:
    await conn.execute(MOVE_CURSOR, last_event_id=last_event_id)


async def events_after(conn: Conn, after: int, limit: int) -> Sequence[Row]:
    return await conn.fetch(EVENTS_AFTER, after=after, limit=limit)


async def grants_of(conn: Conn, client_id: int, candidate_id: int) -> Sequence[Row]:
    return await conn.fetch(GRANTS_OF, client_id=client_id, candidate_id=candidate_id)


async def add_delivery(conn: Conn, webhook_id: int, event_id: int, at: datetime) -> bool:
    return await conn.execute(ADD_DELIVERY, webhook_id=webhook_id, event_id=event_id,
                              at=at) == 1


# --- sending -----------------------------------------------------------------------------

# Due deliveries, claimed by moving next_attempt_at a lease ahead: SKIP LOCKED lets several
# workers share them, and a worker killed mid-send leaves its claim to expire.
DUE = Query(sa.select(d.c.id).where(d.c.status == "Pending", d.c.next_attempt_at <= p("now"))
            .order_by(d.c.next_attempt_at, d.c.id).limit(p("limit"))
            .with_for_update(skip_locked=True))
CLAIM = Query(d.update().where(d.c.id == p("delivery_id"), d.c.status == "Pending")
              .values(next_attempt_at=p("lease_until")))
TO_SEND = Query(sa.select(d.c.id, d.c.webhook_id, d.c.event_id, d.c.attempts, d.c.first_due,
                          w.c.url, w.c.secret, w.c.previous_secret,
                          w.c.previous_secret_expires)
                .select_from(d.join(w, w.c.id == d.c.webhook_id))
                .where(d.c.id == p("delivery_id")))
EVENT = Query(sa.select(e).where(e.c.id == p("event_id")))
RECORD = Query(at.insert().values(delivery_id=p("delivery_id"), attempted_at=p("at"),
                                  status_code=p("status_code"), duration_ms=p("duration_ms"),
                                  error=p("error"), next_retry_at=p("next_retry_at")))
SETTLE = Query(d.update().where(d.c.id == p("delivery_id")).values(
    status=p("status"), attempts=d.c.attempts + 1, next_attempt_at=p("next_attempt_at")))
REDELIVER = Query(d.update().where(d.c.webhook_id == p("webhook_id"),
                                   d.c.event_id == p("event_id"))
                  .values(status="Pending", next_attempt_at=p("at"), first_due=p("at")))


async def claim_due(conn: Conn, now: datetime, lease_until: datetime, limit: int) -> list[int]:
    ids = [int(r["id"]) for r in await conn.fetch(DUE, now=now, limit=limit)]
    for i in ids:
        await conn.execute(CLAIM, delivery_id=i, lease_until=lease_until)
    return ids


async def to_send(conn: Conn, delivery_id: int) -> tuple[Row, Row] | None:
    """The delivery with its webhook's URL and secrets, and its event."""
    row = await conn.fetchrow(TO_SEND, delivery_id=delivery_id)
    return None if row is None else (row, await conn.fetchrow(EVENT, event_id=row["event_id"]))


async def record(conn: Conn, delivery_id: int, *, at: datetime, status_code: int | None,
                 duration_ms: int, error: str | None, status: str,
                 next_attempt_at: datetime | None) -> None:
    await conn.execute(RECORD, delivery_id=delivery_id, at=at, status_code=status_code,
                       duration_ms=duration_ms, error=error, next_retry_at=next_attempt_at)
    await conn.execute(SETTLE, delivery_id=delivery_id, status=status,
                       next_attempt_at=next_attempt_at)


async def redeliver(conn: Conn, webhook_id: int, event_id: int, at: datetime) -> bool:
    """Due again now (a new 3 days); or a new delivery when there was none."""
    if await conn.execute(REDELIVER, webhook_id=webhook_id, event_id=event_id, at=at) == 1:
        return True
    return await add_delivery(conn, webhook_id, event_id, at)


# --- the Deliveries page ---------------------------------------------------------------

ATTEMPTS = Query(sa.select(d.c.event_id, d.c.status, at.c.attempted_at, at.c.status_code,
                           at.c.duration_ms, at.c.error, at.c.next_retry_at)
                 .select_from(at.join(d, d.c.id == at.c.delivery_id))
                 .where(d.c.webhook_id == p("webhook_id"))
                 .order_by(at.c.id.desc()).limit(p("limit")).offset(p("offset")))
COUNT_ATTEMPTS = Query(sa.select(sa.func.count()).select_from(at.join(d, d.c.id == at.c.delivery_id))
                       .where(d.c.webhook_id == p("webhook_id")))
EVENT_EXISTS = Query(sa.select(e.c.id, e.c.type, e.c.client_id, e.c.candidate_id, e.c.only_user_id)
                     .where(e.c.id == p("event_id")))


async def attempts(conn: Conn, webhook_id: int, limit: int, offset: int) -> tuple[int, Sequence[Row]]:
    total = int(await conn.fetchval(COUNT_ATTEMPTS, webhook_id=webhook_id))
    rows = await conn.fetch(ATTEMPTS, webhook_id=webhook_id, limit=limit, offset=offset)
    return total, rows


async def event(conn: Conn, event_id: int) -> Row | None:
    return await conn.fetchrow(EVENT_EXISTS, event_id=event_id)
