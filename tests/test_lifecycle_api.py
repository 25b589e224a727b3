"""The lifecycle through the API: every edge of the state machine and every refusal, on
whichever database the suite runs (SQLite, or PostgreSQL with PHONECHAT_TEST_DATABASE_URL).

Seed (tests/conftest.py START = 2018-01-21 14:00): 1 Confirmed (8 held), 2 Pending (the
cancel sample, AcceptBy 2018-01-22 00:00), 3 Pending (Skype), 4 Accepted (12.5), 5 Rejected,
6 Confirmed future (15 held), 7 Confirmed, session two days ago (20 held), 8 Cancelled,
9 Pending made by the group member; all made of the candidate. The client has 457 free.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from xml.etree import ElementTree as ET

import pytest

from phonechat.domain.credits import to_units
from phonechat.domain.lifecycle import ORDER_BY
from phonechat.services import lifecycle
from phonechat.services.views import MadeBooking, ReceivedBooking
from tests.conftest import START, bearer
from tests.lifecycle_helpers import CANDIDATE, CLIENT, balance_of, books_balance, get, post

NEW = {"BookUserID": CANDIDATE, "SessionDate": "2018-01-25 20:00", "Duration": 10,
       "Method": 2, "Credits": 6, "AcceptBy": "2018-01-24 20:00", "Comments": "Hello"}


# --- CreateBooking -------------------------------------------------------------------------


async def test_create_booking_makes_a_pending_booking_and_holds_nothing(client, db) -> None:
    before = await balance_of(db, CLIENT)
    r = await post(client, "client", "CreateBooking", NEW)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["Status"] == "Pending" and body["Credits"] == 6 and body["Duration"] == 10
    assert body["SessionDate"] == "2018-01-25T20:00:00" and body["AcceptBy"] == "2018-01-24T20:00:00"
    assert body["CreateDate"] == "2018-01-21T14:00:00" and body["Comments"] == "Hello"
    assert body["Candidate"]["UserID"] == CANDIDATE and body["ActionClient"] is None
    assert await balance_of(db, CLIENT) == before
    seen = await get(client, "candidate", "ReceivedBookingDetails", BookingID=body["BookingID"])
    assert seen.json()["ActionCandidate"] == "You need to accept or reject the booking"
    await books_balance(db)


async def test_create_booking_accepts_the_iso_t_form_and_keeps_method_fields(client) -> None:
    r = await post(client, "client", "CreateBooking", {
        **NEW, "SessionDate": "2018-01-25T20:00", "Method": 1, "PhoneNumber": "07700 900 456",
        "SkypeName": "ignored"})
    assert r.status_code == 200, r.text
    assert r.json()["PhoneNumber"] == "07700900456" and r.json()["SkypeName"] is None


@pytest.mark.parametrize("method, unused", [
    (2, {"PhoneNumber": "call me on my mobile", "SkypeName": {"not": "a string"}}),
    (2, {"PhoneNumber": 12, "SkypeName": ""}),
    (3, {"PhoneNumber": "abc", "SkypeName": "me.on.skype"}),
])
async def test_create_booking_ignores_the_fields_its_method_does_not_use(client, method,
                                                                         unused) -> None:
    # Published: PhoneNumber is "not used" unless Method is 1, SkypeName unless Method is 3.
    r = await post(client, "client", "CreateBooking", {**NEW, "Method": method, **unused})
    assert r.status_code == 200, r.text
    assert r.json()["PhoneNumber"] is None
    assert r.json()["SkypeName"] == ("me.on.skype" if method == 3 else None)


@pytest.mark.parametrize("number, kept", [
    ("0770 090 0456", "07700900456"), ("7700900456", "7700900456"),
    ("+44 7700 900456", "+447700900456"), ("+1 (212) 555-0100", "+12125550100"),
])
async def test_create_booking_phone_number_forms(client, number, kept) -> None:
    r = await post(client, "client", "CreateBooking", {**NEW, "Method": 1, "PhoneNumber": number})
    assert r.status_code == 200, r.text
    assert r.json()["PhoneNumber"] == kept


@pytest.mark.parametrize("change, field, words", [
    ({"SessionDate": "2018-01-21 13:59"}, "SessionDate", "future"),
    ({"AcceptBy": "2018-01-21 13:00"}, "AcceptBy", "future"),
    ({"AcceptBy": "2018-01-25 20:00"}, "AcceptBy", "before SessionDate"),
    ({"Duration": 4}, "Duration", "at least 5"),
    ({"Method": 1}, "PhoneNumber", "required when Method is 1"),
    ({"Method": 1, "PhoneNumber": "123456789"}, "PhoneNumber", "10 or 11 digits"),
    ({"Method": 1, "PhoneNumber": "077009004561"}, "PhoneNumber", "10 or 11 digits"),
    ({"Method": 1, "PhoneNumber": "+4477009004"}, "PhoneNumber", "+ with the country code"),
    ({"Method": 1, "PhoneNumber": "+4477009004561234"}, "PhoneNumber", "11 to 15 digits"),
    ({"Method": 1, "PhoneNumber": "07700+900456"}, "PhoneNumber", "10 or 11 digits"),
    ({"Method": 1, "PhoneNumber": "0770090045x"}, "PhoneNumber", "10 or 11 digits"),
    ({"Method": 3}, "SkypeName", "required when Method is 3"),
    ({"Method": 4}, "Method", "between 1 and 3"),
    ({"Credits": "4.9999"}, "Credits", "at least 5"),
    ({"Credits": "5.00001"}, "Credits", "4 decimal places"),
    ({"Credits": 600}, "Credits", "fewer than"),
    ({"BookUserID": CLIENT}, "BookUserID", "cannot book yourself"),
    ({"BookUserID": 400}, "BookUserID", "does not take PhoneChat"),
    ({"BookUserID": 999999}, "BookUserID", "does not take PhoneChat"),
    ({"BookUserID": 301}, "BookUserID", "DirectChat calls only"),
    ({"SessionDate": "25/01/2018 20:00"}, "SessionDate", "2018-01-22 21:30"),
    ({"Comments": "x" * 1001}, "Comments", "maximum length of 1000"),
])
async def test_create_booking_refusals_name_the_field(client, db, change, field, words) -> None:
    r = await post(client, "client", "CreateBooking", {**NEW, **change})
    assert r.status_code == 400, r.text
    messages = r.json()["ModelState"][field]
    assert any(words in m for m in messages), messages
    assert not any("E+" in m for m in messages)
    listing = await get(client, "client", "MadeBookings")
    assert len(listing.json()["Bookings"]) == 9  # nothing written


async def test_create_booking_refuses_a_method_the_booked_user_does_not_take(client) -> None:
    r = await post(client, "candidate", "SaveSettings", {
        "OfferDirectChat": False, "PhoneChatNumber": "+447700900123", "PhoneChatPPM": 1,
        "Methods": [2]})
    assert r.status_code == 200, r.text
    r = await post(client, "client", "CreateBooking", {**NEW, "Method": 3, "SkypeName": "me",
                                                      "Credits": 10})
    assert r.status_code == 400
    assert "does not take Method 3" in r.json()["ModelState"]["Method"][0]


async def test_create_booking_missing_fields_are_all_reported(client) -> None:
    r = await post(client, "client", "CreateBooking", {})
    assert r.status_code == 400
    assert set(r.json()["ModelState"]) == {"BookUserID", "SessionDate", "Duration", "Method",
                                           "Credits", "AcceptBy"}


# --- MadeBookings / ReceivedBookings ---------------------------------------------------------


async def test_made_bookings_pages_newest_first_by_default(client) -> None:
    r = await get(client, "client", "MadeBookings")
    body = r.json()
    assert body["PageNumber"] == 1 and body["PageCount"] == 1 and body["PageSize"] == 50
    dates = [b["CreateDate"] for b in body["Bookings"]]
    assert dates == sorted(dates, reverse=True) and len(dates) == 9
    assert {b["BookingID"] for b in body["Bookings"]} == {*range(1, 9), 10}  # not 9 (member's)


async def test_made_bookings_pages_do_not_overlap(client) -> None:
    seen = []
    for page in (1, 2, 3):
        r = await get(client, "client", "MadeBookings", BookingsPerPage=3, PageNumber=page)
        body = r.json()
        assert body["PageCount"] == 3 and body["PageNumber"] == page and body["PageSize"] == 3
        seen += [b["BookingID"] for b in body["Bookings"]]
    assert sorted(seen) == [*range(1, 9), 10]
    r = await get(client, "client", "MadeBookings", BookingsPerPage=3, PageNumber=4)
    assert r.json()["Bookings"] == [] and r.json()["PageCount"] == 3


@pytest.mark.parametrize("order, key, reverse", [
    ("date-asc", "CreateDate", False), ("date-desc", "CreateDate", True),
    ("sessiondate-asc", "SessionDate", False), ("sessiondate-desc", "SessionDate", True),
])
async def test_made_bookings_orders_by_date(client, order, key, reverse) -> None:
    r = await get(client, "client", "MadeBookings", OrderBy=order)
    values = [b[key] for b in r.json()["Bookings"]]
    assert values == sorted(values, reverse=reverse)


async def test_received_bookings_order_by_nickname(client) -> None:
    asc = await get(client, "candidate", "ReceivedBookings", OrderBy="nickname-asc")
    names = [b["Client"]["Nickname"] for b in asc.json()["Bookings"]]
    assert names == sorted(names) and set(names) == {"BookingUser", "GroupMember"}
    desc = await get(client, "candidate", "ReceivedBookings", OrderBy="NICKNAME-DESC")
    assert [b["Client"]["Nickname"] for b in desc.json()["Bookings"]] == sorted(names, reverse=True)


async def test_made_bookings_start_date_keeps_bookings_made_that_day_or_later(client) -> None:
    r = await get(client, "client", "MadeBookings", StartDate="2018-01-20")
    ids = {b["BookingID"] for b in r.json()["Bookings"]}
    assert ids == {1, 2, 3}  # made 2018-01-20 (the samples) or today; the rest earlier


@pytest.mark.parametrize("params, field", [
    ({"BookingsPerPage": 0}, "BookingsPerPage"), ({"BookingsPerPage": 101}, "BookingsPerPage"),
    ({"PageNumber": 0}, "PageNumber"), ({"OrderBy": "price"}, "OrderBy"),
    ({"StartDate": "21/01/2018"}, "StartDate"),
])
async def test_made_bookings_refuses_bad_paging(client, params, field) -> None:
    r = await get(client, "client", "MadeBookings", **params)
    assert r.status_code == 400 and field in r.json()["ModelState"]


async def test_a_page_in_xml_is_a_contract_with_the_list_as_a_member(client) -> None:
    r = await client.get("/v1/PhoneChat/ReceivedBookings?BookingsPerPage=2",
                         headers={**bearer("candidate"), "Accept": "application/xml"})
    ns = "{http://schemas.datacontract.org/2004/07/API.Models.PhoneChat.Bookings.Received}"
    root = ET.fromstring(r.content)
    assert root.tag == f"{ns}ReceivedBookings"
    # DataContract order is alphabetical: the list first, then the paging members.
    assert [c.tag for c in root] == [f"{ns}Bookings", f"{ns}PageCount", f"{ns}PageNumber",
                                     f"{ns}PageSize"]
    assert [root.find(f"{ns}{n}").text for n in ("PageCount", "PageNumber", "PageSize")] \
        == ["5", "1", "2"]  # 9 received bookings, 2 a page
    items = root.find(f"{ns}Bookings")
    assert [c.tag for c in items] == [f"{ns}ReceivedBooking"] * 2
    assert items[0].find(f"{ns}Client") is not None


@pytest.mark.parametrize("op, role", [("MadeBookings", "client"),
                                      ("ReceivedBookings", "candidate")])
async def test_a_page_in_json_has_page_count_number_and_size_first(client, op, role) -> None:
    # As the original's other paged answers (GetCreditsHistory, Webcam MadeBookings).
    r = await get(client, role, op, BookingsPerPage=4, PageNumber=2)
    assert list(r.json()) == ["PageCount", "PageNumber", "PageSize", "Bookings"]
    # 9 bookings made by the client, 10 made of the candidate: 3 pages of 4 either way.
    assert r.content.startswith(b'{"PageCount":3,"PageNumber":2,"PageSize":4,"Bookings":[')


async def test_received_bookings_shows_the_bookings_made_of_the_candidate(client) -> None:
    r = await get(client, "candidate", "ReceivedBookings")
    ids = {b["BookingID"] for b in r.json()["Bookings"]}
    assert ids == set(range(1, 11))
    assert (await get(client, "client", "ReceivedBookings")).json()["Bookings"] == []


# --- details of the received side ------------------------------------------------------------


async def test_received_booking_details_shows_the_client_and_action_candidate(client) -> None:
    r = await get(client, "candidate", "ReceivedBookingDetails", BookingID=1)
    body = r.json()
    assert body["Client"]["UserID"] == CLIENT and body["Client"]["Nickname"] == "BookingUser"
    assert body["Client"]["Total"] == 12 and "Candidate" not in body
    assert body["ActionCandidate"] == "You need to be available to take the call"
    assert "ActionClient" not in body
    assert list(body)[-2:] == ["ActionCandidate", "Client"]


async def test_received_booking_details_of_someone_elses_booking_is_404(client) -> None:
    for role, booking in (("client", 1), ("outsider", 3)):
        r = await get(client, role, "ReceivedBookingDetails", BookingID=booking)
        assert r.status_code == 404
    r = await get(client, "candidate", "MadeBookingDetails", BookingID=1)
    assert r.status_code == 404


# --- Accept / Reject (candidate, Pending) ----------------------------------------------------


async def test_accept_at_a_credits_amount_then_the_client_is_asked_to_confirm(client, db) -> None:
    r = await post(client, "candidate", "AcceptReceivedBooking", {"BookingID": 3, "Credits": "11.5"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["Status"] == "Accepted" and body["Credits"] == 11.5
    assert body["AcceptedDate"] == "2018-01-21T14:00:00" and body["ActionCandidate"] is None
    made = (await get(client, "client", "MadeBookingDetails", BookingID=3)).json()
    assert made["ActionClient"] == "You need to confirm the booking"
    await books_balance(db)


async def test_accept_refused_after_accept_by_and_the_booking_stays_pending(client, clock) -> None:
    clock.set(datetime(2018, 1, 22, 0, 0))  # booking 2's AcceptBy
    r = await post(client, "candidate", "AcceptReceivedBooking", {"BookingID": 2, "Credits": 8})
    assert r.status_code == 400
    assert "AcceptBy" in r.json()["Message"] and "Status is Pending" in r.json()["Message"]
    body = (await get(client, "candidate", "ReceivedBookingDetails", BookingID=2)).json()
    assert body["Status"] == "Pending"
    assert body["ActionCandidate"] == "The booking can no longer be accepted; you can reject it"


@pytest.mark.parametrize("booking, status", [(4, "Accepted"), (5, "Rejected"),
                                             (6, "Confirmed"), (8, "Cancelled")])
async def test_accept_refused_unless_pending(client, booking, status) -> None:
    r = await post(client, "candidate", "AcceptReceivedBooking", {"BookingID": booking,
                                                                  "Credits": 8})
    assert r.status_code == 400 and f"Status is {status}" in r.json()["Message"]


async def test_accept_refuses_zero_credits(client) -> None:
    r = await post(client, "candidate", "AcceptReceivedBooking", {"BookingID": 3, "Credits": 0})
    assert r.status_code == 400 and "Credits" in r.json()["ModelState"]


async def test_reject_a_pending_booking_records_the_reason(client) -> None:
    r = await post(client, "candidate", "RejectReceivedBooking",
                   {"BookingID": 3, "Reason": "Away"})
    assert r.status_code == 200
    assert r.json()["Status"] == "Rejected" and r.json()["RejectedReason"] == "Away"
    r = await post(client, "candidate", "RejectReceivedBooking", {"BookingID": 3, "Reason": "x"})
    assert r.status_code == 400 and "Status is Rejected" in r.json()["Message"]


async def test_reject_needs_a_reason_and_the_booking_to_be_pending(client) -> None:
    r = await post(client, "candidate", "RejectReceivedBooking", {"BookingID": 3})
    assert r.status_code == 400 and "Reason" in r.json()["ModelState"]
    r = await post(client, "candidate", "RejectReceivedBooking", {"BookingID": 4, "Reason": "x"})
    assert r.status_code == 400 and "Status is Accepted" in r.json()["Message"]


async def test_the_client_cannot_act_on_the_received_side(client) -> None:
    r = await post(client, "client", "AcceptReceivedBooking", {"BookingID": 3, "Credits": 8})
    assert r.status_code == 404
    r = await post(client, "candidate", "ConfirmMadeBooking", {"BookingID": 4})
    assert r.status_code == 404


# --- Confirm (client, Accepted): credits are held ---------------------------------------------


async def test_confirm_holds_the_accepted_credits(client, db) -> None:
    before = await balance_of(db, CLIENT)
    r = await post(client, "client", "ConfirmMadeBooking", {"BookingID": 4})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["Status"] == "Confirmed" and body["ConfirmedDate"] == "2018-01-21T14:00:00"
    assert body["ActionClient"] == "You need to be available to take the call"
    assert await balance_of(db, CLIENT) == before - to_units("12.5")
    await books_balance(db)


async def test_confirm_twice_the_second_is_told_the_booking_is_confirmed(client, db) -> None:
    assert (await post(client, "client", "ConfirmMadeBooking", {"BookingID": 4})).status_code == 200
    r = await post(client, "client", "ConfirmMadeBooking", {"BookingID": 4})
    assert r.status_code == 400 and "Status is Confirmed" in r.json()["Message"]
    await books_balance(db)


async def test_confirm_refused_once_the_session_date_passed(client, clock, db) -> None:
    clock.set(START + timedelta(days=2))  # booking 4's SessionDate
    r = await post(client, "client", "ConfirmMadeBooking", {"BookingID": 4})
    assert r.status_code == 400 and "SessionDate" in r.json()["Message"]
    assert "Status is Accepted" in r.json()["Message"]
    made = (await get(client, "client", "MadeBookingDetails", BookingID=4)).json()
    assert made["Status"] == "Accepted" and made["ActionClient"] is None


async def test_confirm_refused_unless_accepted(client) -> None:
    r = await post(client, "client", "ConfirmMadeBooking", {"BookingID": 3})
    assert r.status_code == 400 and "Status is Pending" in r.json()["Message"]


async def test_confirm_without_enough_credits_changes_nothing(client, db) -> None:
    r = await post(client, "candidate", "AcceptReceivedBooking", {"BookingID": 9, "Credits": 300})
    assert r.status_code == 200
    r = await post(client, "member", "ConfirmMadeBooking", {"BookingID": 9})
    assert r.status_code == 400 and "fewer credits" in r.json()["Message"]
    made = (await get(client, "member", "MadeBookingDetails", BookingID=9)).json()
    assert made["Status"] == "Accepted" and made["ConfirmedDate"] is None
    await books_balance(db)


# --- Cancel (either side) ----------------------------------------------------------------------


async def test_candidate_cancels_a_confirmed_booking_and_the_client_gets_every_credit(client, db):
    before = await balance_of(db, CLIENT)
    r = await post(client, "candidate", "CancelReceivedBooking",
                   {"BookingID": 6, "Reason": "Ill"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["Status"] == "Cancelled" and body["CancelledBy"] == "BookedUser"
    assert body["CancelledReason"] == "Ill"
    assert await balance_of(db, CLIENT) == before + to_units(15)
    await books_balance(db)


async def test_candidate_cancels_an_accepted_booking_moving_nothing(client, db) -> None:
    before = await balance_of(db, CLIENT)
    r = await post(client, "candidate", "CancelReceivedBooking", {"BookingID": 4, "Reason": "x"})
    assert r.status_code == 200 and r.json()["Status"] == "Cancelled"
    assert await balance_of(db, CLIENT) == before


@pytest.mark.parametrize("booking, words", [
    (3, "Status is Pending"), (5, "Status is Rejected"), (8, "Status is Cancelled"),
    (7, "SessionDate"),
])
async def test_candidate_cancel_refusals(client, booking, words) -> None:
    r = await post(client, "candidate", "CancelReceivedBooking",
                   {"BookingID": booking, "Reason": "x"})
    assert r.status_code == 400 and words in r.json()["Message"]


async def test_client_cancels_a_confirmed_booking_and_gets_the_hold_back(client, db) -> None:
    before = await balance_of(db, CLIENT)
    r = await post(client, "client", "CancelMadeBooking", {"BookingID": 6, "Reason": "x"})
    assert r.status_code == 200 and r.json()["Status"] == "Cancelled"
    assert await balance_of(db, CLIENT) == before + to_units(15)
    await books_balance(db)


async def test_client_may_cancel_a_pending_booking_past_its_accept_by(client, clock) -> None:
    clock.set(datetime(2018, 1, 22, 18, 24, 11))  # the published cancel sample
    r = await post(client, "client", "CancelMadeBooking", {"BookingID": 2, "Reason": "x"})
    assert r.status_code == 200 and r.json()["Status"] == "Cancelled"


# --- ReInvite and Reschedule: the missed session ------------------------------------------------


async def test_reinvite_rejects_then_reschedule_confirms_a_missed_booking(client, clock, db):
    clock.set(datetime(2018, 1, 23, 9, 0, 30))  # booking 2's session (22 21:30) missed
    cand = (await get(client, "candidate", "ReceivedBookingDetails", BookingID=2)).json()
    assert cand["ActionCandidate"] == "You can re-invite the client"
    r = await post(client, "candidate", "ReInvite", {"BookingID": 2})
    assert r.status_code == 200, r.text
    assert r.json()["Status"] == "Rejected" and r.json()["ActionCandidate"] is None
    assert r.json()["RejectedReason"] == lifecycle.rules.DEFAULT_REINVITE_REASON
    made = (await get(client, "client", "MadeBookingDetails", BookingID=2)).json()
    assert made["Status"] == "Rejected"
    assert made["ActionClient"] == "You need to reschedule the booking"
    before = await balance_of(db, CLIENT)
    r = await post(client, "client", "RescheduleMadeBooking", {"BookingID": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["Status"] == "Confirmed" and body["SessionDate"] == "2018-01-23T09:10:00"
    assert body["ConfirmedDate"] == "2018-01-23T09:00:30"
    assert await balance_of(db, CLIENT) == before - to_units(8)
    await books_balance(db)


async def test_reinvite_keeps_a_given_reason(client, clock, db) -> None:
    clock.set(datetime(2018, 1, 23))
    r = await post(client, "candidate", "ReInvite", {"BookingID": 2, "Reason": "Sorry!"})
    assert r.status_code == 200
    assert r.json()["Status"] == "Rejected" and r.json()["RejectedReason"] == "Sorry!"
    assert r.json()["LastUpdated"] == "2018-01-23T00:00:00"
    row = await _row(db, 2)
    assert row["rejected_reason"] == "Sorry!" and row["reinvited_date"] == datetime(2018, 1, 23)


async def _row(db, booking_id):  # type: ignore[no-untyped-def]
    from phonechat.store import lifecycle as store
    async with db.connection() as conn:
        return await store.view(conn, "client", booking_id, CLIENT)


async def test_reinvite_uses_the_default_reason(client, clock, db) -> None:
    clock.set(datetime(2018, 1, 23))
    r = await post(client, "candidate", "ReInvite", {"BookingID": 2, "Reason": "  "})
    assert r.json()["RejectedReason"] == lifecycle.rules.DEFAULT_REINVITE_REASON
    assert (await _row(db, 2))["rejected_reason"] == lifecycle.rules.DEFAULT_REINVITE_REASON


async def test_reinvite_refusals(client, clock) -> None:
    r = await post(client, "candidate", "ReInvite", {"BookingID": 3})
    assert r.status_code == 400 and "has not passed yet" in r.json()["Message"]
    r = await post(client, "candidate", "ReInvite", {"BookingID": 7})
    assert r.status_code == 400 and "Status is Confirmed" in r.json()["Message"]
    clock.set(datetime(2018, 1, 23))
    assert (await post(client, "candidate", "ReInvite", {"BookingID": 2})).status_code == 200
    r = await post(client, "candidate", "ReInvite", {"BookingID": 2})
    assert r.status_code == 400 and "Status is Rejected, re-invited" in r.json()["Message"]


async def test_reschedule_a_missed_confirmed_session_keeps_the_hold(client, db) -> None:
    before = await balance_of(db, CLIENT)
    r = await post(client, "client", "RescheduleMadeBooking", {"BookingID": 7})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["Status"] == "Confirmed" and body["SessionDate"] == "2018-01-21T14:10:00"
    assert body["ActionClient"] == "You need to carry out the session on Skype"
    assert await balance_of(db, CLIENT) == before
    await books_balance(db)


@pytest.mark.parametrize("booking, words", [
    (6, "has not passed yet"), (4, "Status is Accepted"), (5, "Status is Rejected"),
    (8, "Status is Cancelled"),
])
async def test_reschedule_refusals(client, booking, words) -> None:
    r = await post(client, "client", "RescheduleMadeBooking", {"BookingID": booking})
    assert r.status_code == 400 and words in r.json()["Message"]


async def test_reschedule_of_a_pending_booking_needs_a_reinvitation(client, clock) -> None:
    clock.set(datetime(2018, 1, 23))
    r = await post(client, "client", "RescheduleMadeBooking", {"BookingID": 2})
    assert r.status_code == 400 and "re-invited you" in r.json()["Message"]


async def test_a_reinvitation_is_open_for_24_hours(client, clock, db) -> None:
    clock.set(datetime(2018, 1, 23))
    assert (await post(client, "candidate", "ReInvite", {"BookingID": 2})).status_code == 200
    clock.set(datetime(2018, 1, 24))
    made = (await get(client, "client", "MadeBookingDetails", BookingID=2)).json()
    assert made["Status"] == "Rejected" and made["ActionClient"] is None
    r = await post(client, "client", "RescheduleMadeBooking", {"BookingID": 2})
    assert r.status_code == 400
    assert "re-invitation ended at 2018-01-24T00:00:00" in r.json()["Message"]
    await books_balance(db)


async def test_the_candidate_deleting_a_reinvited_booking_withdraws_the_invitation(client,
                                                                                   clock) -> None:
    clock.set(datetime(2018, 1, 23))
    assert (await post(client, "candidate", "ReInvite", {"BookingID": 2})).status_code == 200
    r = await post(client, "candidate", "DeleteReceivedBooking", {"BookingIDs": "2"})
    assert r.json()[0]["Deleted"]
    made = (await get(client, "client", "MadeBookingDetails", BookingID=2)).json()
    assert made["ActionClient"] is None
    r = await post(client, "client", "RescheduleMadeBooking", {"BookingID": 2})
    assert r.status_code == 400 and "withdrawn the re-invitation" in r.json()["Message"]


async def test_reschedule_of_a_settled_booking_is_refused(client, db) -> None:
    assert await lifecycle.settle_due(db, START) == 1  # booking 7
    r = await post(client, "client", "RescheduleMadeBooking", {"BookingID": 7})
    assert r.status_code == 400 and "settled" in r.json()["Message"]


# --- Delete (per-ID results; the other side keeps it) ---------------------------------------------


async def test_delete_made_bookings_answers_per_id(client, db) -> None:
    r = await post(client, "client", "DeleteMadeBookings", {"BookingIDs": "8,3, 5,1,999"})
    assert r.status_code == 200, r.text
    results = {x["BookingID"]: x for x in r.json()}
    # The deleted first, then the others, each in BookingID order.
    assert [x["BookingID"] for x in r.json()] == [1, 5, 8, 3, 999]
    assert results[1]["Deleted"] and results[5]["Deleted"] and results[8]["Deleted"]
    assert not results[3]["Deleted"] and "Status is Pending" in results[3]["Message"]
    assert not results[999]["Deleted"] and "No PhoneChat booking" in results[999]["Message"]
    assert (await get(client, "client", "MadeBookingDetails", BookingID=5)).status_code == 404
    listed = {b["BookingID"] for b in (await get(client, "client", "MadeBookings")).json()["Bookings"]}
    assert listed == {2, 3, 4, 6, 7, 10}
    other = await get(client, "candidate", "ReceivedBookingDetails", BookingID=5)
    assert other.status_code == 200
    again = await post(client, "client", "DeleteMadeBookings", {"BookingIDs": "5"})
    assert again.json() == [{"BookingID": 5, "Deleted": False, "Message":
                             "No PhoneChat booking was found with that BookingID."}]
    await books_balance(db)  # booking 1 still holds its 8 credits


async def test_delete_answers_as_the_published_sample_starts(client) -> None:
    # The page's sample for "100,101,102" starts at 101: 100 was not deleted (here 4 is
    # Accepted), so it follows the deleted ones.
    r = await post(client, "client", "DeleteMadeBookings", {"BookingIDs": "4,5,6"})
    assert [(x["BookingID"], x["Deleted"]) for x in r.json()] == [(5, True), (6, True),
                                                                  (4, False)]
    r = await post(client, "client", "DeleteMadeBookings", {"BookingIDs": [999, 8, 7]})
    assert [(x["BookingID"], x["Deleted"]) for x in r.json()] == [(7, True), (8, True),
                                                                  (999, False)]


async def test_delete_received_booking_in_xml(client) -> None:
    r = await client.post("/v1/PhoneChat/DeleteReceivedBooking",
                          content=b"<DeleteReceivedBooking><BookingIDs>5,4</BookingIDs>"
                                  b"</DeleteReceivedBooking>",
                          headers={**bearer("candidate"), "Content-Type": "application/xml",
                                   "Accept": "application/xml"})
    assert r.status_code == 200
    root = ET.fromstring(r.content)
    ns = "{http://schemas.datacontract.org/2004/07/API.Models.PhoneChat.Bookings}"
    assert root.tag == f"{ns}ArrayOfDeleteBookingResult"
    assert [x.find(f"{ns}Deleted").text for x in root] == ["true", "false"]
    assert (await get(client, "candidate", "ReceivedBookingDetails", BookingID=5)).status_code == 404
    assert (await get(client, "client", "MadeBookingDetails", BookingID=5)).status_code == 200


async def test_delete_needs_ids(client) -> None:
    r = await post(client, "client", "DeleteMadeBookings", {"BookingIDs": "1,x"})
    assert r.status_code == 400 and "BookingIDs" in r.json()["ModelState"]


# --- settings ------------------------------------------------------------------------------


async def test_user_booking_requirements(client) -> None:
    # Every method, each with its availability (tests/api/test_settings.py has the rest).
    r = await get(client, "client", "GetUserBookingRequirements", BookUserID=CANDIDATE)
    assert r.json()["PhoneChatPPM"] == 0.5
    assert [(m["Method"], m["Available"]) for m in r.json()["Methods"]] == [
        (1, True), (2, True), (3, True)]
    for user in (400, 999999, 301):  # no settings, unknown, DirectChat only
        r = await get(client, "client", "GetUserBookingRequirements", BookUserID=user)
        assert r.status_code == 400 and "BookUserID" in r.json()["ModelState"], user


async def test_user_booking_requirements_in_xml_writes_the_methods_as_phonechat_methods(client):
    r = await client.get(f"/v1/PhoneChat/GetUserBookingRequirements?BookUserID={CANDIDATE}",
                         headers={**bearer("client"), "Accept": "application/xml"})
    text = r.text
    assert "<PhoneChatPPM>0.5000</PhoneChatPPM>" in text
    assert ("<Methods><PhoneChatMethod><Available>true</Available><Description>The client is "
            "called by the booked user</Description><Method>1</Method></PhoneChatMethod>") in text
    assert text.count("<PhoneChatMethod>") == 3


async def test_get_and_save_settings(client) -> None:
    r = await get(client, "candidate", "GetSettings")
    assert r.json() == {"OfferDirectChat": False, "DirectChat": None,
                        "PhoneChatNumber": "+447700900123", "ShowPhoneChatNumber": False,
                        "PhoneChatPPM": 0.5, "TakesBookings": True, "Methods": [1, 2, 3],
                        "SkypeName": "booked.user"}
    r = await post(client, "outsider", "SaveSettings", {
        "OfferDirectChat": False, "PhoneChatPPM": "1.25", "Methods": "1,3", "SkypeName": "o"})
    assert r.status_code == 200, r.text
    r = await get(client, "client", "GetUserBookingRequirements", BookUserID=400)
    assert r.json()["PhoneChatPPM"] == 1.25
    assert [m["Available"] for m in r.json()["Methods"]] == [True, False, True]


ORIGINAL = {"OfferDirectChat": False, "PhoneChatNumber": "+447700900123", "PhoneChatPPM": 1}


@pytest.mark.parametrize("body, field", [
    ({**ORIGINAL, "PhoneChatPPM": 0}, "PhoneChatPPM"),
    ({**ORIGINAL, "TakesBookings": True, "Methods": []}, "Methods"),
    ({**ORIGINAL, "PhoneChatNumber": None, "Methods": [2]}, "PhoneChatNumber"),
    ({**ORIGINAL, "OfferDirectChat": True}, "DirectChat"),
    ({**ORIGINAL, "DirectChat": {"DirectChatOnly": True}}, "DirectChat"),
    ({**ORIGINAL, "Methods": [5]}, "Methods"),
    ({**ORIGINAL, "TakesBookings": "perhaps"}, "TakesBookings"),
    ({**ORIGINAL, "PhoneChatNumber": "12"}, "PhoneChatNumber"),
])
async def test_save_settings_refusals(client, body, field) -> None:
    r = await post(client, "candidate", "SaveSettings", body)
    assert r.status_code == 400 and field in r.json()["ModelState"], r.text
    assert (await get(client, "candidate", "GetSettings")).json()["PhoneChatPPM"] == 0.5


# --- group manager variants ----------------------------------------------------------------


async def test_manager_lists_and_reads_a_members_bookings_and_settings(client) -> None:
    r = await client.get("/v1/Groups/PhoneChat/MadeBookings?UserID=301", headers=bearer("manager"))
    assert [b["BookingID"] for b in r.json()["Bookings"]] == [9]
    r = await client.get("/v1/Groups/PhoneChat/ReceivedBookings?UserID=301",
                         headers=bearer("manager"))
    assert r.json()["Bookings"] == [] and r.json()["PageCount"] == 0
    r = await client.post("/v1/Groups/PhoneChat/SaveSettings", headers=bearer("manager"), json={
        "UserID": 301, "OfferDirectChat": False, "PhoneChatPPM": 2, "Methods": [1]})
    assert r.status_code == 200, r.text
    r = await client.get("/v1/Groups/PhoneChat/GetSettings?UserID=301", headers=bearer("manager"))
    assert r.json()["PhoneChatPPM"] == 2 and r.json()["Methods"] == [1]


async def test_a_non_manager_learns_nothing_about_a_member(client) -> None:
    for path in ("/v1/Groups/PhoneChat/MadeBookings?UserID=301",
                 "/v1/Groups/PhoneChat/ReceivedBookingDetails?UserID=123456&BookingID=1",
                 "/v1/Groups/PhoneChat/GetSettings?UserID=123456"):
        r = await client.get(path, headers=bearer("outsider"))
        assert r.status_code == 403, path
    r = await client.get("/v1/Groups/PhoneChat/ReceivedBookings", headers=bearer("manager"))
    assert r.status_code == 400 and "UserID" in r.json()["ModelState"]


async def test_every_lifecycle_endpoint_needs_the_phonechat_scope(client) -> None:
    headers = {"Authorization": "bearer sandbox-client-without-phonechat"}
    r = await client.get("/v1/PhoneChat/ReceivedBookings", headers=headers)
    assert r.status_code == 403 and "account_phonechat_bookings" in r.json()["Message"]
    r = await client.post("/v1/PhoneChat/ConfirmMadeBooking", json={"BookingID": 4},
                          headers=headers)
    assert r.status_code == 403


def test_every_documented_order_by_has_a_query() -> None:
    from phonechat.domain.lifecycle import ORDER_BY
    from phonechat.store.lifecycle import ORDERS
    assert tuple(ORDERS) == ORDER_BY


# --- conflicts in one process (both databases; real parallelism on PostgreSQL's pool) ---------


async def test_simultaneous_confirms_one_wins_and_one_hold(db) -> None:
    from phonechat.domain.access import Actor
    from phonechat.domain.errors import RuleBroken

    me = Actor(CLIENT, "BookingUser")
    before = await balance_of(db, CLIENT)
    results = await asyncio.gather(*(lifecycle.confirm_made_booking(db, me, 4, START)
                                     for _ in range(6)), return_exceptions=True)
    wins = [r for r in results if isinstance(r, MadeBooking)]
    losses = [r for r in results if isinstance(r, RuleBroken)]
    assert len(wins) == 1 and len(losses) == 5
    assert all("Status is Confirmed" in e.message for e in losses)
    assert await balance_of(db, CLIENT) == before - to_units("12.5")
    await books_balance(db)


async def test_simultaneous_cancels_by_both_sides_refund_once(db) -> None:
    from phonechat.domain.access import Actor
    from phonechat.domain.errors import RuleBroken

    me, them = Actor(CLIENT, "BookingUser"), Actor(CANDIDATE, "BookedUser")
    before = await balance_of(db, CLIENT)
    calls = [lifecycle.cancel_made_booking(db, me, 6, "x", START) for _ in range(3)] + \
            [lifecycle.cancel_received_booking(db, them, 6, "x", START) for _ in range(3)]
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert sum(isinstance(r, (MadeBooking, ReceivedBooking)) for r in results) == 1
    assert all(isinstance(r, (MadeBooking, ReceivedBooking, RuleBroken)) for r in results), results
    assert await balance_of(db, CLIENT) == before + to_units(15)
    await books_balance(db)


async def test_reschedule_of_a_reinvited_booking_needs_the_credits(client, clock, db) -> None:
    r = await post(client, "member", "CreateBooking", {
        **NEW, "SessionDate": "2018-01-22 14:00", "AcceptBy": "2018-01-22 02:00",
        "Credits": 195})
    big = r.json()["BookingID"]
    await post(client, "candidate", "AcceptReceivedBooking", {"BookingID": big, "Credits": 195})
    assert (await post(client, "member", "ConfirmMadeBooking", {"BookingID": big})).status_code == 200
    clock.set(START + timedelta(days=3))  # booking 9's session (START + 2 days) missed
    assert (await post(client, "candidate", "ReInvite", {"BookingID": 9})).status_code == 200
    r = await post(client, "member", "RescheduleMadeBooking", {"BookingID": 9})
    assert r.status_code == 400 and "fewer credits" in r.json()["Message"]
    made = (await get(client, "member", "MadeBookingDetails", BookingID=9)).json()
    assert made["Status"] == "Rejected" and made["SessionDate"] == "2018-01-23T14:00:00"
    assert made["ActionClient"] == "You need to reschedule the booking"  # still open
    await books_balance(db)


async def test_the_sandbox_manifest_covers_the_received_side(client) -> None:
    from phonechat import sandbox

    m = sandbox.manifest()
    side = m["received_side"]
    assert side["candidate_token"] == m["users"]["candidate"]["AccessToken"]
    headers = {"Authorization": f"bearer {side['candidate_token']}"}
    ids = [*side["to_accept_or_reject"], side["past_accept_by_cancel_sample"],
           *side["to_cancel"], *side["to_delete"], side["settled_by_the_worker"]]
    for booking in ids:
        r = await client.get(f"/v1/PhoneChat/ReceivedBookingDetails?BookingID={booking}",
                             headers=headers)
        assert r.status_code == 200, booking
    for booking in side["to_accept_or_reject"]:
        r = await client.get(f"/v1/PhoneChat/ReceivedBookingDetails?BookingID={booking}",
                             headers=headers)
        assert r.json()["ActionCandidate"] == "You need to accept or reject the booking"
    made = m["made_side"]
    r = await get(client, "client", "MadeBookingDetails", BookingID=made["to_confirm"])
    assert r.json()["ActionClient"] == "You need to confirm the booking"
    r = await post(client, "client", "RescheduleMadeBooking", {"BookingID": made["to_reschedule"]})
    assert r.status_code == 200


@pytest.mark.parametrize("order", ORDER_BY)
@pytest.mark.parametrize("role, op", [("client", "MadeBookings"), ("candidate", "ReceivedBookings")])
async def test_pages_of_every_order_are_slices_of_the_whole_list(client, role, op, order) -> None:
    whole = (await get(client, role, op, OrderBy=order)).json()["Bookings"]
    paged = []
    for page in (1, 2, 3, 4):
        paged += (await get(client, role, op, OrderBy=order, BookingsPerPage=2,
                            PageNumber=page)).json()["Bookings"]
    assert len(whole) >= 3 and paged == whole[:8]
