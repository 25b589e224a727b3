"""The background worker: applies the transitions the clock makes due, in one sweep:
settlement (a Confirmed booking is paid to its candidate) and the automatic rejection of a
booking never accepted (a Pending booking becomes Rejected), both the settlement hold period
after the session's end (domain/lifecycle.py); then sends the webhooks' due deliveries
(services/webhooks.py), when given a Sender.

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
from . import webhooks
from .lifecycle import reject_unaccepted, settle_due

log = logging.getLogger("phonechat.worker")


def settlement_hold(settings: Any) -> timedelta:
    return timedelta(hours=settings.settlement_hold_hours)


class Sweep(NamedTuple):
    settled: int
    rejected: int

    def __str__(self) -> str:
        return f"settled {self.settled} booking(s), rejected {self.rejected} booking(s)"


async def run_once(db: Database, clock: Any, hold: timedelta,
                   sender: webhooks.Sender | None = None, sandbox_app: str | None = None) -> Sweep:
    now = clock.now()
    done = Sweep(await settle_due(db, now, hold), await reject_unaccepted(db, now, hold))
    if done.settled:
        log.info("settled", extra={"fields": {"bookings": done.settled}})
    if done.rejected:
        log.info("rejected unaccepted", extra={"fields": {"bookings": done.rejected}})
    if sender is not None:
        await webhooks.fan_out(db, clock.now(), sandbox_app=sandbox_app)
        delivered = await webhooks.deliver_due(db, clock, sender)
        if delivered:
            log.info("webhooks delivered", extra={"fields": {"deliveries": delivered}})
    return done


def sender(settings: Any) -> webhooks.Sender:
    """The worker's webhook sender (the event's JSON as the feed shows it)."""
    from ..api.events_routes import event_json  # the representation, at the outer layer

    return webhooks.Sender(event_json, allow_private=settings.webhooks_private_ok)


async def run(db: Database, clock: Any, hold: timedelta, interval: float,
              sender: webhooks.Sender | None = None, sandbox_app: str | None = None) -> None:
    """Forever: sweep what is due and send due webhooks, then wait `interval` seconds."""
    while True:
        try:
            await run_once(db, clock, hold, sender, sandbox_app)
        except DatabaseUnavailable as exc:
            log.warning("database unavailable", extra={"fields": {"error": str(exc)}})
        except Exception:  # keep going; the failure is logged with its traceback
            log.exception("worker pass failed")
        await asyncio.sleep(interval)


def start_in_background(app: Any) -> asyncio.Task[None]:
    """The sandbox's in-process worker, on the app's (movable) clock; its demo app counts
    as authorized by every sandbox user, so its webhooks get every event."""
    from ..sandbox import DEMO_APP

    s = app.settings
    return asyncio.get_running_loop().create_task(
        run(app.db, app.clock, settlement_hold(s), s.worker_interval, sender(s),
            DEMO_APP["client_id"]))
