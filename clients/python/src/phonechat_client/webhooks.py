"""Verifying a webhook delivery, as Standard Webhooks 1.0 signs it.

    from phonechat_client import verify_webhook
    event = verify_webhook(secret, request.headers, request.body)   # WebhookVerificationError

The service signs `"<webhook-id>.<webhook-timestamp>.<raw body>"` with HMAC-SHA256 under
each secret that is valid (two while a secret is being rotated) and sends them as
`webhook-signature: v1,<base64> v1,<base64>`. Written on the standard library rather than
on the `standardwebhooks` package so that the client needs httpx alone; the client's tests
check it against that package on real deliveries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

TOLERANCE = 300  # seconds a delivery's timestamp may be from now, either way (the spec's 5 min)


class WebhookVerificationError(Exception):
    """The delivery is not signed by this secret, or is too old or too new to trust."""


def verify_webhook(secret: str, headers: Mapping[str, str], body: bytes | str, *,
                   tolerance: int = TOLERANCE, now: float | None = None) -> Any:
    """The delivered event (the body as JSON) once its signature and timestamp check out.
    `secret` is the webhook's `whsec_...` secret; `headers` any mapping of the request's
    headers (names in any case)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    msg_id, stamp, signatures = (lowered.get(n) for n in (
        "webhook-id", "webhook-timestamp", "webhook-signature"))
    if not (msg_id and stamp and signatures):
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or "
                                       "webhook-signature header")
    try:
        sent_at = int(stamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not a number") from None
    if abs((time.time() if now is None else now) - sent_at) > tolerance:
        raise WebhookVerificationError("webhook-timestamp is too far from now")
    raw = body.encode() if isinstance(body, str) else body
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except ValueError:
        raise WebhookVerificationError("the secret is not a whsec_ secret") from None
    expected = base64.b64encode(hmac.new(
        key, f"{msg_id}.{sent_at}.".encode() + raw, hashlib.sha256).digest()).decode()
    for entry in signatures.split():
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return json.loads(raw)
    raise WebhookVerificationError("no signature matches this secret")
