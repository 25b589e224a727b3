"""PhoneChat bookings: statuses, methods, the published prerequisites and ActionClient.

Every rule here is a small function of a booking and `now` (a naive wall-clock datetime
in the service's time zone). Tests call them with plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum

from .errors import RuleBroken


class Status(StrEnum):
    PENDING = "Pending"
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    CONFIRMED = "Confirmed"
    CANCELLED = "Cancelled"


class Method(IntEnum):
    PERFORMER_CALLS = 1  # the booked user calls the client: needs the client's phone number
    CLIENT_CALLS = 2  # the client calls the booked user
    SKYPE = 3  # a Skype session: needs the client's Skype name


# How long before the session the client of a Confirmed booking is shown the number or
# Skype name to call (Candidate.PhoneNumber / Candidate.SkypeName); null at any other time.
CONTACT_SHOWN_BEFORE_SESSION = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class Booking:
    """The part of a booking the rules look at."""

    id: int
    status: Status
    method: Method
    session_date: datetime
    duration: int  # minutes
    accept_by: datetime
    credits: int = 0  # units
    reinvited: bool = False  # the candidate re-invited the client after a missed session
    settled: bool = False  # the held credits were paid to the candidate

    @property
    def session_end(self) -> datetime:
        return self.session_date + timedelta(minutes=self.duration)


def check_cancel_by_client(b: Booking, now: datetime) -> None:
    """CancelMadeBooking's prerequisites, as published."""
    if b.status in (Status.CANCELLED, Status.REJECTED):
        raise RuleBroken(
            f"The booking cannot be cancelled: its Status is {b.status}, "
            "and a Cancelled or Rejected booking cannot be cancelled."
        )
    if b.status is Status.CONFIRMED and b.session_date <= now:
        raise RuleBroken(
            "The booking cannot be cancelled: its Status is Confirmed and its SessionDate "
            f"({b.session_date.isoformat()}) has already passed."
        )


# ActionClient: what the client has to do next, or None when nothing is theirs to do.
# The API reference (README) shows this table; keep the two in step.
ACTION_CONFIRM = "You need to confirm the booking"
ACTION_RESCHEDULE = "You need to reschedule the booking"
ACTION_BY_METHOD = {
    Method.PERFORMER_CALLS: "You need to be available to take the call",
    Method.CLIENT_CALLS: "You need to carry out the session",  # the published sample
    Method.SKYPE: "You need to carry out the session on Skype",
}


def action_client(b: Booking, now: datetime) -> str | None:
    """ActionClient as of `now`."""
    if b.status is Status.ACCEPTED:
        return ACTION_CONFIRM if now < b.session_date else None
    if b.status is Status.CONFIRMED:
        return ACTION_BY_METHOD[b.method] if now < b.session_end else None
    if b.status is Status.PENDING and b.reinvited and now >= b.session_date:
        return ACTION_RESCHEDULE  # the booked user re-invited after a missed session
    return None  # Pending waits on the booked user; Rejected and Cancelled are over


def candidate_contact_shown(b: Booking, now: datetime) -> bool:
    """Whether the client sees the booked user's number (Method 2) or Skype name (Method 3)."""
    return (
        b.status is Status.CONFIRMED
        and b.session_date - CONTACT_SHOWN_BEFORE_SESSION <= now < b.session_end
    )
