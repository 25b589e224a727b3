"""The background worker: applies the transitions the clock makes due, in one sweep:
settlement (a Confirmed booking is paid to its candidate) and the automatic rejection of a
booking never accepted (a Pending booking becomes Rejected), both the settlement hold period
after the session's end (domain/lifecycle.py).

`phonechat worker` runs `run` on the system clock (or `--once`, for cron and tests); the
sandbox runs the same loop inside its server on the movable clock, and settles at once
whenever the clock is moved. Several workers may run at once: see settle_due.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any, NamedTuple

from ..store.db import Database, DatabaseUnavailable
from .lifecycle import reject_unaccepted, settle_due

log = logging.getLogger("phonechat.worker")


def settlement_hold(settings: Any) -> timedelta:
    return timedelta(hours=settings.settlement_hold_hours)


class Sweep(NamedTuple):
    settled: int
    rejected: int

    def __str__(self) -> str:
        return f"settled {self.settled} booking(s), rejected {self.rejected} booking(s)"


async def run_once(db: Database, clock: Any, hold: timedelta) -> Sweep:
    now = clock.now()
    done = Sweep(await settle_due(db, now, hold), await reject_unaccepted(db, now, hold))
    if done.settled:
        log.info("settled", extra={"fields": {"bookings": done.settled}})
    if done.rejected:
        log.info("rejected unaccepted", extra={"fields": {"bookings": done.rejected}})
    return done


async def run(db: Database, clock: Any, hold: timedelta, interval: float) -> None:
    """Forever: sweep what is due, then wait `interval` seconds."""
    while True:
        try:
            await run_once(db, clock, hold)
        except DatabaseUnavailable as exc:
            log.warning("database unavailable", extra={"fields": {"error": str(exc)}})
        except Exception:  # keep going; the failure is logged with its traceback
            log.exception("worker pass failed")
        await asyncio.sleep(interval)


def start_in_background(app: Any) -> asyncio.Task[None]:
    """The sandbox's in-process worker, on the app's (movable) clock."""
    s = app.settings
    return asyncio.get_running_loop().create_task(
        run(app.db, app.clock, settlement_hold(s), s.worker_interval))
