"""Every change of a booking is one event, appended in the change's transaction; history
and feed show each party what concerns them (issue 10). On whichever database runs.

Seed (tests/test_lifecycle_api.py): 1 Confirmed (8 held), 2 Pending, 4 Accepted (12.5),
5 Rejected, 6 Confirmed future (15 held), 7 Confirmed two days ago (20 held), 8 Cancelled,
9 Pending made by the group member; all made of the candidate.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from phonechat.domain import lifecycle as rules
from phonechat.domain.access import Actor
from phonechat.domain.bookings import Status
from phonechat.domain.lifecycle import Side, Transition, Value
from phonechat.services import lifecycle
from tests.conftest import START, USERS, bearer
from tests.lifecycle_helpers import CANDIDATE, CLIENT, get, post

NEW = {"BookUserID": CANDIDATE, "SessionDate": "2018-01-25 20:00", "Duration": 10,
       "Method": 2, "Credits": 6, "AcceptBy": "2018-01-24 20:00"}


async def history(client, role: str, booking_id: int):  # type: ignore[no-untyped-def]
    return await get(client, role, "BookingHistory", BookingID=booking_id)


async def types_of(client, role: str, booking_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    r = await history(client, role, booking_id)
    assert r.status_code == 200, r.text
    return [e["Type"] for e in r.json()["Events"]]


async def feed(client, role: str, **params):  # type: ignore[no-untyped-def]
    r = await client.get("/v1/Events", params=params, headers=bearer(role))
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_booking_s_life_is_one_event_per_change_in_order(client) -> None:
    made = (await post(client, "client", "CreateBooking", NEW)).json()
    bid = made["BookingID"]
    assert (await post(client, "candidate", "AcceptReceivedBooking",
                       {"BookingID": bid, "Credits": 7})).status_code == 200
    assert (await post(client, "client", "ConfirmMadeBooking", {"BookingID": bid})).status_code == 200
    events = (await history(client, "client", bid)).json()["Events"]
    assert [e["Type"] for e in events][:3] == ["booking.created", "booking.accepted",
                                               "booking.confirmed"]
    created, accepted, confirmed = events[:3]
    assert created["PreviousStatus"] is None and created["Status"] == "Pending"
    assert created["ByUserID"] == CLIENT and created["ByNickname"] == USERS["client"]["Nickname"]
    assert created["ClientUserID"] == CLIENT and created["CandidateUserID"] == CANDIDATE
    assert accepted["PreviousStatus"] == "Pending" and accepted["Status"] == "Accepted"
    assert accepted["ByUserID"] == CANDIDATE and accepted["Credits"] is None
    assert confirmed["Credits"] == 7 and confirmed["Created"] == "2018-01-21T14:00:00"
    assert [e["EventID"] for e in events] == sorted({e["EventID"] for e in events})
    assert created["OnBehalfOfUserID"] is None


async def test_cancel_carries_reason_and_the_credits_returned(client) -> None:
    r = await post(client, "candidate", "CancelReceivedBooking", {"BookingID": 6, "Reason": "ill"})
    assert r.status_code == 200, r.text
    (event,) = (await history(client, "client", 6)).json()["Events"]
    assert event["Type"] == "booking.cancelled" and event["Reason"] == "ill"
    assert event["PreviousStatus"] == "Confirmed" and event["Status"] == "Cancelled"
    assert event["Credits"] == 15 and event["ByUserID"] == CANDIDATE


@pytest.mark.parametrize("role, op, body, want", [
    ("candidate", "RejectReceivedBooking", {"BookingID": 2, "Reason": "no"}, "booking.rejected"),
    ("client", "CancelMadeBooking", {"BookingID": 2, "Reason": "x"}, "booking.cancelled"),
    ("client", "ConfirmMadeBooking", {"BookingID": 4}, "booking.confirmed"),
    ("candidate", "AcceptReceivedBooking", {"BookingID": 2, "Credits": 9}, "booking.accepted"),
])
async def test_each_transition_appends_exactly_one_event(client, role, op, body, want) -> None:
    assert await types_of(client, "client", body["BookingID"]) == []
    assert (await post(client, role, op, body)).status_code == 200
    assert await types_of(client, "client", body["BookingID"]) == [want]
    assert await types_of(client, "candidate", body["BookingID"]) == [want]


async def test_a_refused_change_leaves_no_event(client) -> None:
    r = await post(client, "client", "ConfirmMadeBooking", {"BookingID": 2})  # Pending
    assert r.status_code == 400
    assert await types_of(client, "client", 2) == []


async def test_a_transaction_failing_after_the_update_leaves_no_event(client) -> None:
    # Confirm takes its hold after the UPDATE: too few credits then fails the whole
    # transaction, the UPDATE and the event with it. The client has 457 free.
    big, small = [(await post(client, "client", "CreateBooking", {**NEW, "Credits": c})).json()
                  ["BookingID"] for c in (400, 100)]
    for bid, c in ((big, 400), (small, 100)):
        assert (await post(client, "candidate", "AcceptReceivedBooking",
                           {"BookingID": bid, "Credits": c})).status_code == 200
    assert (await post(client, "client", "ConfirmMadeBooking", {"BookingID": small})).status_code == 200
    r = await post(client, "client", "ConfirmMadeBooking", {"BookingID": big})
    assert r.status_code == 400 and "fewer credits" in r.json()["Message"]
    assert await types_of(client, "client", big) == ["booking.created", "booking.accepted"]
    assert (await get(client, "client", "MadeBookingDetails", BookingID=big)).json()["Status"] == "Accepted"


async def test_the_sweep_emits_settled_and_rejected_by_the_clock(client, db) -> None:
    later = START + timedelta(days=30)
    assert await lifecycle.settle_due(db, later) >= 1
    assert await lifecycle.reject_unaccepted(db, later) >= 1
    (settled,) = (await history(client, "client", 7)).json()["Events"]
    assert settled["Type"] == "booking.settled" and settled["ByUserID"] is None
    assert settled["ByNickname"] is None and settled["Credits"] == 20
    assert settled["Status"] == settled["PreviousStatus"] == "Confirmed"
    (rejected,) = (await history(client, "candidate", 2)).json()["Events"]
    assert rejected["Type"] == "booking.rejected" and rejected["Reason"] == rules.AUTO_REJECTED_REASON
    assert rejected["ByUserID"] is None
    # A second sweep changes nothing and appends nothing.
    assert await lifecycle.settle_due(db, later) == 0
    assert len((await history(client, "client", 7)).json()["Events"]) == 1


async def test_a_delete_concerns_only_the_side_that_deleted(client) -> None:
    r = await post(client, "candidate", "DeleteReceivedBooking", {"BookingIDs": "8"})
    assert r.json()[0]["Deleted"], r.text
    assert await types_of(client, "client", 8) == []  # the other side sees nothing
    assert (await history(client, "candidate", 8)).status_code == 404  # gone, as details
    mine = (await feed(client, "candidate"))["Events"]
    assert [e["Type"] for e in mine] == ["booking.deleted"]
    assert (await feed(client, "client"))["Events"] == []


@pytest.mark.parametrize("role", ["outsider", "manager", "member"])
async def test_history_of_someone_else_s_booking_is_details_404(client, role) -> None:
    await post(client, "client", "CancelMadeBooking", {"BookingID": 2, "Reason": "x"})
    r = await history(client, role, 2)
    details = await get(client, role, "MadeBookingDetails", BookingID=2)
    assert r.status_code == details.status_code == 404
    assert r.json() == details.json()
    assert (await history(client, role, 99999)).json() == details.json()
    assert (await feed(client, role))["Events"] == []


async def test_the_group_variant_shows_a_member_s_history_to_the_manager(client) -> None:
    await post(client, "member", "CancelMadeBooking", {"BookingID": 9, "Reason": "x"})
    member = USERS["member"]["UserID"]
    r = await client.get("/v1/Groups/PhoneChat/BookingHistory",
                         params={"BookingID": 9, "UserID": member}, headers=bearer("manager"))
    assert r.status_code == 200, r.text
    assert [e["Type"] for e in r.json()["Events"]] == ["booking.cancelled"]
    r = await client.get("/v1/Groups/PhoneChat/BookingHistory",
                         params={"BookingID": 2, "UserID": member}, headers=bearer("manager"))
    assert r.status_code == 404


async def test_the_feed_pages_without_missing_or_repeating(client) -> None:
    for _ in range(5):
        await post(client, "client", "CreateBooking", NEW)
    await post(client, "client", "CancelMadeBooking", {"BookingID": 2, "Reason": "x"})
    seen, after = [], 0
    while True:
        page = await feed(client, "client", After=after, Limit=2)
        seen += [e["EventID"] for e in page["Events"]]
        after = page["LastEventID"]
        if not page["HasMore"]:
            break
    assert len(seen) == 6 and seen == sorted(set(seen))
    assert (await feed(client, "client", After=after))["Events"] == []
    assert (await feed(client, "client", After=after))["LastEventID"] == after
    assert len((await feed(client, "candidate"))["Events"]) == 6


@pytest.mark.parametrize("params, field", [({"Limit": 0}, "Limit"), ({"Limit": 501}, "Limit"),
                                           ({"After": -1}, "After"), ({"After": "x"}, "After")])
async def test_the_feed_refuses_bad_paging(client, params, field) -> None:
    r = await client.get("/v1/Events", params=params, headers=bearer("client"))
    assert r.status_code == 400 and field in r.json()["ModelState"]


async def test_history_and_feed_in_xml(client) -> None:
    await post(client, "client", "CancelMadeBooking", {"BookingID": 2, "Reason": "x"})
    r = await client.get("/v1/Events", headers={**bearer("client"), "Accept": "application/xml"})
    assert r.status_code == 200 and r.text.startswith("<Events ")
    assert "<Type>booking.cancelled</Type>" in r.text
    r = await client.get("/v1/PhoneChat/BookingHistory", params={"BookingID": 2},
                         headers={**bearer("client"), "Accept": "application/xml"})
    assert r.text.startswith("<BookingHistory ") and "<d4p1:BookingEvent>" not in r.text


async def test_a_new_transition_is_one_entry_and_emits_its_event(client, db, monkeypatch) -> None:
    # "Archive" a Cancelled booking: declared here only; services, store and api untouched.
    archive = Transition("archive", (Side.CLIENT,), (Status.CANCELLED,), Status.CANCELLED,
                         "any time", "archived", "booking.archived",
                         {"cancelled_reason": Value.REASON, "last_updated": Value.NOW})
    monkeypatch.setitem(rules.TRANSITIONS, "archive", archive)
    me = Actor(CLIENT, USERS["client"]["Nickname"])
    view = await lifecycle.run(db, "archive", me, 8, START, rules.Change("kept"))  # type: ignore[arg-type]
    assert view.cancelled_reason == "kept"
    (event,) = (await history(client, "client", 8)).json()["Events"]
    assert event["Type"] == "booking.archived" and event["Reason"] == "kept"
    with pytest.raises(Exception):  # refused from any other status, by the declaration
        await lifecycle.run(db, "archive", me, 2, START)  # type: ignore[arg-type]
    assert await types_of(client, "client", 2) == []


ROLES = ["client", "candidate", "manager", "member", "outsider"]


async def test_the_bola_matrix_history_follows_details_and_the_feed_concerns_only_you(
        client) -> None:
    await post(client, "client", "CancelMadeBooking", {"BookingID": 2, "Reason": "x"})
    await post(client, "candidate", "RejectReceivedBooking", {"BookingID": 3, "Reason": "no"})
    await post(client, "member", "CancelMadeBooking", {"BookingID": 9, "Reason": "x"})
    await post(client, "candidate", "DeleteReceivedBooking", {"BookingIDs": "8"})
    await post(client, "client", "DeleteMadeBookings", {"BookingIDs": "5"})
    for role in ROLES:
        me = USERS[role]["UserID"]
        for booking_id in range(1, 12):
            made = await get(client, role, "MadeBookingDetails", BookingID=booking_id)
            received = await get(client, role, "ReceivedBookingDetails", BookingID=booking_id)
            r = await history(client, role, booking_id)
            readable = 200 in (made.status_code, received.status_code)
            assert r.status_code == (200 if readable else 404), (role, booking_id)
            if not readable:
                assert r.json() == made.json()
                continue
            for e in r.json()["Events"]:
                assert me in (e["ClientUserID"], e["CandidateUserID"])
                if e["Type"] == "booking.deleted":
                    assert e["ByUserID"] == me  # the other side's delete is not shown
        events = (await feed(client, role, Limit=500))["Events"]
        for e in events:
            assert me in (e["ClientUserID"], e["CandidateUserID"]), (role, e)
            assert e["Type"] != "booking.deleted" or e["ByUserID"] == me
        want = {"client": 3, "candidate": 4, "member": 1, "manager": 0, "outsider": 0}[role]
        assert len(events) == want, (role, events)


async def test_a_manager_acting_for_a_member_is_the_event_s_by_with_on_behalf_of(client, db) -> None:
    member, manager = USERS["member"], USERS["manager"]
    actor = Actor(member["UserID"], member["Nickname"],
                  manager=Actor(manager["UserID"], manager["Nickname"]))
    await lifecycle.cancel_made_booking(db, actor, 9, "for them", START)
    r = await client.get("/v1/Groups/PhoneChat/BookingHistory",
                         params={"BookingID": 9, "UserID": member["UserID"]},
                         headers=bearer("manager"))
    (event,) = r.json()["Events"]
    assert event["ByUserID"] == manager["UserID"] and event["ByNickname"] == manager["Nickname"]
    assert event["OnBehalfOfUserID"] == member["UserID"]
    made = await get(client, "member", "MadeBookingDetails", BookingID=9)
    assert made.json()["CancelledBy"] == member["Nickname"]  # the booking's own member: as before
