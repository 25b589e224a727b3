"""Webhooks (issue 10): managed by the app with its key and secret, fed from booking_events
through the outbox, delivered to a real HTTP receiver on loopback, signed as Standard
Webhooks 1.0 (verified with the `standardwebhooks` package, not our code), retried on the
service's clock. On whichever database the suite runs."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from phonechat.api.factory import create_app
from phonechat.domain import lifecycle as rules
from phonechat.domain import webhooks as wrules
from phonechat.domain.access import Actor
from phonechat.domain.bookings import Status
from phonechat.domain.lifecycle import Side, Transition, Value
from phonechat.sandbox import DEMO_APP
from phonechat.services import lifecycle, webhooks, worker
from phonechat.settings import Settings
from phonechat.store import webhooks as store
from tests.conftest import START, USERS
from tests.lifecycle_helpers import CLIENT, post
from tests.servers import free_port

APP = {"X-ApiKey": DEMO_APP["client_id"], "X-ApiSecret": DEMO_APP["client_secret"]}
HOLD = timedelta(hours=24)


class Receiver:
    """A real HTTP server on loopback that records each POST and answers `status`."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.on_request: Any = None  # called before answering (to hold a request open)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                if outer.on_request is not None:
                    outer.on_request()
                self.send_response(outer.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.port}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def ids(self) -> list[str]:
        return [h["webhook-id"] for h, _ in self.received]


@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    r = Receiver()
    yield r
    r.close()


def sender(**kw: Any) -> webhooks.Sender:
    return worker.sender(Settings(sandbox=True, **kw))


async def work(db, clock) -> None:  # type: ignore[no-untyped-def]
    """One pass of the sandbox's worker."""
    await worker.run_once(db, clock, HOLD, sender(), DEMO_APP["client_id"])


async def create(client, url: str, events: list[str] | None = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A webhook (by default of cancellations only: the sweeps of a moved clock settle
    seeded bookings too)."""
    r = await client.post("/v1/Webhooks/Create",
                          json={"Url": url, "Events": events or ["booking.cancelled"]},
                          headers=APP)
    assert r.status_code == 200, r.text
    return r.json()


# --- management ------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"X-ApiKey": DEMO_APP["client_id"]},
                                     {**APP, "X-ApiSecret": "wrong"},
                                     {"X-ApiKey": "nobody", "X-ApiSecret": "x"}])
async def test_webhook_calls_need_the_app_s_key_and_secret(client, headers) -> None:
    r = await client.get("/v1/Webhooks/List", headers=headers)
    assert r.status_code == 401
    r = await client.post("/v1/Webhooks/Create", json={"Url": "http://127.0.0.1/", "Events": ["*"]},
                          headers=headers)
    assert r.status_code == 401


async def test_create_list_rotate_delete(client) -> None:
    made = await create(client, "http://127.0.0.1:9/a", ["booking.cancelled", "booking.created"])
    assert made["Secret"].startswith("whsec_") and made["Events"] == ["booking.cancelled",
                                                                     "booking.created"]
    listed = (await client.get("/v1/Webhooks/List", headers=APP)).json()["Webhooks"]
    assert [w["WebhookID"] for w in listed] == [made["WebhookID"]] and "Secret" not in listed[0]
    r = await client.post("/v1/Webhooks/RotateSecret", json={"WebhookID": made["WebhookID"]},
                          headers=APP)
    assert r.status_code == 200 and r.json()["Secret"] != made["Secret"]
    assert r.json()["OldSecretExpires"] == "2018-01-22T14:00:00"
    r = await client.post("/v1/Webhooks/Delete", json={"WebhookID": made["WebhookID"]},
                          headers=APP)
    assert r.status_code == 200
    assert (await client.get("/v1/Webhooks/List", headers=APP)).json()["Webhooks"] == []
    r = await client.post("/v1/Webhooks/Delete", json={"WebhookID": made["WebhookID"]},
                          headers=APP)
    assert r.status_code == 404


@pytest.mark.parametrize("events", [[], ["booking.nope"], "booking.created", [3]])
async def test_create_refuses_unknown_event_types(client, events) -> None:
    r = await client.post("/v1/Webhooks/Create", json={"Url": "http://127.0.0.1/", "Events": events},
                          headers=APP)
    assert r.status_code == 400 and "Events" in r.json()["ModelState"]


async def test_xml_answers(client) -> None:
    await create(client, "http://127.0.0.1:9/a", ["booking.created"])
    r = await client.get("/v1/Webhooks/List", headers={**APP, "Accept": "application/xml"})
    assert r.status_code == 200, r.text
    assert r.text.startswith('<Webhooks xmlns:i="http://www.w3.org/2001/XMLSchema-instance" '
                             'xmlns="http://schemas.datacontract.org/2004/07/API.Models.Webhooks">')
    assert ('<Events xmlns:d6p1="http://schemas.microsoft.com/2003/10/Serialization/Arrays">'
            '<d6p1:string>booking.created</d6p1:string></Events>') in r.text


# --- SSRF: serve accepts only https to public addresses ----------------------------------------


@pytest.fixture
async def serve_client(db, clock):  # type: ignore[no-untyped-def]
    def make(**kw: Any) -> httpx.AsyncClient:
        app = create_app(Settings(database_url="unused", sandbox=False, access_log=False, **kw),
                         clock=clock, db=db)
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
    return make


@pytest.mark.parametrize("url", ["http://example.com/hook", "https://127.0.0.1/hook",
                                 "https://localhost/hook", "https://10.1.2.3/hook",
                                 "https://[::1]/hook", "https://169.254.169.254/latest",
                                 "https://user:pw@example.com/", "ftp://example.com/"])
async def test_serve_refuses_urls_that_could_reach_inside(serve_client, url) -> None:
    async with serve_client() as c:
        r = await c.post("/v1/Webhooks/Create", json={"Url": url, "Events": ["*"]}, headers=APP)
    assert r.status_code == 400 and "Url" in r.json()["ModelState"], r.text


async def test_serve_allows_private_urls_when_told(serve_client) -> None:
    async with serve_client(webhook_allow_private=True) as c:
        r = await c.post("/v1/Webhooks/Create", json={"Url": "http://127.0.0.1:9/", "Events": ["*"]},
                         headers=APP)
    assert r.status_code == 200, r.text


async def test_a_url_is_judged_by_every_address_its_host_resolves_to() -> None:
    async def public(host: str) -> list[str]:
        return ["93.184.216.34"]

    async def mixed(host: str) -> list[str]:
        return ["93.184.216.34", "10.0.0.1"]

    async def nothing(host: str) -> None:
        return None

    url = "https://hooks.example.com/x"
    assert await webhooks.url_refusal(url, False, public) is None
    assert "public" in (await webhooks.url_refusal(url, False, mixed) or "")
    assert "resolve" in (await webhooks.url_refusal(url, False, nothing) or "")
    assert await webhooks.url_refusal("http://10.0.0.1/", True, nothing) is None


# --- delivery ----------------------------------------------------------------------------------


async def test_a_cancel_is_delivered_signed_and_verifies_with_standardwebhooks(
        client, db, clock, receiver) -> None:
    made = await create(client, receiver.url)
    assert (await post(client, "client", "CancelMadeBooking",
                       {"BookingID": 2, "Reason": "x"})).status_code == 200
    await work(db, clock)
    ((headers, body),) = receiver.received
    payload = Verifier(made["Secret"]).verify(body, headers)
    assert payload["Type"] == "booking.cancelled" and payload["BookingID"] == 2
    assert payload["ByUserID"] == CLIENT and payload["Reason"] == "x"
    assert headers["phonechat-event-type"] == "booking.cancelled"
    assert headers["webhook-id"] == f"msg_{payload['EventID']}_{made['WebhookID']}"
    assert headers["webhook-signature"].startswith("v1,")
    with pytest.raises(WebhookVerificationError):
        Verifier("whsec_" + "A" * 32).verify(body, headers)
    await work(db, clock)
    assert len(receiver.received) == 1  # delivered: never again


async def test_only_subscribed_types_are_delivered(client, db, clock, receiver) -> None:
    await create(client, receiver.url, ["booking.rejected"])
    await post(client, "client", "CancelMadeBooking", {"BookingID": 2, "Reason": "x"})
    await post(client, "candidate", "RejectReceivedBooking", {"BookingID": 3, "Reason": "no"})
    await work(db, clock)
    assert [h["phonechat-event-type"] for h, _ in receiver.received] == ["booking.rejected"]


async def test_during_a_rotation_both_secrets_verify(client, db, clock, receiver) -> None:
    made = await create(client, receiver.url)
    r = await client.post("/v1/Webhooks/RotateSecret",
                          json={"WebhookID": made["WebhookID"], "ExpireOldAfterHours": 1},
                          headers=APP)
    new = r.json()["Secret"]
    await post(client, "client", "CancelMadeBooking", {"BookingID": 2, "Reason": "x"})
    await work(db, clock)
    ((headers, body),) = receiver.received
    assert len(headers["webhook-signature"].split(" ")) == 2
    Verifier(made["Secret"]).verify(body, headers)
    Verifier(new).verify(body, headers)
    clock.set(START + timedelta(hours=2))  # the old secret has expired
    await post(client, "client", "CancelMadeBooking", {"BookingID": 3, "Reason": "x"})
    await work(db, clock)
    headers, body = receiver.received[1]
    assert len(headers["webhook-signature"].split(" ")) == 1
    Verifier(new).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Verifier(made["Secret"]).verify(body, headers)


async def test_a_failing_receiver_is_retried_as_the_clock_moves_until_a_2xx(
        client, db, clock, receiver) -> None:
    made = await create(client, receiver.url)
    receiver.status = 500
    await post(client, "client", "CancelMadeBooking", {"BookingID": 2, "Reason": "x"})
    await work(db, clock)
    assert len(receiver.received) == 1
    await work(db, clock)  # not due yet: the clock has not moved
    assert len(receiver.received) == 1
    clock.set(START + timedelta(seconds=7))  # past the first retry (5 s, jitter up to 1.2)
    await work(db, clock)
    assert len(receiver.received) == 2
    receiver.status = 204
    clock.set(START + timedelta(minutes=5))
    await work(db, clock)
    assert len(receiver.received) == 3
    clock.set(START + timedelta(days=1))
    await work(db, clock)
    assert len(receiver.received) == 3  # delivered: no more
    assert len(set(receiver.ids())) == 1  # one webhook-id on every attempt
    r = await client.get("/v1/Webhooks/Deliveries", params={"WebhookID": made["WebhookID"]},
                         headers=APP)
    attempts = r.json()["Attempts"]
    assert [a["StatusCode"] for a in attempts] == [204, 500, 500]
    assert {a["Status"] for a in attempts} == {"Delivered"}
    assert attempts[1]["Error"] == "HTTP 500" and attempts[1]["NextRetryAt"] is not None
    assert attempts[0]["NextRetryAt"] is None


async def test_after_three_days_a_delivery_is_failed_and_the_webhook_stays(
        client, db, clock, receiver) -> None:
    made = await create(client, receiver.url)
    receiver.status = 503
    await post(client, "client", "CancelMadeBooking", {"BookingID": 2, "Reason": "x"})
    now = START
    while now < START + timedelta(days=4):
        await work(db, clock)
        now += timedelta(hours=7)
        clock.set(now)
    tries = len(receiver.received)
    assert 8 <= tries <= 25
    attempts = (await client.get("/v1/Webhooks/Deliveries",
                                 params={"WebhookID": made["WebhookID"], "PageSize": 100},
                                 headers=APP)).json()["Attempts"]
    assert attempts[0]["Status"] == "Failed" and attempts[0]["NextRetryAt"] is None
    assert len(attempts) == tries
    assert (await client.get("/v1/Webhooks/List", headers=APP)).json()["Webhooks"]
    # Redeliver makes it due again at once.
    receiver.status = 200
    r = await client.post("/v1/Webhooks/Redeliver", json={"WebhookID": made["WebhookID"],
                                                          "EventID": attempts[0]["EventID"]},
                          headers=APP)
    assert r.status_code == 200, r.text
    await work(db, clock)
    assert len(receiver.received) == tries + 1


async def test_redeliver_refuses_an_event_the_webhook_does_not_receive(client, db, clock) -> None:
    made = await create(client, "http://127.0.0.1:9/", ["booking.created"])
    await post(client, "client", "CancelMadeBooking", {"BookingID": 2, "Reason": "x"})
    event_id = (await client.get("/v1/Events", headers={"Authorization": "bearer " + USERS["client"]["AccessToken"]})).json()["Events"][0]["EventID"]
    r = await client.post("/v1/Webhooks/Redeliver", json={"WebhookID": made["WebhookID"],
                                                          "EventID": event_id}, headers=APP)
    assert r.status_code == 404


async def test_two_workers_deliver_each_event_once(client, db, clock, receiver) -> None:
    await create(client, receiver.url, ["booking.cancelled", "booking.created"])
    for bid in (2, 3):
        await post(client, "client", "CancelMadeBooking", {"BookingID": bid, "Reason": "x"})
    for _ in range(4):
        await post(client, "client", "CreateBooking", {
            "BookUserID": USERS["candidate"]["UserID"], "SessionDate": "2018-01-25 20:00",
            "Duration": 10, "Method": 2, "Credits": 6, "AcceptBy": "2018-01-24 20:00"})
    await webhooks.fan_out(db, clock.now(), sandbox_app=DEMO_APP["client_id"])
    a, b = sender(), sender()
    done = await asyncio.gather(webhooks.deliver_due(db, clock, a, batch=2),
                                webhooks.deliver_due(db, clock, b, batch=2))
    assert sum(done) == 6
    assert len(receiver.ids()) == 6 == len(set(receiver.ids()))


async def test_a_worker_killed_after_claiming_loses_nothing(client, db, clock, receiver) -> None:
    await create(client, receiver.url)
    await post(client, "client", "CancelMadeBooking", {"BookingID": 2, "Reason": "x"})
    await webhooks.fan_out(db, clock.now(), sandbox_app=DEMO_APP["client_id"])
    # A worker claims the delivery and dies before it records anything (kill -9 mid-send).
    async with db.transaction() as tx:
        assert await store.claim_due(tx, clock.now(), clock.now() + wrules.CLAIM_LEASE, 10)
    assert await webhooks.deliver_due(db, clock, sender()) == 0  # still claimed
    clock.set(START + wrules.CLAIM_LEASE)
    assert await webhooks.deliver_due(db, clock, sender()) == 1
    assert len(receiver.received) == 1


async def test_an_app_gets_only_the_events_of_users_who_authorized_it(
        client, db, clock, receiver) -> None:
    # Outside the sandbox the demo app is an app like any other: no grant, no event.
    from phonechat.store import oauth
    await create(client, receiver.url)
    async with db.connection() as conn:
        app_id = (await oauth.app_by_key(conn, DEMO_APP["client_id"]))["id"]
    candidate = USERS["candidate"]["UserID"]

    async def cancel_and_send(booking_id: int) -> int:
        await post(client, "client", "CancelMadeBooking", {"BookingID": booking_id, "Reason": "x"})
        await worker.run_once(db, clock, HOLD, sender())  # no sandbox app
        return len(receiver.received)

    async with db.transaction() as tx:
        await oauth.save_grant(tx, candidate, app_id, "nickname userid", START)
    assert await cancel_and_send(2) == 0  # granted, but not the PhoneChat scope
    async with db.transaction() as tx:
        await oauth.save_grant(tx, candidate, app_id, "nickname account_phonechat_bookings", START)
    assert await cancel_and_send(3) == 1  # the booked user authorized it: their bookings' events
    async with db.transaction() as tx:
        await oauth.delete_grant(tx, candidate, app_id)  # revoked
    assert await cancel_and_send(4) == 1


async def test_a_new_transition_s_event_reaches_history_and_webhook(
        client, db, clock, receiver, monkeypatch) -> None:
    archive = Transition("archive", (Side.CLIENT,), (Status.CANCELLED,), Status.CANCELLED,
                         "any time", "archived", "booking.archived",
                         {"cancelled_reason": Value.REASON, "last_updated": Value.NOW})
    monkeypatch.setitem(rules.TRANSITIONS, "archive", archive)
    await worker.run_once(db, clock, HOLD)  # what the sweep does at START, before the webhook
    made = (await client.post("/v1/Webhooks/Create", json={"Url": receiver.url, "Events": ["*"]},
                              headers=APP)).json()
    await lifecycle.run(db, "archive", Actor(CLIENT, "BookingUser"), 8, START,  # type: ignore[arg-type]
                        rules.Change("kept"))
    await work(db, clock)
    ((headers, body),) = receiver.received
    assert Verifier(made["Secret"]).verify(body, headers)["Type"] == "booking.archived"
    assert json.loads(body)["Reason"] == "kept"


# --- `phonechat webhooks ...` ---------------------------------------------------------------


def cli(db_url: str, *args: str, **env: str):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from phonechat.cli import main
    return CliRunner().invoke(main, ["webhooks", *args],
                              env={"PHONECHAT_DATABASE_URL": db_url, **env})


def test_the_webhooks_command_does_what_the_app_can(db_url) -> None:
    key = DEMO_APP["client_id"]
    r = cli(db_url, "create", "--app", key, "--url", "http://127.0.0.1:9/h")
    assert r.exit_code != 0 and "https" in r.output  # serve's rules: refused
    r = cli(db_url, "create", "--app", key, "--url", "http://127.0.0.1:9/h", "--events",
            "booking.created,booking.settled", PHONECHAT_WEBHOOK_ALLOW_PRIVATE="1")
    assert r.exit_code == 0, r.output
    made = json.loads(r.output)
    assert made["Secret"].startswith("whsec_") and made["Events"] == ["booking.created",
                                                                     "booking.settled"]
    wid = str(made["WebhookID"])
    listed = json.loads(cli(db_url, "list", "--app", key).output)["Webhooks"]
    assert [w["WebhookID"] for w in listed] == [made["WebhookID"]]
    rotated = json.loads(cli(db_url, "rotate-secret", "--app", key, wid,
                             "--expire-old-after-hours", "2").output)
    assert rotated["Secret"] != made["Secret"] and rotated["OldSecretExpires"]
    assert json.loads(cli(db_url, "deliveries", "--app", key, wid).output)["Attempts"] == []
    r = cli(db_url, "redeliver", "--app", key, wid, "999999")
    assert r.exit_code != 0 and "No event" in r.output
    r = cli(db_url, "create", "--app", key, "--url", "https://x.example/", "--events", "nope")
    assert r.exit_code != 0 and "--events" in r.output
    assert cli(db_url, "delete", "--app", key, wid).exit_code == 0
    assert json.loads(cli(db_url, "list", "--app", key).output)["Webhooks"] == []
    r = cli(db_url, "list", "--app", "nobody")
    assert r.exit_code != 0 and "no application" in r.output


async def test_kill_9_of_a_worker_mid_delivery_still_delivers(client, db, receiver,
                                                               db_url, tmp_path) -> None:
    """A real `phonechat worker` is killed (SIGKILL) while its receiver holds the request
    open; the claim's lease runs out on the service's clock and the next worker delivers
    the same message (same webhook-id): at least once, nothing lost."""
    import signal
    import time as wall

    from phonechat.clock import FrozenClock, SystemClock
    from phonechat.store import oauth
    from tests.servers import start

    made = await create(client, receiver.url)
    async with db.transaction() as tx:  # the booked user authorized the app (not the sandbox)
        app_id = (await oauth.app_by_key(tx, DEMO_APP["client_id"]))["id"]
        await oauth.save_grant(tx, USERS["candidate"]["UserID"], app_id,
                               "account_phonechat_bookings", START)
    await post(client, "client", "CancelMadeBooking", {"BookingID": 2, "Reason": "x"})

    held, release = threading.Event(), threading.Event()
    handler_status = receiver.status

    def hold_first() -> None:  # the receiver's first request hangs until released
        held.set()
        release.wait(30)
    receiver.on_request = hold_first
    log = tmp_path / "worker.log"
    proc = start(["worker", "--interval", "60"], log,
                 {"PHONECHAT_DATABASE_URL": db_url, "PHONECHAT_WEBHOOK_ALLOW_PRIVATE": "1"})
    try:
        give_up = wall.monotonic() + 30  # it is starting up: not a deadline under test
        while not held.is_set() and wall.monotonic() < give_up and proc.poll() is None:
            await asyncio.sleep(0.05)
        assert held.is_set(), log.read_text()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        receiver.on_request = None
        release.set()
    first_id = receiver.ids()[0]
    receiver.received.clear()
    receiver.status = handler_status
    later = FrozenClock(SystemClock(Settings().timezone).now() + wrules.CLAIM_LEASE
                        + timedelta(seconds=1))
    assert await webhooks.deliver_due(db, later, sender()) == 1
    ((headers, body),) = receiver.received
    assert headers["webhook-id"] == first_id
    assert Verifier(made["Secret"]).verify(body, headers)["Type"] == "booking.cancelled"


async def test_a_slow_receiver_delays_no_other_webhook(client, db, clock, receiver) -> None:
    slow = Receiver()
    released = threading.Event()
    slow.on_request = lambda: released.wait(20)
    try:
        await create(client, slow.url)
        await create(client, receiver.url)
        await post(client, "client", "CancelMadeBooking", {"BookingID": 2, "Reason": "x"})
        await webhooks.fan_out(db, clock.now(), sandbox_app=DEMO_APP["client_id"])
        sending = asyncio.create_task(webhooks.deliver_due(db, clock, sender()))
        for _ in range(400):  # the fast one arrives while the slow one is still held open
            if receiver.received:
                break
            await asyncio.sleep(0.01)
        assert len(receiver.received) == 1 and len(slow.received) == 1
        assert not sending.done()
        released.set()
        assert await sending == 2
    finally:
        released.set()
        slow.close()
