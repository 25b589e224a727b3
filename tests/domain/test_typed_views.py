"""The typed views the services hand the representation: one attribute per Contract member,
so a misspelt name fails here (and when rendered) instead of rendering as null."""

from __future__ import annotations

import dataclasses

import pytest

from phonechat.api import contracts
from phonechat.api.representation import Contract, Member, to_json, to_xml
from phonechat.services import views

PAIRS = [
    (contracts.MADE_BOOKING, views.MadeBooking),
    (contracts.RECEIVED_BOOKING, views.ReceivedBooking),
    (contracts.BOOKING_USER, views.BookingUser),
    (contracts.MADE_BOOKINGS, views.BookingsPage),
    (contracts.RECEIVED_BOOKINGS, views.BookingsPage),
    (contracts.DELETE_RESULT, views.DeleteResult),
]


@pytest.mark.parametrize("contract, view", PAIRS, ids=[c.name for c, _ in PAIRS])
def test_each_view_has_exactly_its_contracts_members(contract: Contract, view: type) -> None:
    assert [f.name for f in dataclasses.fields(view)] == [m.attr for m in contract.members]


def test_a_member_the_view_lacks_fails_instead_of_rendering_null() -> None:
    misspelt = Contract("DeleteBookingResult", contracts.NS_BOOKINGS, [
        Member("BookingID", "int"), Member("Deletd", "bool"), Member("Message", "str")])
    result = views.DeleteResult(1, True, None)
    with pytest.raises(AttributeError):
        to_json(misspelt, result)
    with pytest.raises(AttributeError):
        to_xml(misspelt, result)
    with pytest.raises(TypeError):
        views.DeleteResult(booking_id=1, deletd=True, message=None)  # type: ignore[call-arg]


def test_a_typed_view_renders_as_the_same_mapping_did() -> None:
    user = views.BookingUser(7, "BookedUser", None, None, 3, 2, 1, 0, 3, 0)
    as_dict = {"UserID": 7, "Nickname": "BookedUser", "PhoneNumber": None, "SkypeName": None,
               "Total": 3, "Positive": 2, "Neutral": 1, "Negative": 0, "Ratings": 3,
               "Disputes": 0}
    for camel in (False, True):
        assert to_json(contracts.BOOKING_USER, user, camel) == \
            to_json(contracts.BOOKING_USER, as_dict, camel)
    assert to_xml(contracts.BOOKING_USER, user) == to_xml(contracts.BOOKING_USER, as_dict)


def test_the_rules_view_takes_each_field_from_its_column() -> None:
    """booking_rules_view passes Booking's fields by position: each must come from its own
    column (distinct values, so a swap shows)."""
    from datetime import datetime

    from phonechat.domain.bookings import Method, Status
    from phonechat.services.views import booking_rules_view

    row = {"id": 11, "status": "Confirmed", "method": 3, "session_date": datetime(2018, 1, 2),
           "duration": 45, "accept_by": datetime(2018, 1, 1), "credits": 70_000,
           "reinvited_date": datetime(2018, 1, 3), "settled_date": datetime(2018, 1, 4),
           "deleted_by_candidate": 1}
    b = booking_rules_view(row)
    assert (b.id, b.status, b.method, b.session_date, b.duration, b.accept_by, b.credits,
            b.reinvited_at, b.settled, b.deleted_by_candidate) == (
        11, Status.CONFIRMED, Method.SKYPE, datetime(2018, 1, 2), 45, datetime(2018, 1, 1),
        70_000, datetime(2018, 1, 3), True, True)
    assert booking_rules_view({**row, "settled_date": None, "deleted_by_candidate": 0}
                              ).settled is False
