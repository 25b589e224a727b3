"""Conflicting actions on one booking at the same moment, from many connections, against
a PostgreSQL-backed server with two worker processes: exactly one wins each time, every
loser gets a 400 naming the booking's current Status, and the books balance."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta

import httpx
import pytest

from phonechat.clock import SystemClock
from phonechat.domain.credits import to_units
from phonechat.settings import Settings
from tests.conftest import PG_URL, bearer
from tests.lifecycle_helpers import CANDIDATE, CLIENT, balance_of, books_balance

pytestmark = [pytest.mark.postgres, pytest.mark.slow,
              pytest.mark.skipif(not PG_URL, reason="needs PHONECHAT_TEST_DATABASE_URL")]

ROUNDS = 12
EACH = 4  # requests per side of each conflict


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(db_url):  # type: ignore[no-untyped-def]
    port = _free_port()
    env = {**os.environ, "PHONECHAT_DATABASE_URL": db_url, "PHONECHAT_ACCESS_LOG": "false",
           "PHONECHAT_LOG_LEVEL": "WARNING", "PHONECHAT_POOL_MAX": "12"}
    proc = subprocess.Popen([sys.executable, "-m", "phonechat.cli", "serve", "--workers", "2",
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # until it answers (not a timing assertion: a readiness wait)
            try:
                r = httpx.get(f"{base}/v1/Account/VerifyCredentials", headers=bearer("client"))
                if r.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode())  # type: ignore[union-attr]
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


async def _call(c: httpx.AsyncClient, role: str, op: str, body: dict) -> httpx.Response:
    return await c.post(f"/v1/PhoneChat/{op}", json=body, headers=bearer(role))


async def _new_booking(c: httpx.AsyncClient, now, state: str) -> int:  # type: ignore[no-untyped-def]
    session = now + timedelta(days=2)
    r = await _call(c, "client", "CreateBooking", {
        "BookUserID": CANDIDATE, "SessionDate": session.strftime("%Y-%m-%d %H:%M"),
        "Duration": 10, "Method": 2, "Credits": 6,
        "AcceptBy": (session - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")})
    assert r.status_code == 200, r.text
    booking = r.json()["BookingID"]
    if state in ("Accepted", "Confirmed"):
        r = await _call(c, "candidate", "AcceptReceivedBooking", {"BookingID": booking,
                                                                  "Credits": 6})
        assert r.status_code == 200, r.text
    if state == "Confirmed":
        r = await _call(c, "client", "ConfirmMadeBooking", {"BookingID": booking})
        assert r.status_code == 200, r.text
    return booking


def _one_winner(responses: list[httpx.Response], final_status: str) -> None:
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [400] * (len(responses) - 1), [r.text for r in responses]
    for r in responses:
        if r.status_code == 400:
            assert f"Status is {final_status}" in r.json()["Message"], r.text


async def test_conflicting_actions_have_exactly_one_winner(server, db) -> None:
    now = SystemClock(Settings.from_env().timezone).now()  # the server's clock
    limits = httpx.Limits(max_connections=3 * 2 * EACH, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=server, limits=limits, timeout=30) as c:
        start_balance = await balance_of(db, CLIENT)
        for _ in range(ROUNDS):
            pending = await _new_booking(c, now, "Pending")
            accepted = await _new_booking(c, now, "Accepted")
            confirmed = await _new_booking(c, now, "Confirmed")
            accepts = [_call(c, "candidate", "AcceptReceivedBooking",
                             {"BookingID": pending, "Credits": 7}) for _ in range(EACH)]
            rejects = [_call(c, "candidate", "RejectReceivedBooking",
                             {"BookingID": pending, "Reason": "no"}) for _ in range(EACH)]
            confirms = [_call(c, "client", "ConfirmMadeBooking", {"BookingID": accepted})
                        for _ in range(2 * EACH)]
            cancels = [_call(c, role, op, {"BookingID": confirmed, "Reason": "no"})
                       for role, op in (("client", "CancelMadeBooking"),
                                        ("candidate", "CancelReceivedBooking"))
                       for _ in range(EACH)]
            everything = accepts + rejects + confirms + cancels
            results = await asyncio.gather(*everything)
            accept_or_reject = results[:2 * EACH]
            winner = next(r for r in accept_or_reject if r.status_code == 200)
            _one_winner(accept_or_reject, winner.json()["Status"])
            _one_winner(results[2 * EACH:4 * EACH], "Confirmed")
            _one_winner(results[4 * EACH:], "Cancelled")
            await books_balance(db)
    # Each round: one booking confirmed for good (6 credits); the cancelled one refunded.
    assert await balance_of(db, CLIENT) == start_balance - ROUNDS * to_units(6)
    await books_balance(db)
