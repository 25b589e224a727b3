"""The sandbox keeps its promises (issue 9, section 4), on the real command as the README's
first step runs it: `./dev sandbox` with the real clock. Every booking the manifest names
takes the action it is named for, right after start; `POST /v1/Sandbox/Reset` puts the seed
back between actions; a second sandbox on the same port changes nothing."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.servers import free_port, phonechat_command, start, stop, wait_for_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, dict, Path]]:
    tmp = tmp_path_factory.mktemp("promises")
    db_file, log, port = tmp / "sandbox.db", tmp / "sandbox.log", free_port()
    proc = start(["sandbox", "--db", str(db_file), "--port", str(port)], log,
                 {"PHONECHAT_ACCESS_LOG": "false"})
    try:
        wait_for_port(proc, port, log)
        manifest = orjson.loads(subprocess.run(
            phonechat_command() + ["sandbox", "--manifest", "--db", str(db_file)],
            check=True, capture_output=True).stdout)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            yield http, manifest, log
    finally:
        stop(proc)


def _as(manifest: dict, role: str) -> dict[str, str]:
    return {"Authorization": f"bearer {manifest['users'][role]['AccessToken']}"}


def _call(http: httpx.Client, manifest: dict, role: str, op: str, body: dict[str, Any]) -> Any:
    r = http.post(f"/v1/PhoneChat/{op}", json=body, headers=_as(manifest, role))
    assert r.status_code == 200, (op, body, r.text)
    return r.json()


def _details(http: httpx.Client, manifest: dict, role: str, side: str, booking: int) -> dict:
    r = http.get(f"/v1/PhoneChat/{side}BookingDetails", params={"BookingID": booking},
                 headers=_as(manifest, role))
    assert r.status_code == 200, r.text
    return r.json()


def _reset(http: httpx.Client) -> datetime:
    r = http.post("/v1/Sandbox/Reset")
    assert r.status_code == 200, r.text
    return datetime.fromisoformat(r.json()["Now"])


def test_the_banner_names_a_command_a_readme_user_has(sandbox) -> None:
    _, _, log = sandbox
    # The port is taken before the database is made, and the banner follows the database:
    # it may still be on its way when the port answers.
    deadline = time.monotonic() + 10
    while "Tokens and booking IDs" not in (text := log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "Tokens and booking IDs: ./dev phonechat sandbox --manifest --db " in text
    assert "curl -X POST http://127.0.0.1:" in text and "/v1/Sandbox/Reset" in text


def test_with_the_real_clock_the_details_sample_is_unsettled_and_upcoming(sandbox) -> None:
    http, m, _ = sandbox
    now = _reset(http)
    assert abs(now - datetime.now()) < timedelta(days=1)  # the real clock (in the service's zone)
    b = _details(http, m, "client", "Made", m["bookings"]["sample_details"])
    assert b["Status"] == "Confirmed" and b["Credits"] == 8
    assert b["ActionClient"] == "You need to carry out the session"
    assert datetime.fromisoformat(b["SessionDate"]) > now
    # It still holds its 8 credits: cancelling gives them back (only an unsettled, upcoming
    # Confirmed booking can be cancelled).
    cancelled = _call(http, m, "client", "CancelMadeBooking",
                      {"BookingID": b["BookingID"], "Reason": "testing the sandbox"})
    assert cancelled["Status"] == "Cancelled"


def test_every_received_side_booking_takes_its_action(sandbox) -> None:
    http, m, _ = sandbox
    side = m["received_side"]
    for booking in side["to_accept_or_reject"]:
        _reset(http)
        credits = _details(http, m, "candidate", "Received", booking)["Credits"]
        accepted = _call(http, m, "candidate", "AcceptReceivedBooking",
                         {"BookingID": booking, "Credits": credits})
        assert accepted["Status"] == "Accepted"
        _reset(http)
        rejected = _call(http, m, "candidate", "RejectReceivedBooking",
                         {"BookingID": booking, "Reason": "Not that day"})
        assert rejected["Status"] == "Rejected"
    for booking in side["to_cancel"]:
        _reset(http)
        r = _call(http, m, "candidate", "CancelReceivedBooking",
                  {"BookingID": booking, "Reason": "Something came up"})
        assert r["Status"] == "Cancelled"
    _reset(http)
    r = _call(http, m, "candidate", "DeleteReceivedBooking",
              {"BookingIDs": ",".join(map(str, side["to_delete"]))})
    assert [x["Deleted"] for x in r] == [True] * len(side["to_delete"])
    # Settled at start-up by the sandbox's worker: paid out, so it cannot be rescheduled.
    _reset(http)
    r = http.post("/v1/PhoneChat/RescheduleMadeBooking", json={
        "BookingID": side["settled_by_the_worker"]}, headers=_as(m, "client"))
    assert r.status_code == 400 and "settled" in r.json()["Message"]
    # The cancel sample: the client cancels it with the sample's reason.
    r = _call(http, m, "client", "CancelMadeBooking", {
        "BookingID": side["past_accept_by_cancel_sample"], "Reason": "I've had something come up"})
    assert r["Status"] == "Cancelled"


def test_every_made_side_booking_takes_its_action(sandbox) -> None:
    http, m, _ = sandbox
    made = m["made_side"]
    _reset(http)
    assert _call(http, m, "client", "ConfirmMadeBooking",
                 {"BookingID": made["to_confirm"]})["Status"] == "Confirmed"
    _reset(http)
    r = _call(http, m, "client", "RescheduleMadeBooking", {"BookingID": made["to_reschedule"]})
    assert r["Status"] == "Confirmed"
    now = _reset(http)
    r = _call(http, m, "client", "CreateBooking", {
        "BookUserID": made["book_user_id"], "Duration": 10, "Method": 2, "Credits": 5,
        "SessionDate": (now + timedelta(days=3)).strftime("%Y-%m-%d %H:%M"),
        "AcceptBy": (now + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")})
    assert r["Status"] == "Pending"


def test_every_named_booking_is_in_its_named_state(sandbox) -> None:
    http, m, _ = sandbox
    now = _reset(http)
    expected = {"sample_details": "Confirmed", "sample_cancel": "Pending", "pending": "Pending",
                "accepted": "Accepted", "rejected": "Rejected", "confirmed_future": "Confirmed",
                "confirmed_past": "Confirmed", "cancelled": "Cancelled",
                "member_pending": "Pending", "reinvited": "Rejected"}
    assert set(m["bookings"]) == set(expected)
    for key, booking in m["bookings"].items():
        b = _details(http, m, "candidate", "Received", booking)
        assert b["Status"] == expected[key], key
        if key == "confirmed_future":
            assert datetime.fromisoformat(b["SessionDate"]) > now
        if key in ("confirmed_past", "reinvited"):
            assert datetime.fromisoformat(b["SessionDate"]) < now
    # The member's booking, through the manager's group variant.
    r = http.get("/v1/Groups/PhoneChat/MadeBookingDetails",
                 params={"BookingID": m["bookings"]["member_pending"],
                         "UserID": m["users"]["member"]["UserID"]}, headers=_as(m, "manager"))
    assert r.status_code == 200 and r.json()["Status"] == "Pending"


def test_reset_undoes_every_change_and_can_set_the_clock(sandbox) -> None:
    http, m, _ = sandbox
    _reset(http)
    _call(http, m, "client", "CancelMadeBooking", {"BookingID": 2, "Reason": "x"})
    r = http.post("/v1/Sandbox/Reset", json={"Clock": "2018-01-21T14:00:00"})
    assert r.status_code == 200 and r.json() == {"Now": "2018-01-21T14:00:00"}
    b = _details(http, m, "client", "Made", 2)
    assert b["Status"] == "Pending" and b["SessionDate"] == "2018-01-22T21:30:00"
    r = http.post("/v1/Sandbox/Reset", json={"Clock": "2018-01-21T14:00:00+01:00"})
    assert r.status_code == 400 and "Clock" in r.json()["ModelState"]
    assert http.get("/v1/Sandbox/Clock").json() == {"Now": "2018-01-21T14:00:00"}


def test_a_second_sandbox_on_the_port_touches_nothing(sandbox, tmp_path) -> None:
    http, m, log = sandbox
    _reset(http)
    port = http.base_url.port
    db_file = Path(str(log).replace("sandbox.log", "sandbox.db"))
    before = db_file.stat().st_ino, db_file.stat().st_mtime_ns
    r = subprocess.run(phonechat_command() + ["sandbox", "--db", str(db_file), "--port",
                                              str(port)], capture_output=True, timeout=60)
    assert r.returncode != 0 and b"Cannot listen on" in r.stderr
    assert (db_file.stat().st_ino, db_file.stat().st_mtime_ns) == before
    assert _details(http, m, "client", "Made", 1)["Status"] == "Confirmed"  # still served
