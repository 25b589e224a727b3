"""The group manager variant of MadeBookingDetails: who may act for whom, and that a
refusal reveals nothing about the member."""

from __future__ import annotations

import pytest

from phonechat import sandbox
from tests.conftest import USERS, bearer

GROUP_URL = "/v1/Groups/PhoneChat/MadeBookingDetails"
MEMBER = USERS["member"]["UserID"]
MANAGER = USERS["manager"]["UserID"]
MEMBER_BOOKING = sandbox.BOOKING_IDS["member_pending"]
REFUSAL = {"Message": "UserID is not a member of a group you manage."}


def _strip(r) -> tuple[int, bytes, list[tuple[str, str]]]:
    return r.status_code, r.content, sorted((k, v) for k, v in r.headers.items()
                                            if k != "x-request-id")


async def test_manager_reads_members_booking(client) -> None:
    r = await client.get(f"{GROUP_URL}?UserID={MEMBER}&BookingID={MEMBER_BOOKING}",
                         headers=bearer("manager"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["BookingID"] == MEMBER_BOOKING == 9
    assert body["Status"] == "Pending"
    assert body["Candidate"]["Nickname"] == "BookedUser"


async def test_group_route_is_case_insensitive_and_takes_params_in_any_case(client) -> None:
    r = await client.get(f"/v1/groups/phonechat/madebookingdetails?userid={MEMBER}&bookingid=9",
                         headers=bearer("manager"))
    assert r.status_code == 200


async def test_group_route_without_user_id_is_400_model_state(client) -> None:
    r = await client.get(f"{GROUP_URL}?BookingID=9", headers=bearer("manager"))
    assert r.status_code == 400
    assert r.json() == {"Message": "The request is invalid.",
                        "ModelState": {"UserID": ["The UserID field is required."]}}


async def test_group_route_reports_both_missing_fields(client) -> None:
    r = await client.get(GROUP_URL, headers=bearer("manager"))
    assert r.json()["ModelState"] == {"BookingID": ["The BookingID field is required."],
                                      "UserID": ["The UserID field is required."]}


async def test_group_route_with_bad_user_id_is_400(client) -> None:
    r = await client.get(f"{GROUP_URL}?UserID=abc&BookingID=9", headers=bearer("manager"))
    assert r.status_code == 400
    assert r.json()["ModelState"] == {"UserID": ["The value 'abc' is not valid for UserID."]}


@pytest.mark.parametrize("role,user_id", [
    ("manager", USERS["client"]["UserID"]),  # a user who is in no group
    ("manager", USERS["outsider"]["UserID"]),
    ("manager", 999_999),  # no such user
    ("outsider", MEMBER),  # not a manager at all
    ("client", MEMBER),
    ("member", MANAGER),  # a member cannot impersonate the manager
    ("member", MEMBER),  # ... nor use the group route for themself
], ids=["non-member", "outsider", "nonexistent", "outsider-caller", "client-caller",
        "member-as-manager", "member-as-self"])
async def test_group_refusal_is_identical_whatever_the_reason(client, role, user_id) -> None:
    reference = await client.get(f"{GROUP_URL}?UserID=999999&BookingID=9", headers=bearer("manager"))
    assert reference.status_code == 403
    assert reference.json() == REFUSAL
    r = await client.get(f"{GROUP_URL}?UserID={user_id}&BookingID=9", headers=bearer(role))
    assert _strip(r) == _strip(reference)


async def test_group_refusal_does_not_depend_on_the_booking(client) -> None:
    """Existing, someone else's, or missing booking: the refusal comes first, the same."""
    answers = [await client.get(f"{GROUP_URL}?UserID={USERS['client']['UserID']}&BookingID={bid}",
                                headers=bearer("manager")) for bid in (1, 9, 424242)]
    assert len({_strip(r)[:2] for r in answers}) == 1


async def test_members_booking_via_plain_route_with_managers_token_is_404(client) -> None:
    r = await client.get(f"/v1/PhoneChat/MadeBookingDetails?BookingID={MEMBER_BOOKING}",
                         headers=bearer("manager"))
    missing = await client.get("/v1/PhoneChat/MadeBookingDetails?BookingID=424242",
                               headers=bearer("manager"))
    assert r.status_code == 404
    assert r.content == missing.content


async def test_manager_acting_for_member_sees_only_members_bookings(client) -> None:
    """Impersonating the member gives the member's view: the client's booking 1 is not theirs."""
    r = await client.get(f"{GROUP_URL}?UserID={MEMBER}&BookingID=1", headers=bearer("manager"))
    assert r.status_code == 404


async def test_member_reads_own_booking_on_plain_route(client) -> None:
    r = await client.get(f"/v1/PhoneChat/MadeBookingDetails?BookingID={MEMBER_BOOKING}",
                         headers=bearer("member"))
    assert r.status_code == 200


async def test_group_refusal_in_xml(client) -> None:
    r = await client.get(f"{GROUP_URL}?UserID=999999&BookingID=9",
                         headers=bearer("manager") | {"Accept": "application/xml"})
    assert r.text == f"<Error><Message>{REFUSAL['Message']}</Message></Error>"


async def test_group_route_needs_the_scope_too(client) -> None:
    token = sandbox.manifest()["tokens"]["client_without_phonechat_scope"]
    r = await client.get(f"{GROUP_URL}?UserID={MEMBER}&BookingID=9",
                         headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403
    assert "account_phonechat_bookings" in r.json()["Message"]
