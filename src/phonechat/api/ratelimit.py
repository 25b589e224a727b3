"""Rate limits per user and per application: fixed windows, counted in Redis or in process.

Each authenticated request counts once against its user's window and (when its token was
issued to an application) its application's window. Over either limit: 429 with Retry-After.
Every answer to an authenticated request carries X-RateLimit-Limit / -Remaining / -Reset
(seconds until the window resets) of the tighter of the two.

With PHONECHAT_REDIS_URL every worker and instance counts in one place: one EVALSHA round
trip per request (INCR + EXPIRE of both counters in a Lua script, atomic). If Redis cannot
be reached the request is let through (fail open) and a warning is logged at most every
10 seconds; Redis is not tried again for a second, so an outage costs no latency.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..domain.access import Grant
from .http import HttpError

log = logging.getLogger("phonechat.ratelimit")

_PERIODS = {"second": 1, "sec": 1, "s": 1, "minute": 60, "min": 60, "m": 60,
            "hour": 3600, "h": 3600, "day": 86400, "d": 86400}


@dataclass(frozen=True, slots=True)
class Limit:
    count: int
    period: int  # seconds

    def __str__(self) -> str:
        return f"{self.count} per {self.period} seconds"


def parse_limit(text: str) -> Limit | None:
    """`600/minute`, `10/second`, `5000/hour`, `100/30` (seconds); empty or `off`: None."""
    text = text.strip().lower()
    if text in ("", "off", "none", "0"):
        return None
    m = re.fullmatch(r"(\d+)\s*/\s*(\d+|[a-z]+)", text)
    if m is None or (not m.group(2).isdigit() and m.group(2) not in _PERIODS):
        raise ValueError(f"not a rate limit: {text!r} (expected e.g. 600/minute)")
    period = int(m.group(2)) if m.group(2).isdigit() else _PERIODS[m.group(2)]
    if int(m.group(1)) <= 0 or period <= 0:
        raise ValueError(f"not a rate limit: {text!r} (count and period must be positive)")
    return Limit(int(m.group(1)), period)


class Counter:
    """Counts hits per (key, window); returns each count after this hit."""

    async def hit(self, keys: list[str], ttls: list[int]) -> list[int] | None: ...
    async def close(self) -> None: ...


class MemoryCounter(Counter):
    """Per process (no Redis): each worker counts its own share of the traffic."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._window: dict[str, str] = {}

    async def hit(self, keys: list[str], ttls: list[int]) -> list[int]:
        out = []
        for key in keys:
            base = key.rpartition(":")[0]
            if self._window.get(base) != key:  # a new window: forget the old one
                old = self._window.get(base)
                if old is not None:
                    self._counts.pop(old, None)
                self._window[base] = key
            n = self._counts.get(key, 0) + 1
            self._counts[key] = n
            out.append(n)
        return out

    async def close(self) -> None:
        pass


_HIT = """
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('EXPIRE', key, ARGV[i]) end
  out[i] = n
end
return out
"""


class RedisCounter(Counter):
    """Shared by every worker and instance; None (let through) when Redis fails.

    Hits that arrive in the same event-loop turn go to Redis together, in one EVALSHA
    (the script takes any number of keys), so under load a worker makes one round trip
    per batch rather than one per request.
    """

    def __init__(self, url: str, timeout: float, monotonic: Callable[[], float] = time.monotonic):
        import redis.asyncio as redis

        self._redis = redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                     health_check_interval=0)
        self._script = self._redis.register_script(_HIT)
        self._monotonic = monotonic
        self._skip_until = 0.0
        self._warned_at = -math.inf
        self._batch: list[tuple[list[str], list[int], asyncio.Future[list[int] | None]]] = []
        self._sending: set[asyncio.Future[None]] = set()

    async def hit(self, keys: list[str], ttls: list[int]) -> list[int] | None:
        if self._monotonic() < self._skip_until:
            return None
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[int] | None] = loop.create_future()
        if not self._batch:
            loop.call_soon(self._flush)
        self._batch.append((keys, ttls, future))
        return await future

    def _flush(self) -> None:
        batch, self._batch = self._batch, []
        task = asyncio.ensure_future(self._send(batch))
        self._sending.add(task)  # the loop keeps only a weak reference to tasks
        task.add_done_callback(self._sending.discard)

    async def _send(self, batch: list[tuple[list[str], list[int],
                                            asyncio.Future[list[int] | None]]]) -> None:
        keys = [k for ks, _, _ in batch for k in ks]
        ttls = [t for _, ts, _ in batch for t in ts]
        try:
            counts: list[int] | None = [int(n) for n in await self._script(keys=keys, args=ttls)]
        except Exception as exc:  # Redis down or slow: fail open
            counts = None
            now = self._monotonic()
            self._skip_until = now + 1.0
            if now - self._warned_at >= 10.0:
                self._warned_at = now
                log.warning("rate limits not enforced: Redis unavailable", extra={"fields": {
                    "error": f"{type(exc).__name__}: {exc}"}})
        at = 0
        for ks, _, future in batch:
            if not future.done():
                future.set_result(None if counts is None else counts[at:at + len(ks)])
            at += len(ks)

    async def close(self) -> None:
        await self._redis.aclose()


class RateLimiter:
    def __init__(self, per_user: Limit | None, per_app: Limit | None, counter: Counter,
                 prefix: str = "phonechat:", clock: Callable[[], float] = time.time) -> None:
        self.per_user = per_user
        self.per_app = per_app
        self.counter = counter
        self.prefix = prefix + "rl:"
        self.clock = clock

    async def check(self, grant: Grant) -> list[tuple[bytes, bytes]]:
        """The X-RateLimit-* headers for this request; HttpError 429 when over a limit."""
        now = self.clock()
        limits: list[tuple[str, Limit]] = []
        if self.per_user is not None:
            limits.append((f"u:{grant.user.id}", self.per_user))
        app_id = getattr(grant, "application_id", None)
        if self.per_app is not None and app_id is not None:
            limits.append((f"a:{app_id}", self.per_app))
        if not limits:
            return []
        keys = [f"{self.prefix}{who}:{limit.period}:{int(now // limit.period)}"
                for who, limit in limits]
        counts = await self.counter.hit(keys, [limit.period + 1 for _, limit in limits])
        if counts is None:
            return []
        # Report the tighter limit: the one with the least left (an exceeded one first).
        worst = None
        for (who, limit), n in zip(limits, counts):
            left = limit.count - n
            reset = max(1, math.ceil(limit.period - now % limit.period))
            if worst is None or left < worst[1]:
                worst = (limit, left, reset, who)
        limit, left, reset, who = worst  # type: ignore[misc]
        headers = [(b"x-ratelimit-limit", str(limit.count).encode()),
                   (b"x-ratelimit-remaining", str(max(0, left)).encode()),
                   (b"x-ratelimit-reset", str(reset).encode())]
        if left < 0:
            whose = "this user" if who.startswith("u:") else "this application"
            raise HttpError(429, f"Too many requests: {whose} may make {limit.count} requests "
                                 f"every {limit.period} seconds. Try again in {reset} seconds.",
                            [(b"retry-after", str(reset).encode()), *headers])
        return headers

    async def close(self) -> None:
        await self.counter.close()


def build_limiter(settings: Any, clock: Callable[[], float] = time.time) -> RateLimiter | None:
    per_user = parse_limit(settings.rate_limit_per_user)
    per_app = parse_limit(settings.rate_limit_per_app)
    if per_user is None and per_app is None:
        return None
    counter: Counter = (RedisCounter(settings.redis_url, settings.redis_timeout)
                        if settings.redis_url else MemoryCounter())
    return RateLimiter(per_user, per_app, counter, settings.redis_prefix, clock)
