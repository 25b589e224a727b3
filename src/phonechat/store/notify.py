"""What one worker tells every other worker, on every machine: PostgreSQL LISTEN/NOTIFY.

Two channels. `phonechat_revoked` (no payload): an access token, a refresh chain or an
application's access was revoked, or an application disabled; workers drop their cached
grants (services/grant_cache.py). It is sent inside the revoking transaction, so
PostgreSQL delivers it when, and only if, the revocation commits. `phonechat_wrote`
(payload: a user id): that user has just written; workers send the user's reads to the
primary until a replica has caught up (store/replicas.py).

`Listener` is each worker's one listening connection. While it is down a notification
may be missed, so the worker is told (`on_lost`) and stops relying on what notifications
keep fresh until the connection is back and subscribed again (`on_back`).
On SQLite there is one process per database file and nothing to tell.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy import bindparam as p

from .db import Conn, Query, _asyncpg_url

log = logging.getLogger("phonechat.notify")

REVOKED = "phonechat_revoked"
WROTE = "phonechat_wrote"
LISTENER_NAME = "phonechat listener"  # application_name: how operators (and tests) find it

_NOTIFY = Query(sa.select(sa.func.pg_notify(p("channel"), p("payload"))))


async def announce_revocation(conn: Conn) -> None:
    """In the revoking transaction: every worker drops its cached grants once it commits."""
    if conn.dialect == "postgresql":
        await conn.fetchval(_NOTIFY, channel=REVOKED, payload="")


async def announce_write(conn: Conn, user_id: int) -> None:
    await conn.fetchval(_NOTIFY, channel=WROTE, payload=str(user_id))


async def cancel_and_wait(task: asyncio.Task[None] | None) -> None:
    """Stop a background loop and wait until it has ended (None: there is none)."""
    if task is not None:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass


class Listener:
    """One connection to the primary that LISTENs on `handlers`' channels, kept open.

    Lost (the server closed it, or it does not answer a check within `check_seconds`),
    it calls `on_lost`, then reconnects every `retry_seconds` until it is subscribed
    again, and calls `on_back`.
    """

    def __init__(self, url: str, handlers: dict[str, Callable[[str], None]],
                 on_lost: Callable[[], None], on_back: Callable[[], None], *,
                 retry_seconds: float = 1.0, check_seconds: float = 5.0) -> None:
        self.url = _asyncpg_url(url)
        self.handlers = handlers
        self.on_lost = on_lost
        self.on_back = on_back
        self.retry_seconds = retry_seconds
        self.check_seconds = check_seconds
        self.connected = False
        self._outage_logged = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # down, refused, terminated: retry (said once per outage)
                if not self._outage_logged:
                    self._outage_logged = True
                    log.warning("listening connection lost: no token cache, no read replicas "
                                "until it is back", extra={"fields": {
                                    "error": f"{type(exc).__name__}: {exc}"}})
            await asyncio.sleep(self.retry_seconds)

    async def _listen(self) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.url, timeout=self.check_seconds,
                                     server_settings={"application_name": LISTENER_NAME})
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _: lost.set())
        try:
            for channel, handle in self.handlers.items():
                await conn.add_listener(channel, _callback(handle))
            self.connected = True
            self._outage_logged = False
            self.on_back()
            while not lost.is_set():
                try:
                    await asyncio.wait_for(lost.wait(), self.check_seconds)
                except TimeoutError:  # quiet for a while: is it still there?
                    await conn.fetchval("SELECT 1", timeout=self.check_seconds)
            raise ConnectionError("the server closed the listening connection")
        finally:
            if self.connected:
                self.connected = False
                self.on_lost()
            conn.terminate()


def _callback(handle: Callable[[str], None]) -> Callable[..., None]:
    def received(conn: object, pid: int, channel: str, payload: str) -> None:
        handle(payload)

    return received
