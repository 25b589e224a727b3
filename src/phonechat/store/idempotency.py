"""Queries on stored Idempotency-Key answers (the protocol is in api/idempotency.py)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import bindparam as p
from sqlalchemy.dialects.postgresql import insert as upsert  # compiles on SQLite too

from .db import Conn, Query, Row
from .tables import idempotency_keys as k

_this_key = (k.c.user_id == p("user_id"), k.c.key == p("key"))

# The claim: exactly one of several concurrent requests with one key inserts the row.
CLAIM = Query(
    upsert(k).values(user_id=p("user_id"), key=p("key"), fingerprint=p("fingerprint"),
                     status=None, content_type=None, body=None, created_at=p("at"),
                     expires_at=p("expires_at"))
    .on_conflict_do_nothing().returning(k.c.user_id)
)
FIND = Query(sa.select(k.c.fingerprint, k.c.status, k.c.content_type, k.c.body,
                       k.c.created_at, k.c.expires_at).where(*_this_key))
# Re-claim a key whose answer has expired, or whose claim a crashed worker left behind.
# Conditional, so that of two requests racing for it only one wins.
TAKE_OVER = Query(
    k.update()
    .where(*_this_key, sa.or_(k.c.expires_at <= p("now"),
                              sa.and_(k.c.status.is_(None), k.c.created_at <= p("stale_before"))))
    .values(fingerprint=p("fingerprint"), status=None, content_type=None, body=None,
            created_at=p("now"), expires_at=p("expires_at"))
)
FINISH = Query(
    k.update().where(*_this_key, k.c.status.is_(None))
    .values(status=p("status"), content_type=p("content_type"), body=p("body"))
)
RELEASE = Query(k.delete().where(*_this_key, k.c.status.is_(None)))
PURGE = Query(k.delete().where(k.c.expires_at <= p("now")))


async def claim(conn: Conn, *, user_id: int, key: str, fingerprint: str, at: datetime,
                expires_at: datetime) -> bool:
    return await conn.fetchval(CLAIM, user_id=user_id, key=key, fingerprint=fingerprint,
                               at=at, expires_at=expires_at) is not None


async def find(conn: Conn, *, user_id: int, key: str) -> Row | None:
    return await conn.fetchrow(FIND, user_id=user_id, key=key)


async def take_over(conn: Conn, *, user_id: int, key: str, fingerprint: str, now: datetime,
                    stale_before: datetime, expires_at: datetime) -> bool:
    return await conn.execute(TAKE_OVER, user_id=user_id, key=key, fingerprint=fingerprint,
                              now=now, stale_before=stale_before, expires_at=expires_at) == 1


async def finish(conn: Conn, *, user_id: int, key: str, status: int, content_type: str,
                 body: bytes) -> None:
    await conn.execute(FINISH, user_id=user_id, key=key, status=status,
                       content_type=content_type, body=body)


async def release(conn: Conn, *, user_id: int, key: str) -> None:
    await conn.execute(RELEASE, user_id=user_id, key=key)


async def purge(conn: Conn, *, now: datetime) -> int:
    return await conn.execute(PURGE, now=now)
