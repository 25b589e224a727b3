"""The booking state machine, in one place: every transition, who may make it, when, and
what it does to credits. No I/O; `now` is a parameter. docs/lifecycle.md draws it.

    Pending  --accept (candidate; before AcceptBy and SessionDate)-->   Accepted
    Pending  --reject (candidate)-->                                    Rejected
    Pending  --cancel (client)-->                                       Cancelled
    Pending  --reinvite (candidate; SessionDate passed)-->              Rejected (re-invited)
    Pending  --auto-reject (the worker; never accepted, session + hold period over)--> Rejected
    Rejected (re-invited) --reschedule (client; within 24 h; holds Credits)--> Confirmed
    Accepted --confirm (client; before SessionDate; holds Credits)-->   Confirmed
    Accepted --cancel (client, or candidate before SessionDate)-->      Cancelled
    Confirmed --cancel (either side, before SessionDate; returns the hold)--> Cancelled
    Confirmed --reschedule (client; SessionDate passed; unsettled)-->   Confirmed
    Confirmed --settle (the worker; SessionDate + Duration + hold period)--> Confirmed (settled)

AcceptBy ends what the candidate may accept (AcceptReceivedBooking refuses from then on);
the booking is then rejected automatically by the worker's sweep, which closes every
booking the same hold period after its session's end: a Confirmed one is paid to the
candidate, a Pending one (never accepted) becomes Rejected. Until then a Pending booking
past AcceptBy can still be cancelled by the client (the published cancel sample) and, once
its SessionDate has passed, re-invited by the candidate (ReInvite's prerequisites).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from .bookings import (
    REINVITATION_OPEN, Booking, Method, Status, check_cancel_by_client, reinvitation_open,
)
from .errors import RuleBroken

# A Confirmed booking is paid to the candidate this long after its session ended (time
# for the client to raise a dispute). A setting (PHONECHAT_SETTLEMENT_HOLD_HOURS).
DEFAULT_SETTLEMENT_HOLD = timedelta(hours=24)

# RescheduleMadeBooking puts the new session this far ahead (cut to the whole minute, so
# it lands between 9 and 10 minutes from now: inside the documented 5-10 minutes).
RESCHEDULE_AHEAD = timedelta(minutes=10)

# RejectedReason of ReInvite without a Reason, and of the worker's automatic rejection.
DEFAULT_REINVITE_REASON = ("The session was missed; the booked user invites you to "
                           "reschedule it.")
AUTO_REJECTED_REASON = "The booking was not accepted by its AcceptBy."

# MadeBookings / ReceivedBookings OrderBy values (date = CreateDate; nickname = the other
# side's), the first the default.
ORDER_BY = ("date-desc", "date-asc", "nickname-asc", "nickname-desc", "sessiondate-asc",
            "sessiondate-desc")


class Side(StrEnum):
    CLIENT = "client"  # the one who booked (made side)
    CANDIDATE = "candidate"  # the one booked (received side)
    SYSTEM = "system"  # the worker, driven by the clock


class Money(StrEnum):
    """What a transition does to credits."""

    NOTHING = "moves no credits"
    HOLD = "takes the booking's Credits from the client and holds them"
    RELEASE = "returns every held credit to the client"
    PAY = "pays every held credit to the candidate"


class Action(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    CONFIRM = "confirm"
    CANCEL_BY_CLIENT = "cancel by the client"
    CANCEL_BY_CANDIDATE = "cancel by the candidate"
    REINVITE = "re-invite"
    RESCHEDULE = "reschedule"
    AUTO_REJECT = "reject automatically"
    SETTLE = "settle"
    DELETE = "delete"


def _state(b: Booking) -> str:
    extra = ", re-invited" if b.reinvited and b.status is Status.REJECTED else ""
    extra += ", settled" if b.settled else ""
    return f"its Status is {b.status}{extra}"


def _refuse(action: str, b: Booking, rule: str) -> RuleBroken:
    return RuleBroken(f"The booking cannot be {action}: {rule}; {_state(b)}.")


def _need_status(b: Booking, action: str, *allowed: Status) -> None:
    if b.status not in allowed:
        names = " or ".join(str(s) for s in allowed)
        raise _refuse(action, b, f"only a booking that is {names} can be {action}")


def _accept(b: Booking, now: datetime, hold: timedelta) -> Status:
    _need_status(b, "accepted", Status.PENDING)
    if now >= b.accept_by:
        raise _refuse("accepted", b, f"its AcceptBy ({b.accept_by.isoformat()}) has passed")
    if now >= b.session_date:
        raise _refuse("accepted", b, f"its SessionDate ({b.session_date.isoformat()}) has passed")
    return Status.ACCEPTED


def _reject(b: Booking, now: datetime, hold: timedelta) -> Status:
    _need_status(b, "rejected", Status.PENDING)
    return Status.REJECTED


def _confirm(b: Booking, now: datetime, hold: timedelta) -> Status:
    _need_status(b, "confirmed", Status.ACCEPTED)
    if now >= b.session_date:
        raise _refuse("confirmed", b, f"its SessionDate ({b.session_date.isoformat()}) has passed")
    return Status.CONFIRMED


def _cancel_by_client(b: Booking, now: datetime, hold: timedelta) -> Status:
    check_cancel_by_client(b, now)  # the published prerequisites
    return Status.CANCELLED


def _cancel_by_candidate(b: Booking, now: datetime, hold: timedelta) -> Status:
    _need_status(b, "cancelled", Status.ACCEPTED, Status.CONFIRMED)
    if now >= b.session_date:
        raise _refuse("cancelled", b, f"its SessionDate ({b.session_date.isoformat()}) has passed")
    return Status.CANCELLED


def _reinvite(b: Booking, now: datetime, hold: timedelta) -> Status:
    _need_status(b, "re-invited", Status.PENDING)
    if now < b.session_date:
        raise _refuse("re-invited", b,
                      f"its SessionDate ({b.session_date.isoformat()}) has not passed yet")
    return Status.REJECTED


def _reschedule(b: Booking, now: datetime, hold: timedelta) -> Status:
    if b.status is Status.REJECTED and b.reinvited:
        if b.deleted_by_candidate:
            raise _refuse("rescheduled", b, "the booked user has withdrawn the re-invitation")
        if not reinvitation_open(b, now):
            end = b.reinvited_at + REINVITATION_OPEN  # type: ignore[operator]
            raise _refuse("rescheduled", b, f"the re-invitation ended at {end.isoformat()}")
        return Status.CONFIRMED
    if b.status is Status.PENDING:
        raise _refuse("rescheduled", b, "a Pending booking can be rescheduled only once the "
                                        "booked user has re-invited you (ReInvite)")
    _need_status(b, "rescheduled", Status.CONFIRMED)
    if b.settled:
        raise _refuse("rescheduled", b, "its session has been settled")
    if now < b.session_date:
        raise _refuse("rescheduled", b,
                      f"its SessionDate ({b.session_date.isoformat()}) has not passed yet")
    return Status.CONFIRMED


def _auto_reject(b: Booking, now: datetime, hold: timedelta) -> Status:
    _need_status(b, "rejected automatically", Status.PENDING)
    if now < b.session_end + hold:
        raise _refuse("rejected automatically", b,
                      f"its session ends at {b.session_end.isoformat()} and an unaccepted "
                      f"booking is rejected {hold.total_seconds() / 3600:g} hours later")
    return Status.REJECTED


def _settle(b: Booking, now: datetime, hold: timedelta) -> Status:
    _need_status(b, "settled", Status.CONFIRMED)
    if b.settled:
        raise _refuse("settled", b, "it has already been settled")
    if now < b.session_end + hold:
        raise _refuse("settled", b, f"its session ends at {b.session_end.isoformat()} and is "
                                    f"settled {hold.total_seconds() / 3600:g} hours later")
    return Status.CONFIRMED


def _delete(b: Booking, now: datetime, hold: timedelta) -> Status:
    _need_status(b, "deleted", Status.REJECTED, Status.CANCELLED, Status.CONFIRMED)
    return b.status


Check = Callable[[Booking, datetime, timedelta], Status]


@dataclass(frozen=True)
class Transition:
    action: Action
    by: tuple[Side, ...]
    sources: tuple[Status, ...]
    when: str
    check: Check = field(repr=False)


TRANSITIONS: dict[Action, Transition] = {t.action: t for t in (
    Transition(Action.ACCEPT, (Side.CANDIDATE,), (Status.PENDING,),
               "before AcceptBy and before SessionDate", _accept),
    Transition(Action.REJECT, (Side.CANDIDATE,), (Status.PENDING,), "any time", _reject),
    Transition(Action.CONFIRM, (Side.CLIENT,), (Status.ACCEPTED,),
               "before SessionDate", _confirm),
    Transition(Action.CANCEL_BY_CLIENT, (Side.CLIENT,),
               (Status.PENDING, Status.ACCEPTED, Status.CONFIRMED),
               "Pending/Accepted any time; Confirmed before SessionDate", _cancel_by_client),
    Transition(Action.CANCEL_BY_CANDIDATE, (Side.CANDIDATE,),
               (Status.ACCEPTED, Status.CONFIRMED), "before SessionDate", _cancel_by_candidate),
    Transition(Action.REINVITE, (Side.CANDIDATE,), (Status.PENDING,),
               "once SessionDate has passed", _reinvite),
    Transition(Action.RESCHEDULE, (Side.CLIENT,), (Status.REJECTED, Status.CONFIRMED),
               "Rejected by ReInvite: within 24 hours of it; Confirmed: once SessionDate "
               "has passed, before settlement", _reschedule),
    Transition(Action.AUTO_REJECT, (Side.SYSTEM,), (Status.PENDING,),
               "SessionDate + Duration + the settlement hold period", _auto_reject),
    Transition(Action.SETTLE, (Side.SYSTEM,), (Status.CONFIRMED,),
               "SessionDate + Duration + the settlement hold period", _settle),
    Transition(Action.DELETE, (Side.CLIENT, Side.CANDIDATE),
               (Status.REJECTED, Status.CANCELLED, Status.CONFIRMED),
               "any time (removes it from that side's lists only)", _delete),
)}


def money(action: Action, b: Booking) -> Money:
    """What `action` does to credits when applied to `b` (before the change)."""
    if action is Action.CONFIRM:
        return Money.HOLD
    if action is Action.RESCHEDULE:
        return Money.HOLD if b.status is Status.REJECTED else Money.NOTHING
    if action in (Action.CANCEL_BY_CLIENT, Action.CANCEL_BY_CANDIDATE, Action.AUTO_REJECT):
        return Money.RELEASE  # nothing may be held (Pending, Accepted): then a no-op
    if action is Action.SETTLE:
        return Money.PAY
    return Money.NOTHING


def check(action: Action, b: Booking, now: datetime,
          hold: timedelta = DEFAULT_SETTLEMENT_HOLD) -> Status:
    """The Status `action` leads to, or RuleBroken naming the rule and the current state."""
    return TRANSITIONS[action].check(b, now, hold)


def rescheduled_session(now: datetime) -> datetime:
    """The new SessionDate of a rescheduled booking: 9-10 minutes from now, whole minute."""
    return (now + RESCHEDULE_AHEAD).replace(second=0, microsecond=0)


def held_amount(b: Booking) -> int:
    """What the ledger must hold for `b` right now: its Credits while Confirmed and not yet
    settled, nothing in every other state (ledger check compares against this)."""
    return b.credits if b.status is Status.CONFIRMED and not b.settled else 0


# --- what each side is told ---------------------------------------------------------

# ActionClient lives beside the published sample's text in domain/bookings.py.
ACTION_ACCEPT_OR_REJECT = "You need to accept or reject the booking"
ACTION_REJECT_OR_WAIT = "The booking can no longer be accepted; you can reject it"
ACTION_REINVITE = "You can re-invite the client"
ACTION_CANDIDATE_BY_METHOD = {
    Method.PERFORMER_CALLS: "You need to call the client",
    Method.CLIENT_CALLS: "You need to be available to take the call",
    Method.SKYPE: "You need to carry out the session on Skype",
}


def action_candidate(b: Booking, now: datetime) -> str | None:
    """ActionCandidate: what the booked user has to do next, or None."""
    if b.status is Status.PENDING:
        if now >= b.session_date:
            return ACTION_REINVITE  # until the worker rejects it
        return ACTION_ACCEPT_OR_REJECT if now < b.accept_by else ACTION_REJECT_OR_WAIT
    if b.status is Status.CONFIRMED:
        return ACTION_CANDIDATE_BY_METHOD[b.method] if now < b.session_end else None
    return None  # Accepted and re-invited wait on the client; Rejected, Cancelled are over


# --- CreateBooking: the edge into Pending ----------------------------------------------

MIN_DURATION = 5  # minutes


@dataclass(frozen=True, slots=True)
class Offer:
    """The booked user's PhoneChat settings, as CreateBooking and GetUserBookingRequirements
    need them."""

    takes_bookings: bool
    price_per_minute: int | None  # units; None: never set (no lower limit on Credits)
    methods: frozenset[int]  # the Methods available to a client right now
    direct_chat_only: bool = False


def phonechat_refusal(offer: Offer | None) -> str | None:
    """The published prerequisite on BookUserID (CreateBooking, GetUserBookingRequirements):
    the user provides PhoneChat and has not set "DirectChat Only". The reason it fails, or
    None."""
    if offer is None or not offer.takes_bookings:
        return "The user with this BookUserID does not take PhoneChat bookings."
    if offer.direct_chat_only:
        return ("The user with this BookUserID takes DirectChat calls only, not PhoneChat "
                "bookings.")
    return None


@dataclass(frozen=True, slots=True)
class NewBooking:
    client_id: int
    book_user_id: int
    session_date: datetime
    duration: int
    method: int
    phone_number: str | None
    skype_name: str | None
    credits: int  # units
    accept_by: datetime
    comments: str | None


def check_new_booking(n: NewBooking, offer: Offer | None, client_credits: int,
                      now: datetime, invalid: dict[str, list[str]] | None = None) -> None:
    """Every documented CreateBooking rule; all problems together as one Invalid (400 with
    ModelState naming each field). Nothing is held: credits are held at confirmation.
    `invalid`: the fields that did not even parse (None in `n`), reported with the rest."""
    from .credits import format_credits, session_price
    from .errors import Invalid

    errors: dict[str, list[str]] = {k: list(v) for k, v in (invalid or {}).items()}

    def bad(name: str, message: str) -> None:
        if not invalid or name not in invalid:  # a field that did not parse: said already
            errors.setdefault(name, []).append(message)

    refusal = phonechat_refusal(offer)
    bookable = offer if refusal is None else None  # the Offer, when BookUserID may be booked
    if n.book_user_id == n.client_id:
        bad("BookUserID", "You cannot book yourself.")
    elif refusal is not None:
        bad("BookUserID", refusal)
    if n.session_date is not None and n.session_date <= now:
        bad("SessionDate", "The field SessionDate must be in the future.")
    if n.accept_by is None:
        pass
    elif n.accept_by <= now:
        bad("AcceptBy", "The field AcceptBy must be in the future.")
    elif n.session_date is not None and n.accept_by >= n.session_date:
        bad("AcceptBy", "The field AcceptBy must be before SessionDate.")
    if n.duration is not None and n.duration < MIN_DURATION:
        bad("Duration", f"The field Duration must be at least {MIN_DURATION} minutes.")
    if bookable is not None and n.method not in bookable.methods:
        taken = ", ".join(str(m) for m in sorted(bookable.methods)) or "none"
        bad("Method", f"The booked user does not take Method {n.method} (takes: {taken}).")
    if n.method == Method.PERFORMER_CALLS and not n.phone_number:
        bad("PhoneNumber", "The PhoneNumber field is required when Method is 1.")
    if n.method == Method.SKYPE and not n.skype_name:
        bad("SkypeName", "The SkypeName field is required when Method is 3.")
    if n.credits is None:
        pass
    elif n.credits <= 0:
        bad("Credits", "The field Credits must be more than 0.")
    if (bookable is not None and bookable.price_per_minute is not None
            and n.credits is not None and n.duration is not None and n.duration >= MIN_DURATION):
        least = session_price(bookable.price_per_minute, n.duration)
        if n.credits < least:
            bad("Credits", f"The field Credits must be at least {format_credits(least)} (the booked "
                           f"user's price per minute x Duration).")
    if n.credits is not None and n.credits > client_credits and "Credits" not in errors:
        bad("Credits", f"You have {format_credits(client_credits)} credits, fewer than the "
                       f"{format_credits(n.credits)} offered.")
    if errors:
        raise Invalid(errors)
