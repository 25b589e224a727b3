"""The sandbox as an app developer runs it: the real `phonechat sandbox` command over real
HTTP, its manifest, its movable clock; and that production has no clock route."""

from __future__ import annotations

import subprocess

import httpx
import orjson
import pytest

from phonechat.api.factory import create_app
from phonechat.clock import FrozenClock, SystemClock
from phonechat.settings import Settings
from tests.conftest import START
from tests.servers import free_port, phonechat_command, start, stop, wait_for_port
from tests.wire import details_sample_json, json_pairs

EXPECTED_STATUS = {
    "sample_details": "Confirmed", "sample_cancel": "Pending", "pending": "Pending",
    "accepted": "Accepted", "rejected": "Rejected", "confirmed_future": "Confirmed",
    "confirmed_past": "Confirmed", "cancelled": "Cancelled", "member_pending": "Pending",
    "reinvited": "Rejected",
}


@pytest.mark.slow
def test_sandbox_command_serves_the_sample_manifest_and_clock(tmp_path) -> None:
    db_file, log, port = tmp_path / "sandbox.db", tmp_path / "sandbox.log", free_port()
    proc = start(["sandbox", "--db", str(db_file), "--port", str(port),
                  "--clock", "2018-01-21T14:00:00"], log, {"PHONECHAT_ACCESS_LOG": "false"})
    try:
        wait_for_port(proc, port, log)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as http:
            auth = {"Authorization": "bearer sandbox-client"}
            r = http.get("/v1/PhoneChat/MadeBookingDetails?BookingID=1", headers=auth)
            assert r.status_code == 200
            assert r.headers["content-type"] == "application/json; charset=utf-8"
            assert json_pairs(r.content) == json_pairs(details_sample_json())

            manifest = orjson.loads(subprocess.run(
                phonechat_command() + ["sandbox", "--manifest", "--db", str(db_file)],
                check=True, capture_output=True).stdout)
            _check_manifest_shape(manifest)
            for key, booking_id in manifest["bookings"].items():
                role = "member" if key == "member_pending" else "client"
                token = manifest["users"][role]["AccessToken"]
                r = http.get(f"/v1/PhoneChat/MadeBookingDetails?BookingID={booking_id}",
                             headers={"Authorization": f"Bearer {token}"})
                assert r.status_code == 200, (key, r.text)
                body = r.json()
                assert body["Status"] == EXPECTED_STATUS[key], key
                if key == "confirmed_future":
                    assert body["SessionDate"] > "2018-01-21T14:00:00"
                if key == "confirmed_past":
                    assert body["SessionDate"] < "2018-01-21T14:00:00"

            assert http.get("/v1/Sandbox/Clock").json() == {"Now": "2018-01-21T14:00:00"}
            r = http.post("/v1/Sandbox/Clock", json={"Now": "2018-01-22T18:24:11"})
            assert r.status_code == 200 and r.json() == {"Now": "2018-01-22T18:24:11"}
            r = http.post("/v1/PhoneChat/CancelMadeBooking", headers=auth,
                          json={"BookingID": 2, "Reason": "I've had something come up"})
            assert r.status_code == 200
            assert r.json()["CancelledDate"] == r.json()["LastUpdated"] == "2018-01-22T18:24:11"
            r = http.post("/v1/Sandbox/Clock", json={"Now": "tomorrow"})
            assert r.status_code == 400 and "Now" in r.json()["ModelState"]
    finally:
        stop(proc)


def _check_manifest_shape(manifest: dict) -> None:
    assert set(manifest) >= {"users", "tokens", "bookings"}  # the keys; more may follow
    assert set(manifest["users"]) == {"client", "candidate", "manager", "member", "outsider"}
    for user in manifest["users"].values():
        assert set(user) == {"UserID", "Nickname", "AccessToken"}
        assert isinstance(user["UserID"], int) and user["Nickname"] and user["AccessToken"]
    assert set(manifest["tokens"]) == {"client_without_phonechat_scope", "client_expired"}
    assert set(manifest["bookings"]) == set(EXPECTED_STATUS)
    assert manifest["bookings"]["sample_details"] == 1
    assert manifest["bookings"]["sample_cancel"] == 2


def test_manifest_without_a_database_says_how_to_make_one(tmp_path) -> None:
    r = subprocess.run(phonechat_command() + ["sandbox", "--manifest", "--db", str(tmp_path / "none.db")],
                       capture_output=True)
    assert r.returncode != 0
    assert b"No sandbox database" in r.stderr


@pytest.mark.parametrize("sandbox,clock", [(False, FrozenClock(START)), (True, SystemClock())],
                         ids=["serve-settings", "system-clock"])
async def test_no_clock_route_outside_the_sandbox(db, db_url, sandbox, clock) -> None:
    app = create_app(Settings(database_url=db_url, sandbox=sandbox, access_log=False),
                     clock=clock, db=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        for method in ("GET", "POST"):
            r = await c.request(method, "/v1/Sandbox/Clock", json={"Now": "2030-01-01T00:00:00"})
            assert r.status_code == 404
            assert r.json()["Message"].startswith("No HTTP resource was found")
    if isinstance(clock, FrozenClock):
        assert clock.now() == START


async def test_sandbox_app_moves_its_clock(client, clock) -> None:
    r = await client.post("/v1/Sandbox/Clock", json={"Now": "2018-01-22T18:24:11"})
    assert r.json() == {"Now": "2018-01-22T18:24:11"}
    assert clock.now().isoformat() == "2018-01-22T18:24:11"
