"""Webhooks (an extension, issue 10): an application manages its own with its API key and
secret; the worker fans booking_events out into deliveries (the outbox) and sends them,
signed as Standard Webhooks 1.0 says, retrying with backoff on the service's clock.

booking_events is itself the transactional outbox: written with the change, and its
EventIDs are drawn in commit order (store/events.py), so the fan-out's cursor never skips an
event committed late. A delivery is claimed with a lease before it is sent: a worker killed
mid-send leaves the claim to expire and another sends it again (at least once; receivers
deduplicate by webhook-id).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import math
import random
import secrets as random_source
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..domain import webhooks as rules
from ..domain.access import PHONECHAT
from ..domain.errors import Invalid, NotFound
from ..oauth.validator import Client
from ..store import oauth as oauth_store
from ..store import webhooks as store
from ..store.db import Database, Row
from . import views

log = logging.getLogger("phonechat.webhooks")

WEBHOOK_NOT_FOUND = "No webhook of this application was found with that WebhookID."
EVENT_NOT_FOUND = "No event this webhook receives was found with that EventID."

Resolve = Callable[[str], Awaitable[list[str] | None]]


async def resolve(host: str) -> list[str] | None:
    """The addresses `host` resolves to (None: it does not)."""
    try:
        ipaddress.ip_address(host)
        return [host]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return None
    return [str(info[4][0]) for info in infos]


async def url_refusal(url: str, allow_private: bool, resolver: Resolve = resolve) -> str | None:
    """Why `url` may not receive, or None; outside the sandbox its host is resolved and
    every address must be public (checked again before each attempt: DNS can change)."""
    refusal = rules.url_refusal(url, allow_private=allow_private)
    if refusal or allow_private:
        return refusal
    return rules.address_refusal(await resolver(urlsplit(url).hostname or ""))


# --- the typed values the API renders -------------------------------------------------------


@dataclass(slots=True)
class Webhook:
    webhook_id: int
    url: str
    events: list[str]
    created: datetime
    old_secret_expires: datetime | None  # during a rotation, when the old secret stops


@dataclass(slots=True)
class WebhookSecret:
    """Create's and RotateSecret's answer: the secret, shown this once."""

    webhook_id: int
    url: str
    events: list[str]
    secret: str
    old_secret_expires: datetime | None


@dataclass(slots=True)
class Webhooks:
    webhooks: list[Webhook]


@dataclass(slots=True)
class DeliveryAttempt:
    event_id: int
    status: str  # the delivery's: Pending, Delivered, Failed
    attempted_at: datetime
    status_code: int | None
    duration_ms: int
    error: str | None
    next_retry_at: datetime | None


@dataclass(slots=True)
class DeliveriesPage:
    page_count: int
    page_number: int
    page_size: int
    attempts: list[DeliveryAttempt]


@dataclass(slots=True)
class Outcome:
    """Delete's and Redeliver's answer."""

    webhook_id: int
    event_id: int | None
    status: str


def _expires(row: Row, now: datetime) -> datetime | None:
    e = row["previous_secret_expires"]
    return e if row["previous_secret"] and e is not None and e > now else None


def _webhook(row: Row, now: datetime) -> Webhook:
    return Webhook(row["id"], row["url"], row["events"].split(), row["created_at"],
                   _expires(row, now))


# --- management (the app's own, by its API key) ---------------------------------------------


async def create(db: Database, app: Client, url: str, events: tuple[str, ...], now: datetime,
                 *, allow_private: bool, resolver: Resolve = resolve) -> WebhookSecret:
    refusal = await url_refusal(url, allow_private, resolver)
    if refusal:
        raise Invalid.field("Url", refusal)
    secret = rules.new_secret(random_source.token_bytes(24))
    async with db.transaction() as tx:
        webhook_id = await store.insert(tx, app.id, url, " ".join(events), secret, now)
    return WebhookSecret(webhook_id, url, list(events), secret, None)


async def list_webhooks(db: Database, app: Client, now: datetime) -> Webhooks:
    async with db.connection() as conn:
        return Webhooks([_webhook(r, now) for r in await store.of_app(conn, app.id)])


async def _mine(conn: Any, app: Client, webhook_id: int) -> Row:
    row = await store.one(conn, app.id, webhook_id)
    if row is None:
        raise NotFound(WEBHOOK_NOT_FOUND)
    return row


async def delete(db: Database, app: Client, webhook_id: int) -> Outcome:
    async with db.transaction() as tx:
        await _mine(tx, app, webhook_id)
        await store.delete(tx, webhook_id)
    return Outcome(webhook_id, None, "Deleted")


async def rotate_secret(db: Database, app: Client, webhook_id: int, hours: int | None,
                        now: datetime) -> WebhookSecret:
    """A new secret; the old one keeps signing beside it for `hours` (default 24)."""
    hours = rules.DEFAULT_EXPIRE_OLD_AFTER_HOURS if hours is None else hours
    secret = rules.new_secret(random_source.token_bytes(24))
    async with db.transaction() as tx:
        row = await _mine(tx, app, webhook_id)
        expires = now + timedelta(hours=hours)
        await store.rotate(tx, webhook_id, secret, row["secret"], expires)
    return WebhookSecret(webhook_id, row["url"], row["events"].split(), secret,
                         expires if hours else None)


async def deliveries(db: Database, app: Client, webhook_id: int, page: int | None,
                     per_page: int | None) -> DeliveriesPage:
    """Every attempt, newest first, with its delivery's status."""
    page, per_page = page or 1, per_page or 50
    async with db.connection() as conn:
        await _mine(conn, app, webhook_id)
        total, rows = await store.attempts(conn, webhook_id, per_page, (page - 1) * per_page)
    return DeliveriesPage(math.ceil(total / per_page), page, per_page, [
        DeliveryAttempt(r["event_id"], r["status"], r["attempted_at"], r["status_code"],
                        r["duration_ms"], r["error"], r["next_retry_at"]) for r in rows])


async def redeliver(db: Database, app: Client, webhook_id: int, event_id: int, now: datetime,
                    *, sandbox_app: str | None = None) -> Outcome:
    """Send an event again (due now, for a new 3 days): only one the webhook receives."""
    async with db.transaction() as tx:
        hook = await _mine(tx, app, webhook_id)
        event = await store.event(tx, event_id)
        if event is None or not await _receives(tx, hook, event, sandbox_app):
            raise NotFound(EVENT_NOT_FOUND)
        await store.redeliver(tx, webhook_id, event_id, now)
    return Outcome(webhook_id, event_id, "Pending")


# --- fan-out: events -> deliveries ----------------------------------------------------------


async def _authorized(conn: Any, event: Row) -> set[int]:
    """The applications the event's concerned users have granted the PhoneChat scope (a
    revoked grant is deleted)."""
    concerned = {event["only_user_id"]} if event["only_user_id"] else {
        event["client_id"], event["candidate_id"]}
    return {g["application_id"] for g in await store.grants_of(conn, event["client_id"],
                                                               event["candidate_id"])
            if g["user_id"] in concerned and PHONECHAT in g["scopes"].split()}


async def _receives(conn: Any, hook: Row, event: Row, sandbox_app: str | None,
                    authorized: set[int] | None = None, app_keys: dict[int, str] | None = None
                    ) -> bool:
    if event["id"] <= hook["after_event_id"] and authorized is not None:
        return False  # fan-out: older than the webhook (Redeliver may send any)
    if not rules.subscribed(hook["events"].split(), event["type"]):
        return False
    if authorized is None:
        authorized = await _authorized(conn, event)
    if hook["application_id"] in authorized:
        return True
    if sandbox_app is None:
        return False
    if app_keys is None:
        app_keys = {r["id"]: r["api_key"] for r in await oauth_store.list_apps(conn)}
    return app_keys.get(hook["application_id"]) == sandbox_app


async def fan_out(db: Database, now: datetime, *, sandbox_app: str | None = None,
                  batch: int = 200) -> int:
    """Make the deliveries of the events not fanned out yet; how many. One worker at a time
    (the cursor row is locked), each event once."""
    made = 0
    while True:
        async with db.transaction() as tx:
            after = await store.lock_cursor(tx)
            events = await store.events_after(tx, after, batch)
            if not events:
                return made
            hooks = await store.every(tx)
            app_keys = ({r["id"]: r["api_key"] for r in await oauth_store.list_apps(tx)}
                        if sandbox_app and hooks else {})
            for event in events:
                if not hooks:
                    break
                authorized = await _authorized(tx, event)
                for hook in hooks:
                    if await _receives(tx, hook, event, sandbox_app, authorized, app_keys):
                        made += await store.add_delivery(tx, hook["id"], event["id"], now)
            await store.move_cursor(tx, events[-1]["id"])
        if len(events) < batch:
            return made


# --- sending --------------------------------------------------------------------------------


@dataclass
class Sender:
    """What sending needs: the event's JSON, whether private addresses may receive, an
    HTTP client (made on first use) and the source of jitter."""

    render: Callable[[views.BookingEvent], bytes]
    allow_private: bool
    resolver: Resolve = resolve
    client: httpx.AsyncClient | None = None
    jitter: Callable[[], float] = lambda: random.uniform(0.8, 1.2)

    def http(self) -> httpx.AsyncClient:
        if self.client is None:
            self.client = httpx.AsyncClient(follow_redirects=False, trust_env=False)
        return self.client


async def deliver_due(db: Database, clock: Any, sender: Sender, batch: int = 50) -> int:
    """Send every due delivery, each on its own (a slow receiver delays no other); how
    many were delivered."""
    delivered = 0
    while True:
        now = clock.now()
        async with db.transaction() as tx:
            ids = await store.claim_due(tx, now, now + rules.CLAIM_LEASE, batch)
        if not ids:
            return delivered
        done = await asyncio.gather(*(_send(db, clock, sender, i) for i in ids))
        delivered += sum(done)
        if len(ids) < batch:
            return delivered


async def _send(db: Database, clock: Any, sender: Sender, delivery_id: int) -> bool:
    async with db.connection() as conn:
        found = await store.to_send(conn, delivery_id)
    if found is None:
        return False  # the webhook was deleted meanwhile
    row, event = found
    now = clock.now()
    body = sender.render(views.booking_event(event))
    msg_id = rules.message_id(row["webhook_id"], row["event_id"])
    valid = [row["secret"]] + ([row["previous_secret"]] if _expires(row, now) else [])
    stamp = int(time.time())  # real time: receivers check it against their own clocks
    headers = {"content-type": "application/json", "webhook-id": msg_id,
               "webhook-timestamp": str(stamp),
               "webhook-signature": rules.signature_header(valid, msg_id, stamp, body),
               "phonechat-event-type": event["type"], "user-agent": "phonechat-webhooks"}
    status_code, error = None, None
    started = time.perf_counter()
    refusal = await url_refusal(row["url"], sender.allow_private, sender.resolver)
    if refusal:
        error = refusal
    else:
        try:
            r = await sender.http().post(row["url"], content=body, headers=headers,
                                         timeout=rules.DELIVERY_TIMEOUT)
            status_code = r.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__
    duration = int((time.perf_counter() - started) * 1000)
    now = clock.now()
    if error is None:
        status, nxt = "Delivered", None
    else:
        nxt = rules.next_attempt(row["first_due"], row["attempts"] + 1, now, sender.jitter())
        status = "Pending" if nxt else "Failed"
    async with db.transaction() as tx:
        await store.record(tx, delivery_id, at=now, status_code=status_code,
                           duration_ms=duration, error=error, status=status,
                           next_attempt_at=nxt)
    if error:
        log.info("webhook delivery failed", extra={"fields": {
            "webhook": row["webhook_id"], "event": row["event_id"], "error": error,
            "status": status}})
    return error is None
