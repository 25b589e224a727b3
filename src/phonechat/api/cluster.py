"""What a worker shares with the other workers on PostgreSQL: the listening connection that
hears revocations and writes (store/notify.py), and the read replicas (store/replicas.py).

`join(app)` at startup; `read(...)` runs a GET route on the database the router picks;
`wrote(...)` after a successful write. On SQLite there is nothing to join (one process per
database file: a worker clears its own token cache when it revokes).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ..store import notify
from ..store.db import DatabaseUnavailable, is_postgres
from ..store.replicas import ReadRouter, ReplicaUnavailable, open_replicas

log = logging.getLogger("phonechat.cluster")

READS = frozenset(("GET", "HEAD"))  # the methods whose requests may read a replica

# How long startup waits for the first subscription, so that the token cache (and the
# replicas) are in use from the first requests; it goes on trying in the background.
FIRST_SUBSCRIPTION_SECONDS = 5.0


class Cluster:
    def __init__(self, listener: notify.Listener, reads: ReadRouter | None) -> None:
        self.listener = listener
        self.reads = reads

    async def close(self) -> None:
        await self.listener.stop()
        if self.reads is not None:
            await self.reads.close()


async def join(app: Any) -> Cluster | None:
    s = app.settings
    read_urls = getattr(s, "read_database_url", "")
    if not is_postgres(s.database_url):
        if read_urls:
            raise RuntimeError("PHONECHAT_READ_DATABASE_URL needs a PostgreSQL primary "
                               "(PHONECHAT_DATABASE_URL)")
        return None
    grants = app.grants
    reads = None
    if read_urls:
        replicas = await open_replicas(read_urls, app.db, pool_max=s.pool_max,
                                       acquire_timeout=s.pool_timeout)
        reads = ReadRouter(app.db, replicas, max_lag=s.read_max_lag,
                           check_interval=s.read_check_interval)
    if grants is None and reads is None:
        return None
    handlers = {}
    if grants is not None:
        grants.untrust()  # until the first subscription
        handlers[notify.REVOKED] = lambda _: grants.clear()
    if reads is not None:
        handlers[notify.WROTE] = reads.wrote

    def lost() -> None:
        if grants is not None:
            grants.untrust()
        if reads is not None:
            reads.untrust()

    def back() -> None:
        if grants is not None:
            grants.trust()
        if reads is not None:
            reads.trust()

    listener = notify.Listener(s.listen_database_url or s.database_url, handlers, lost, back,
                               retry_seconds=s.listen_retry)
    listener.start()
    if reads is not None:
        reads.start()
    deadline = asyncio.get_running_loop().time() + FIRST_SUBSCRIPTION_SECONDS
    while not listener.connected and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
    return Cluster(listener, reads)


async def read(reads: ReadRouter, handler: Any, req: Any, args: dict[str, Any]) -> Any:
    """A GET route on a replica when one has caught up (else the primary); a replica that
    fails the read hands it to the primary."""
    db = reads.for_user(req.grant.user.id)
    if db is reads.primary:
        return await handler(req, args)
    req.db = db
    try:
        return await handler(req, args)
    except ReplicaUnavailable as exc:
        log.warning("read replica failed a read: answered by the primary",
                    extra={"fields": {"request_id": req.request_id, "error": str(exc)}})
        req.db = reads.primary
        return await handler(req, args)


async def wrote(reads: ReadRouter, db: Any, user_id: int) -> None:
    """After a write: this user's reads stay on the primary until a replica has caught up,
    in this worker at once and in the others when the notification arrives."""
    reads.wrote(user_id)
    try:
        async with db.connection() as conn:
            await notify.announce_write(conn, user_id)
    except DatabaseUnavailable as exc:  # the write is done: answer it, say what is missing
        log.warning("write not announced: other workers may read the user's old data from a "
                    "replica for up to PHONECHAT_READ_MAX_LAG",
                    extra={"fields": {"user_id": user_id, "error": str(exc)}})
