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
    _deadline: asyncio.TimerHandle | None = None

    def _arm(self, seconds: float, on_expiry: object) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, on_expiry)  # type: ignore[arg-type]

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(deadlines()[0], self._headers_late)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:  # a later request on a kept-alive connection
            self._arm(deadlines()[0], self._headers_late)

    def on_headers_complete(self) -> None:
        self._arm(deadlines()[1], self._body_late)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def _headers_late(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.write(_TIMED_OUT)
            self.transport.close()

    def _body_late(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()
