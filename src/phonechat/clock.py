"""The one source of `now`: naive wall-clock time in the service's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


class SystemClock:
    """Real time, in the service's time zone."""

    movable = False

    def __init__(self, timezone: str = "Europe/London") -> None:
        self.zone = ZoneInfo(timezone)

    def now(self) -> datetime:
        return datetime.now(self.zone).replace(tzinfo=None)


class FrozenClock:
    """A clock that stands still until it is moved (the sandbox's and the tests')."""

    movable = True

    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at
