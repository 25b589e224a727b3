"""Idempotency-Key on POST: a retry replays the first answer instead of doing the work twice.

The protocol, run once in the pipeline around every authenticated POST that sends the header:

1. Claim the key: insert (user, key, fingerprint of route + body) with no answer yet. The
   primary key makes exactly one of several concurrent requests win, in any worker or
   instance, because the claim lives in the database.
2. The winner does the work and stores its answer (status, content type, body bytes) on the
   claim. Answers of 500 and above are not stored: the claim is dropped, so a retry does the
   work (a 503 means the database was unreachable and nothing was committed).
3. A request that finds the key already there gets, in this order: the key taken over if the
   stored answer expired (24 hours by default, by the service clock) or if it is a claim older
   than CLAIM_LEASE (its worker died); 422 if the fingerprint differs (the key was used for
   another request); 409 while the first request is still being worked on; otherwise the
   stored answer, byte for byte, with `Idempotent-Replayed: true`.

A replay is the representation first sent (its content type and bytes), whatever the retry's
Accept header says: the answer of record is the one the first request got.

Why a claim row rather than the answer written in the work's own transaction: every use case
owns its transaction (services/), and the pipeline renders the answer after it commits. The
claim gives the same guarantee against doing the work twice; the one gap is a worker that dies
after the work commits and before the answer is stored: after CLAIM_LEASE a retry does the
work again, and the booking rules (a cancelled booking cannot be cancelled) answer it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from ..store import idempotency as store
from ..store.db import Database
from .http import HttpError, Request

log = logging.getLogger("phonechat.idempotency")

# (status, content type, body, extra headers): a rendered answer.
Answer = tuple[int, str, bytes, list[tuple[bytes, bytes]]]

CLAIM_LEASE = timedelta(seconds=60)
PURGE_EVERY = 600.0  # seconds
REPLAYED = (b"idempotent-replayed", b"true")
MAX_KEY = 255


def valid_key(raw: bytes) -> str:
    if not 1 <= len(raw) <= MAX_KEY or not all(0x21 <= c <= 0x7E for c in raw):
        raise HttpError(400, "The Idempotency-Key header must be 1 to 255 visible ASCII "
                             "characters (no spaces).")
    return raw.decode("ascii")


def fingerprint(req: Request, route_path: str) -> str:
    h = hashlib.sha256(route_path.lower().encode())
    h.update(b"\n")
    h.update(req.scope.get("query_string", b""))
    h.update(b"\n")
    h.update(req.body)
    return h.hexdigest()


async def once(db: Database, req: Request, route_path: str, raw_key: bytes, keep_hours: int,
               work: Callable[[], Awaitable[Answer]]) -> Answer:
    """The answer to a POST carrying an Idempotency-Key: done now, or replayed."""
    key = valid_key(raw_key)
    user_id = req.grant.user.id  # type: ignore[union-attr]
    print_ = fingerprint(req, route_path)
    now = req.now
    expires_at = now + timedelta(hours=keep_hours)
    for _ in range(3):  # claim, or take over, or answer from what is stored
        async with db.connection() as c:
            if await store.claim(c, user_id=user_id, key=key, fingerprint=print_, at=now,
                                 expires_at=expires_at):
                break
            row = await store.find(c, user_id=user_id, key=key)
            if row is None:  # dropped between our insert and our read: claim again
                continue
            if row["expires_at"] <= now or (
                    row["status"] is None and row["created_at"] <= now - CLAIM_LEASE):
                if await store.take_over(c, user_id=user_id, key=key, fingerprint=print_,
                                         now=now, stale_before=now - CLAIM_LEASE,
                                         expires_at=expires_at):
                    break
                continue
        if row["fingerprint"] != print_:
            raise HttpError(422, "This Idempotency-Key was already used with a different "
                                 "request (another body or endpoint). Use a new key for a new "
                                 "request.")
        if row["status"] is None:
            raise HttpError(409, "A request with this Idempotency-Key is in progress. Retry "
                                 "shortly to get its answer.", [(b"retry-after", b"1")])
        return int(row["status"]), row["content_type"], bytes(row["body"]), [REPLAYED]
    else:
        raise HttpError(409, "A request with this Idempotency-Key is in progress. Retry "
                             "shortly to get its answer.", [(b"retry-after", b"1")])

    try:
        answer = await work()
    except BaseException:
        await _release(db, user_id, key)
        raise
    status, content_type, body, _ = answer
    try:
        async with db.connection() as c:
            if status >= 500:
                await store.release(c, user_id=user_id, key=key)
            else:
                await store.finish(c, user_id=user_id, key=key, status=status,
                                   content_type=content_type, body=body)
    except Exception as exc:  # the work is done; its answer still goes to the client
        log.warning("idempotency answer not stored", extra={"fields": {
            "request_id": req.request_id, "key": key, "error": str(exc)}})
    return answer


async def _release(db: Database, user_id: int, key: str) -> None:
    try:
        async with db.connection() as c:
            await store.release(c, user_id=user_id, key=key)
    except Exception:  # pragma: no cover - the lease frees it later
        pass


async def purge_expired(db: Database, now: datetime) -> int:
    """Delete the answers whose 24 hours are over; returns how many."""
    async with db.connection() as c:
        return await store.purge(c, now=now)


async def purge_forever(app: Any, every: float = PURGE_EVERY) -> None:
    """Each worker, every 10 minutes: drop expired keys (an indexed DELETE). Expired keys
    are already ignored when met, so this only keeps the table small."""
    while True:
        await asyncio.sleep(every)
        try:
            n = await purge_expired(app.db, app.clock.now())
            if n:
                log.info("expired idempotency keys purged", extra={"fields": {"count": n}})
        except Exception as exc:  # the database is down: try again next time
            log.warning("idempotency purge failed", extra={"fields": {"error": str(exc)}})
