"""verify_webhook on real deliveries: a sandbox with a webhook aimed at a receiver on
loopback, a booking cancelled through the client, the delivery checked by the helper and,
for agreement, by the `standardwebhooks` package (the service's tests use it too)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from phonechat_client import PhoneChat, WebhookVerificationError, verify_webhook

from conftest import TOKENS, start_sandbox, stop_sandbox

APP = {"X-ApiKey": "sandbox-demo-app", "X-ApiSecret": "sandbox-demo-secret"}


@pytest.fixture
def receiver() -> Iterator[tuple[str, queue.Queue]]:
    got: queue.Queue = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.put((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", got
    finally:
        server.shutdown()


@pytest.fixture
def quick_sandbox(tmp_path: Path) -> Iterator[str]:
    # The sandbox's worker sends deliveries on each pass: a short pass for the test.
    url, proc = start_sandbox(tmp_path, {"PHONECHAT_WORKER_INTERVAL": "0.2"})
    try:
        yield url
    finally:
        stop_sandbox(proc)


def _delivery(quick_sandbox: str, receiver: tuple[str, queue.Queue]) -> tuple[str, dict, bytes]:
    hook_url, got = receiver
    made = httpx.post(f"{quick_sandbox}/v1/Webhooks/Create", headers=APP,
                      json={"Url": hook_url, "Events": ["booking.cancelled"]})
    assert made.status_code == 200, made.text
    with PhoneChat(quick_sandbox, token=TOKENS["client"]) as api:
        api.cancel_made_booking(booking_id=2, reason="I've had something come up")
    headers, body = got.get(timeout=30)  # the delivery, on its way from the sandbox's worker
    return made.json()["Secret"], headers, body


def test_a_real_delivery_verifies_with_the_helper_and_with_standardwebhooks(
        quick_sandbox, receiver) -> None:
    secret, headers, body = _delivery(quick_sandbox, receiver)
    event = verify_webhook(secret, headers, body)
    assert event["Type"] == "booking.cancelled" and event["BookingID"] == 2

    standardwebhooks = pytest.importorskip("standardwebhooks")
    lowered = {k.lower(): v for k, v in headers.items()}
    assert standardwebhooks.Webhook(secret).verify(body, lowered)["BookingID"] == 2


def test_a_tampered_body_an_other_secret_or_an_old_delivery_is_refused(
        quick_sandbox, receiver) -> None:
    secret, headers, body = _delivery(quick_sandbox, receiver)
    with pytest.raises(WebhookVerificationError, match="no signature"):
        verify_webhook(secret, headers, body.replace(b'"BookingID":2', b'"BookingID":3'))
    with pytest.raises(WebhookVerificationError, match="no signature"):
        verify_webhook("whsec_" + "A" * 32, headers, body)
    stamp = int({k.lower(): v for k, v in headers.items()}["webhook-timestamp"])
    with pytest.raises(WebhookVerificationError, match="too far"):
        verify_webhook(secret, headers, body, now=stamp + 301)
    with pytest.raises(WebhookVerificationError, match="missing"):
        verify_webhook(secret, {}, body)

