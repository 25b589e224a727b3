"""Webhooks (an extension, issue 10): what may be subscribed, which URLs may receive, how a
delivery is signed (Standard Webhooks 1.0) and when a failed one is tried again. No I/O:
addresses are resolved by the caller, randomness and `now` are parameters."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from .lifecycle import EVENT_TYPES
from .validation import FieldError, accepts

ALL_EVENTS = "*"
SECRET_PREFIX = "whsec_"
DELIVERY_TIMEOUT = 10.0  # seconds: a 2xx within this is delivered
RETRY_FOR = timedelta(days=3)  # then the delivery is marked failed (the webhook stays on)
FIRST_RETRY = timedelta(seconds=5)
MAX_RETRY_GAP = timedelta(hours=6)
CLAIM_LEASE = timedelta(seconds=60)  # a claimed delivery is free again after this
MAX_URL_LENGTH = 2000
DEFAULT_EXPIRE_OLD_AFTER_HOURS = 24


@accepts({"type": "array", "minItems": 1, "maxItems": len(EVENT_TYPES) + 1,
          "items": {"type": "string", "enum": [ALL_EVENTS, *EVENT_TYPES]}})
def event_types(name: str, raw: Any) -> tuple[str, ...]:
    """Create's Events: a list of event types, or ["*"] for all of them."""
    if not isinstance(raw, list) or not raw:
        raise FieldError(f"The field {name} must be a non-empty list of event types or [\"*\"].")
    chosen: dict[str, None] = {}
    for item in raw:
        if not isinstance(item, str) or item not in (ALL_EVENTS, *EVENT_TYPES):
            shown = item if isinstance(item, str) else type(item).__name__
            raise FieldError(f"The value '{str(shown)[:50]}' is not valid for {name}: one of "
                             f"{', '.join(EVENT_TYPES)}, or \"*\".")
        chosen[item] = None
    return (ALL_EVENTS,) if ALL_EVENTS in chosen else tuple(chosen)


def subscribed(events: Iterable[str], event_type: str) -> bool:
    return ALL_EVENTS in events or event_type in events


# --- which URLs may receive ----------------------------------------------------------------


def url_refusal(url: str, *, allow_private: bool) -> str | None:
    """Why `url` may not receive deliveries, by its form alone, or None. Unless
    `allow_private` (the sandbox, or PHONECHAT_WEBHOOK_ALLOW_PRIVATE=1): https only."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "The Url must be an absolute http(s) URL."
    if parts.username or parts.password:
        return "The Url must not carry a user name or password."
    if not allow_private and parts.scheme != "https":
        return "The Url must use https."
    return None


def address_refusal(addresses: Iterable[str] | None) -> str | None:
    """Why a host resolving to `addresses` (None: it does not resolve) may not receive
    deliveries outside the sandbox, or None: every address must be public (SSRF)."""
    if not addresses:
        return "The Url's host does not resolve."
    for a in addresses:
        ip = ipaddress.ip_address(a.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            return "The Url must resolve to public addresses only."
    return None


# --- signatures (https://www.standardwebhooks.com/, 1.0) -----------------------------------


def new_secret(random_bytes: bytes) -> str:
    return SECRET_PREFIX + base64.b64encode(random_bytes).decode()


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed by the secret's bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signature_header(secrets: Iterable[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """One space-separated entry per valid secret (both during a rotation)."""
    return " ".join(signature(s, msg_id, timestamp, body) for s in secrets)


def message_id(webhook_id: int, event_id: int) -> str:
    """webhook-id: the same on every attempt of one event to one webhook."""
    return f"msg_{event_id}_{webhook_id}"


# --- retries ---------------------------------------------------------------------------------


def next_attempt(first: datetime, attempts: int, now: datetime, jitter: float) -> datetime | None:
    """After the `attempts`-th failed attempt (from 1) of a delivery first due at `first`:
    when to try again (exponential, 5 s x 3^(n-1) capped at 6 hours, times `jitter` in
    [0.8, 1.2)), or None once RETRY_FOR has passed (the delivery has failed)."""
    gap = min(FIRST_RETRY * 3 ** (attempts - 1), MAX_RETRY_GAP) * jitter
    due = now + gap
    return None if due > first + RETRY_FOR else due
