"""uvicorn's httptools protocol with read deadlines: a slow client cannot hold a connection.

uvicorn bounds only the idle time between requests (keep-alive). Here a connection must
deliver a request's headers within `PHONECHAT_HEADER_TIMEOUT` seconds of its opening (or of
the request's first byte), and then its body within `PHONECHAT_BODY_TIMEOUT` seconds; past
either it is closed. Late headers get a 408 first (no request has started yet); a late body
just closes the connection: the app sees a disconnect and does nothing (api/app.py).
"""

from __future__ import annotations

import asyncio
from functools import lru_cache

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..settings import Settings

_TIMED_OUT = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json; charset=utf-8\r\n"
              b"connection: close\r\ncontent-length: 51\r\n\r\n"
              b'{"Message":"The request was not received in time."}')


@lru_cache(maxsize=1)
def deadlines() -> tuple[float, float]:
    """(header, body) seconds, read once per process from the environment (each of
    `serve`'s worker processes reads them itself)."""
    s = Settings.from_env()
    return s.header_timeout, s.body_timeout


class DeadlineHttpToolsProtocol(HttpToolsProtocol):
    # One timer per connection, not one per deadline: arming a deadline only notes when it
    # falls (two timers armed and cancelled per request cost several us of CPU on every
    # request, bench/RESULTS.md); the timer, when it fires, closes the connection if the
    # deadline has passed, or waits again for the one now in force.
    _due: float | None = None  # when the deadline in force falls (loop time); None: none
    _on_expiry: object = None
    _timer: asyncio.TimerHandle | None = None
    _timer_at = 0.0

    def _arm(self, seconds: float, on_expiry: object) -> None:
        due = self._due = self.loop.time() + seconds
        self._on_expiry = on_expiry
        if self._timer is None or self._timer_at > due:
            self._schedule(due)

    def _schedule(self, at: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = at
        self._timer = self.loop.call_at(at, self._check)

    def _disarm(self) -> None:
        self._due = None

    def _check(self) -> None:
        self._timer = None
        due = self._due
        if due is None:
            return  # nothing pending: the next deadline armed schedules the timer again
        if due > self.loop.time():
            self._schedule(due)
            return
        self._due = None
        self._on_expiry()  # type: ignore[operator]

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(deadlines()[0], self._headers_late)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._due is None:  # a later request on a kept-alive connection
            self._arm(deadlines()[0], self._headers_late)

    def on_headers_complete(self) -> None:
        self._arm(deadlines()[1], self._body_late)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def _headers_late(self) -> None:
        if not self.transport.is_closing():
            self.transport.write(_TIMED_OUT)
            self.transport.close()

    def _body_late(self) -> None:
        if not self.transport.is_closing():
            self.transport.close()

