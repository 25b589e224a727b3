"""PhoneChat bookings: statuses, methods, the published prerequisites, and what each side
is told to do next (ActionClient, ActionCandidate).

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


# Not frozen: made for every booking of every answer, and a frozen dataclass's __init__
# sets each field through object.__setattr__ (several times the cost). Nothing mutates one.
@dataclass(slots=True)
class Booking:
    """The part of a booking the rules look at."""

    id: int
    status: Status
    method: Method
    session_date: datetime
    duration: int  # minutes
    accept_by: datetime
    credits: int = 0  # units
    # When the candidate re-invited the client (ReInvite: rejected after a missed session).
    reinvited_at: datetime | None = None
    settled: bool = False  # the held credits were paid to the candidate
    deleted_by_candidate: bool = False  # gone from the candidate's lists

    @property
    def session_end(self) -> datetime:
        return self.session_date + timedelta(minutes=self.duration)

    @property
    def reinvited(self) -> bool:
        return self.reinvited_at is not None


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


# A re-invitation (ReInvite) stays open this long: the client may reschedule it until then.
REINVITATION_OPEN = timedelta(hours=24)


def reinvitation_open(b: Booking, now: datetime) -> bool:
    """A booking the candidate rejected by ReInvite, still open for RescheduleMadeBooking."""
    return (b.status is Status.REJECTED and b.reinvited_at is not None
            and not b.deleted_by_candidate and now < b.reinvited_at + REINVITATION_OPEN)


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
    if reinvitation_open(b, now):
        return ACTION_RESCHEDULE  # the booked user re-invited after a missed session
    return None  # Pending waits on the booked user; Rejected and Cancelled are over


# ActionCandidate: what the booked user has to do next, or None.
ACTION_ACCEPT_OR_REJECT = "You need to accept or reject the booking"
ACTION_REJECT_OR_WAIT = "The booking can no longer be accepted; you can reject it"
ACTION_REINVITE = "You can re-invite the client"
ACTION_CANDIDATE_BY_METHOD = {
    Method.PERFORMER_CALLS: "You need to call the client",
    Method.CLIENT_CALLS: "You need to be available to take the call",
    Method.SKYPE: "You need to carry out the session on Skype",
}


def action_candidate(b: Booking, now: datetime) -> str | None:
    """ActionCandidate as of `now`."""
    if b.status is Status.PENDING:
        if now >= b.session_date:
            return ACTION_REINVITE  # until the worker rejects it
        return ACTION_ACCEPT_OR_REJECT if now < b.accept_by else ACTION_REJECT_OR_WAIT
    if b.status is Status.CONFIRMED:
        return ACTION_CANDIDATE_BY_METHOD[b.method] if now < b.session_end else None
    return None  # Accepted and re-invited wait on the client; Rejected, Cancelled are over


def candidate_contact_shown(b: Booking, now: datetime) -> bool:
    """Whether the client sees the booked user's number (Method 2) or Skype name (Method 3)."""
    return (
        b.status is Status.CONFIRMED
        and b.session_date - CONTACT_SHOWN_BEFORE_SESSION <= now < b.session_end
    )
