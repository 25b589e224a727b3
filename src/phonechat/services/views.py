"""Booking rows -> the typed values the API's contracts render, as of `now`.

Each view has one attribute per member of its Contract (api/contracts.py), in snake_case
(BookingID -> booking_id): a misspelt attribute fails when the view is made or rendered,
never renders as null (tests/domain/test_typed_views.py keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain.bookings import (
    Booking, Method, Status, action_candidate, action_client, candidate_contact_shown,
)
from ..domain import ratings
from ..store.db import Row


# Stored value -> enum member by plain dict lookup: calling Status(...) / Method(...) goes
# through EnumMeta.__call__, a microsecond each, on every booking of every answer.
_STATUS = {s.value: s for s in Status}
_METHOD = {m.value: m for m in Method}


def booking_rules_view(row: Row) -> Booking:
    """The part of a row the rules need. Positional, in Booking's field order: a dataclass
    called with keywords costs about twice as much, on every booking of every answer."""
    return Booking(
        row["id"], _STATUS[row["status"]], _METHOD[row["method"]],  # id, status, method
        row["session_date"], row["duration"], row["accept_by"],  # session_date, duration, accept_by
        row["credits"], row["reinvited_date"],  # credits, reinvited_at
        row["settled_date"] is not None,  # settled
        bool(row["deleted_by_candidate"]),  # deleted_by_candidate
    )


# Plain (not frozen) slotted records: made on every booking of every answer, and frozen
# dataclasses pay for each field in __init__.
@dataclass(slots=True)
class BookingUser:
    """PhoneChatBookingUser: the other side of a booking."""

    user_id: int
    nickname: str
    phone_number: str | None
    skype_name: str | None
    total: int
    positive: int
    neutral: int
    negative: int
    ratings: int
    disputes: int


@dataclass(slots=True)
class _BookingMembers:
    booking_id: int
    duration: int
    credits: int
    status: str
    method: int
    phone_number: str | None
    skype_name: str | None
    create_date: datetime
    session_date: datetime
    accept_by: datetime
    accepted_date: datetime | None
    confirmed_date: datetime | None
    cancelled_date: datetime | None
    cancelled_reason: str | None
    cancelled_by: str | None
    rejected_reason: str | None
    last_updated: datetime
    comments: str | None


@dataclass(slots=True)
class MadeBooking(_BookingMembers):
    """MadeBooking: the booking as its client sees it."""

    action_client: str | None
    candidate: BookingUser


@dataclass(slots=True)
class ReceivedBooking(_BookingMembers):
    """ReceivedBooking: the booking as the booked user sees it."""

    action_candidate: str | None
    client: BookingUser


@dataclass(slots=True)
class BookingsPage:
    """MadeBookings / ReceivedBookings."""

    page_count: int
    page_number: int
    page_size: int
    bookings: list[MadeBooking] | list[ReceivedBooking]


@dataclass(slots=True)
class DeleteResult:
    """DeleteBookingResult: one BookingID of DeleteMadeBookings / DeleteReceivedBooking."""

    booking_id: int
    deleted: bool
    message: str | None


def _members(row: Row) -> tuple[object, ...]:
    return (row["id"], row["duration"], row["credits"], row["status"], row["method"],
            row["phone_number"], row["skype_name"], row["create_date"], row["session_date"],
            row["accept_by"], row["accepted_date"], row["confirmed_date"],
            row["cancelled_date"], row["cancelled_reason"], row["cancelled_by"],
            row["rejected_reason"], row["last_updated"], row["comments"])


def _user(row: Row, user_id: int, phone: str | None, skype: str | None) -> BookingUser:
    positive, neutral, negative = (row["rating_positive"], row["rating_neutral"],
                                   row["rating_negative"])
    return BookingUser(user_id, row["other_nickname"], phone, skype,
                       ratings.total(positive, negative), positive, neutral, negative,
                       ratings.count(positive, neutral, negative), row["disputes"])


def made_booking(row: Row, now: datetime) -> MadeBooking:
    """The booking as its client sees it."""
    b = booking_rules_view(row)
    shown = candidate_contact_shown(b, now)
    candidate = _user(
        row, row["candidate_id"],
        row["other_phone_number"] if shown and b.method is Method.CLIENT_CALLS else None,
        row["other_skype_name"] if shown and b.method is Method.SKYPE else None,
    )
    return MadeBooking(*_members(row), action_client(b, now), candidate)  # type: ignore[arg-type]


def received_booking(row: Row, now: datetime) -> ReceivedBooking:
    """The booking as the booked user sees it (the client in place of Candidate; the
    client's number or Skype name is the booking's own PhoneNumber or SkypeName, so the
    Client's are null)."""
    return ReceivedBooking(*_members(row), action_candidate(booking_rules_view(row), now),  # type: ignore[arg-type]
                           _user(row, row["client_id"], None, None))


@dataclass(slots=True)
class BookingEvent:
    """One change of a booking (store/events.py)."""

    event_id: int
    type: str
    created: datetime
    booking_id: int
    status: str
    previous_status: str | None
    by_user_id: int | None
    by_nickname: str | None
    on_behalf_of_user_id: int | None
    reason: str | None
    credits: int | None
    client_user_id: int
    candidate_user_id: int


@dataclass(slots=True)
class BookingHistory:
    booking_id: int
    events: list[BookingEvent]


@dataclass(slots=True)
class EventsPage:
    events: list[BookingEvent]
    last_event_id: int
    has_more: bool


def booking_event(row: Row) -> BookingEvent:
    return BookingEvent(row["id"], row["type"], row["created"], row["booking_id"],
                        row["status"], row["previous_status"], row["by_user_id"],
                        row["by_nickname"], row["on_behalf_of_user_id"], row["reason"],
                        row["credits"], row["client_id"], row["candidate_id"])
