"""What every `phonechat` command that works on the database shares: one short-lived
connection pool for the command's work, and the service's clock."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from .settings import Settings


def run_with_database(work: Callable[[Any], Awaitable[Any]]) -> Any:
    """`work(db)` on the database of PHONECHAT_DATABASE_URL, the pool closed after it."""
    from .store.db import open_database

    async def go() -> Any:
        db = await open_database(Settings.from_env().database_url, pool_min=1, pool_max=2)
        try:
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(go())


def service_now() -> datetime:
    """Now on the service's clock (PHONECHAT_TIMEZONE's wall-clock time)."""
    from .clock import SystemClock

    return SystemClock(Settings.from_env().timezone).now()
