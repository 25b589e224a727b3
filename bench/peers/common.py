"""What both framework peers share with bench/reference_app.py: the same SQL (the reference's,
which bench/run.py checks is phonechat's), the same view of a row, the same token lookup
as phonechat (its compiled statement, the SHA-256 of the token, a valid grant remembered
for as long as phonechat on PostgreSQL remembers one, expiry checked every time, the scope
required)."""

from __future__ import annotations

import hashlib
import os
import sys
import time
from datetime import datetime
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import reference_app as ref  # noqa: E402

from phonechat.services.grant_cache import remember_seconds  # noqa: E402
from phonechat.settings import Settings  # noqa: E402
from phonechat.store.accounts import TOKEN  # noqa: E402

DSN = ref.DSN
POOL_MAX = ref.POOL_MAX
ZONE = ref.ZONE
MADE_BOOKING = ref.MADE_BOOKING
TOKEN_SQL = TOKEN.compiled("postgresql")[0]
SCOPE = "account_phonechat_bookings"
CACHE_SECONDS = remember_seconds(Settings.from_env().token_cache_seconds, pushed=True)
view = ref._view


class Grants:
    """token -> (user id, nickname), as phonechat's token check and grant cache do it."""

    def __init__(self) -> None:
        self.pool: asyncpg.Pool | None = None
        self._cache: dict[str, tuple[float, tuple[int, str], datetime]] = {}

    async def open(self) -> None:
        self.pool = await asyncpg.create_pool(DSN, min_size=2, max_size=POOL_MAX,
                                              connection_class=ref._Connection)

    async def close(self) -> None:
        await self.pool.close()

    async def user(self, authorization: str | None, now: datetime) -> tuple[int, str] | None:
        """The caller, or None (401) for a missing, unknown, expired, revoked or
        out-of-scope token."""
        if not authorization:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        key = hashlib.sha256(token.encode()).hexdigest()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1] if hit[2] > now else None
        async with self.pool.acquire() as c:
            row = await c.fetchrow(TOKEN_SQL, key)
        if (row is None or row["expires_at"] <= now or row["revoked_at"] is not None
                or row["app_disabled"] or SCOPE not in row["scopes"].split()):
            return None
        user = (row["user_id"], row["nickname"])
        self._cache[key] = (time.monotonic() + CACHE_SECONDS, user, row["expires_at"])
        return user


def now() -> datetime:
    return datetime.now(ZONE).replace(tzinfo=None)
