"""Reads on streaming replicas (PHONECHAT_READ_DATABASE_URL), writes on the primary.

Which database a read may use is decided by what each replica is known to hold. Every
`check_interval` seconds a worker notes the primary's WAL position (LSN) and asks each
replica how far it has replayed. A replica that has replayed past the position the primary
had at moment t shows everything committed before t: its `caught_up_at` is the latest
such t (on the worker's monotonic clock; the positions of the last `max_lag` seconds are
kept, so a busy primary whose replicas are always a few milliseconds behind is no
obstacle). A read for a user may use a replica only if the replica caught up

- after the user's last write (so a user reads their own writes: until then their reads
  go to the primary; in practice for about one check interval after a write),
- within the last `max_lag` seconds (a replica lagging further, down, or not answering a
  check is skipped: the primary serves),
- after the worker last (re)subscribed to the notifications that tell it of other
  workers' writes (store/notify.py `phonechat_wrote`): while it cannot hear of them it
  cannot know who wrote, so every read goes to the primary.

Everything in a transaction (`transaction()`) goes to the primary, so a write, and any read
inside a write's transaction, never touches a replica.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from .db import DatabaseUnavailable, PostgresDatabase, Query
from .notify import cancel_and_wait

log = logging.getLogger("phonechat.replicas")

PRIMARY_LSN = Query(sa.select(sa.cast(sa.func.pg_current_wal_lsn(), sa.Text)))
# NULL when the server is not a standby (a primary named as a replica: never used).
REPLAYED = Query(sa.select(sa.cast(sa.func.pg_last_wal_replay_lsn(), sa.Text)))

NEVER = float("-inf")


class ReplicaUnavailable(DatabaseUnavailable):
    """A replica failed a read: the read is answered from the primary instead."""


class Replica:
    """One replica's pool, seen as a Database whose transactions are the primary's."""

    dialect = "postgresql"

    def __init__(self, url: str, db: PostgresDatabase, primary: Any) -> None:
        self.url = url
        self.db = db
        self.primary = primary
        self.caught_up_at = NEVER

    def connection(self) -> "_ReplicaUse":
        return _ReplicaUse(self, self.db.connection())

    def transaction(self) -> Any:
        return self.primary.transaction()

    def down(self) -> None:
        self.caught_up_at = NEVER

    async def close(self) -> None:
        await self.db.close()


class _ReplicaUse:
    __slots__ = ("_replica", "_use")

    def __init__(self, replica: Replica, use: Any) -> None:
        self._replica = replica
        self._use = use

    async def __aenter__(self) -> Any:
        try:
            return await self._use.__aenter__()
        except DatabaseUnavailable as exc:
            self._replica.down()
            raise ReplicaUnavailable(str(exc)) from exc

    async def __aexit__(self, kind: Any, exc: Any, tb: Any) -> None:
        try:
            await self._use.__aexit__(kind, exc, tb)
        except DatabaseUnavailable as failed:
            self._replica.down()
            raise ReplicaUnavailable(str(failed)) from failed
        if exc is not None and _recovery_conflict(exc):
            # The standby cancelled the query to apply WAL: the replica is fine, this
            # one read is answered by the primary.
            raise ReplicaUnavailable(str(exc)) from exc


def _recovery_conflict(exc: BaseException) -> bool:
    return getattr(exc, "sqlstate", None) == "40001"


class ReadRouter:
    def __init__(self, primary: Any, replicas: list[Replica], *, max_lag: float,
                 check_interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.primary = primary
        self.replicas = replicas
        self.max_lag = max_lag
        self.check_interval = check_interval
        self._clock = clock
        self._writes: dict[int, float] = {}  # user id -> when this worker learnt of a write
        self._floor = float("inf")  # no replica until the write notifications are heard
        self._turn = 0
        self._task: asyncio.Task[None] | None = None
        # (when, primary LSN) of the last max_lag seconds, oldest first
        self._positions: deque[tuple[float, int]] = deque(
            maxlen=int(max_lag / check_interval) + 2)

    # --- the request path: cheap, no I/O ---------------------------------------------

    def for_user(self, user_id: int) -> Any:
        """The database a read of this user's goes to: a replica that has caught up with
        everything they (and, past max_lag, anyone) wrote, else the primary."""
        since = self._clock() - self.max_lag
        wrote = self._writes.get(user_id, NEVER)
        if wrote > since:
            since = wrote
        if self._floor > since:
            since = self._floor
        replicas = self.replicas
        n = len(replicas)
        self._turn = turn = (self._turn + 1) % n
        for i in range(n):
            replica = replicas[(turn + i) % n]
            if replica.caught_up_at > since:
                return replica
        return self.primary

    def wrote(self, user_id: int | str) -> None:
        """This user has written (here, or in another worker: a notification)."""
        self._writes[int(user_id)] = self._clock()

    def untrust(self) -> None:
        """Writes of other workers may go unheard from now on: primary only."""
        self._floor = float("inf")

    def trust(self) -> None:
        """Writes are heard again; any missed meanwhile were made before now."""
        self._floor = self._clock()

    # --- keeping track of the replicas -------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._check_forever())

    async def close(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None
        for replica in self.replicas:
            await replica.close()

    async def _check_forever(self) -> None:
        while True:
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception:  # never let the checker die: the replicas just age out
                log.exception("replica check failed")
            await asyncio.sleep(self.check_interval)

    async def check(self) -> None:
        asked_at = self._clock()
        try:
            async with self.primary.connection() as conn:
                self._positions.append((asked_at, lsn(await conn.fetchval(PRIMARY_LSN))))
        except DatabaseUnavailable:
            return  # nothing to compare with: the replicas age past max_lag
        for replica in self.replicas:
            try:
                replayed = await asyncio.wait_for(_replayed(replica), self.max_lag)
            except Exception as exc:  # down, not answering, or refusing us (no database)
                if replica.caught_up_at != NEVER:
                    log.warning("read replica skipped", extra={"fields": {
                        "replica": _safe(replica.url), "error": f"{type(exc).__name__}: {exc}"}})
                replica.down()
                continue
            if replayed is None:
                if replica.caught_up_at != NEVER:
                    replica.down()
                log.error("not a streaming replica (not in recovery): never read from",
                          extra={"fields": {"replica": _safe(replica.url)}})
                continue
            position = lsn(replayed)
            for at, primary_position in reversed(self._positions):
                if position >= primary_position:
                    if at > replica.caught_up_at:
                        replica.caught_up_at = at
                    break
        stale = asked_at - self.max_lag
        self._writes = {u: at for u, at in self._writes.items() if at > stale}


def lsn(text: str) -> int:
    """A WAL position as PostgreSQL writes it ('16/B374D848') as a number."""
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


async def _replayed(replica: Replica) -> str | None:
    async with replica.db.connection() as conn:
        return await conn.fetchval(REPLAYED)


def _safe(url: str) -> str:
    """A URL for the logs: without its password."""
    head, sep, tail = url.rpartition("@")
    if not sep:
        return url
    scheme, _, user = head.partition("://")
    return f"{scheme}://{user.split(':', 1)[0]}@{tail}"


def read_urls(setting: str) -> list[str]:
    """PHONECHAT_READ_DATABASE_URL: one or more URLs, separated by commas or spaces."""
    return [u for u in setting.replace(",", " ").split() if u]


async def open_replicas(setting: str, primary: Any, *, pool_max: int,
                        acquire_timeout: float) -> list[Replica]:
    """A pool per replica URL. No connection is made yet (min 0): a replica that is down at
    start is just skipped until it answers a check."""
    replicas = []
    for url in read_urls(setting):
        db = await PostgresDatabase.connect(url, min_size=0, max_size=pool_max,
                                            acquire_timeout=acquire_timeout)
        replicas.append(Replica(url, db, primary))
    return replicas
