"""The two reference samples, end to end through the app (fuller tests live beside this)."""

from __future__ import annotations

from tests.conftest import bearer


async def test_details_sample_as_json(client) -> None:
    r = await client.get("/v1/PhoneChat/MadeBookingDetails?BookingID=1", headers=bearer("client"))
    assert r.status_code == 200
    assert r.json()["ActionClient"] == "You need to carry out the session"
