"""The background worker: applies the transitions the clock makes due (settlement).

`phonechat worker` runs `run` on the system clock (or `--once`, for cron and tests); the
sandbox runs the same loop inside its server on the movable clock, and settles at once
whenever the clock is moved. Several workers may run at once: see settle_due.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from ..store.db import Database, DatabaseUnavailable
from .lifecycle import settle_due

log = logging.getLogger("phonechat.worker")


def settlement_hold(settings: Any) -> timedelta:
    return timedelta(hours=settings.settlement_hold_hours)


async def run_once(db: Database, clock: Any, hold: timedelta) -> int:
    settled = await settle_due(db, clock.now(), hold)
    if settled:
        log.info("settled", extra={"fields": {"bookings": settled}})
    return settled


async def run(db: Database, clock: Any, hold: timedelta, interval: float) -> None:
    """Forever: settle what is due, then wait `interval` seconds."""
    while True:
        try:
            await run_once(db, clock, hold)
        except DatabaseUnavailable as exc:
            log.warning("database unavailable", extra={"fields": {"error": str(exc)}})
        except Exception:  # keep going; the failure is logged with its traceback
            log.exception("settlement pass failed")
        await asyncio.sleep(interval)


def start_in_background(app: Any) -> asyncio.Task[None]:
    """The sandbox's in-process worker, on the app's (movable) clock."""
    s = app.settings
    return asyncio.get_running_loop().create_task(
        run(app.db, app.clock, settlement_hold(s), s.worker_interval))
