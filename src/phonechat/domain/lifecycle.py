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

from collections.abc import Callable, Mapping
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
    DELETE_BY_CLIENT = "delete from the client's lists"
    DELETE_BY_CANDIDATE = "delete from the candidate's lists"


class Value(StrEnum):
    """What a transition writes into a column (besides values it computes itself)."""

    NOW = "the moment of the change"
    NOW_IF_UNSET = "the moment of the change, unless the column is set already"
    REASON = "the reason given (or the transition's default reason)"
    BY = "the acting user's nickname"
    CREDITS = "the Credits given"
    TRUE = "true"


@dataclass(frozen=True, slots=True)
class Change:
    """What the caller of a transition gives it."""

    reason: str | None = None
    credits: int | None = None  # units (AcceptReceivedBooking's Credits)
    by: str | None = None  # the acting user's nickname; None: the clock


def _state(b: Booking) -> str:
    extra = ", re-invited" if b.reinvited and b.status is Status.REJECTED else ""
    extra += ", settled" if b.settled else ""
    return f"its Status is {b.status}{extra}"


def _refuse(t: "Transition", b: Booking, rule: str) -> RuleBroken:
    return RuleBroken(f"The booking cannot be {t.verb}: {rule}; {_state(b)}.")


def _need_status(t: "Transition", b: Booking, *allowed: Status) -> None:
    """Refuses unless `b` is in one of `allowed` (default: the transition's sources)."""
    allowed = allowed or t.sources
    if b.status not in allowed:
        names = " or ".join(str(s) for s in allowed)
        raise _refuse(t, b, f"only a booking that is {names} can be {t.verb}")


def _before_session(t: "Transition", b: Booking, now: datetime) -> None:
    if now >= b.session_date:
        raise _refuse(t, b, f"its SessionDate ({b.session_date.isoformat()}) has passed")


def _hold_over(t: "Transition", b: Booking, now: datetime, hold: timedelta, what: str) -> None:
    if now < b.session_end + hold:
        raise _refuse(t, b, f"its session ends at {b.session_end.isoformat()} and {what} "
                            f"{hold.total_seconds() / 3600:g} hours later")


# A guard: the transition's rules beyond its source statuses (None: only those). It calls
# _need_status itself where the published wording asks for another order.
Guard = Callable[["Transition", Booking, datetime, timedelta], None]


def _accept(t: "Transition", b: Booking, now: datetime, hold: timedelta) -> None:
    _need_status(t, b)
    if now >= b.accept_by:
        raise _refuse(t, b, f"its AcceptBy ({b.accept_by.isoformat()}) has passed")
    _before_session(t, b, now)


def _status_then_before_session(t: "Transition", b: Booking, now: datetime,
                                hold: timedelta) -> None:
    _need_status(t, b)
    _before_session(t, b, now)


def _cancel_by_client(t: "Transition", b: Booking, now: datetime, hold: timedelta) -> None:
    check_cancel_by_client(b, now)  # the published prerequisites, in the published words


def _reinvite(t: "Transition", b: Booking, now: datetime, hold: timedelta) -> None:
    _need_status(t, b)
    if now < b.session_date:
        raise _refuse(t, b, f"its SessionDate ({b.session_date.isoformat()}) has not passed yet")


def _reschedule(t: "Transition", b: Booking, now: datetime, hold: timedelta) -> None:
    if b.status is Status.REJECTED and b.reinvited:
        if b.deleted_by_candidate:
            raise _refuse(t, b, "the booked user has withdrawn the re-invitation")
        if not reinvitation_open(b, now):
            end = b.reinvited_at + REINVITATION_OPEN  # type: ignore[operator]
            raise _refuse(t, b, f"the re-invitation ended at {end.isoformat()}")
        return
    if b.status is Status.PENDING:
        raise _refuse(t, b, "a Pending booking can be rescheduled only once the booked user "
                            "has re-invited you (ReInvite)")
    _need_status(t, b, Status.CONFIRMED)
    if b.settled:
        raise _refuse(t, b, "its session has been settled")
    if now < b.session_date:
        raise _refuse(t, b, f"its SessionDate ({b.session_date.isoformat()}) has not passed yet")


def _auto_reject(t: "Transition", b: Booking, now: datetime, hold: timedelta) -> None:
    _need_status(t, b)
    _hold_over(t, b, now, hold, "an unaccepted booking is rejected")


def _settle(t: "Transition", b: Booking, now: datetime, hold: timedelta) -> None:
    _need_status(t, b)
    if b.settled:
        raise _refuse(t, b, "it has already been settled")
    _hold_over(t, b, now, hold, "is settled")


def rescheduled_session(now: datetime) -> datetime:
    """The new SessionDate of a rescheduled booking: 9-10 minutes from now, whole minute."""
    return (now + RESCHEDULE_AHEAD).replace(second=0, microsecond=0)


def _reschedule_money(b: Booking) -> Money:
    # A re-invited (Rejected) booking holds its Credits again; a Confirmed one holds them still.
    return Money.HOLD if b.status is Status.REJECTED else Money.NOTHING


# A column's value computed from the booking and the moment.
Computed = Callable[[Booking, datetime], object]


@dataclass(frozen=True)
class Transition:
    """Everything about one change of a booking. The services and the store run any
    transition from this alone: lock, guard, conditional UPDATE, credits, event."""

    action: Action
    by: tuple[Side, ...]  # who may make it
    sources: tuple[Status, ...]  # the statuses it starts from
    target: Status | None  # the Status it leads to; None: the Status stays
    when: str  # the time rule, in words (docs/lifecycle.md)
    verb: str  # past tense: "The booking cannot be <verb>", the ledger's reason
    event: str  # the type of the event it appends
    sets: Mapping[str, Value | Computed] = field(default_factory=dict)  # column -> value
    credits: Money | Callable[[Booking], Money] = Money.NOTHING
    guard: Guard | None = field(default=None, repr=False)
    default_reason: str | None = None  # when no (or a blank) reason is given
    unsettled: bool = False  # the UPDATE also requires the booking not settled yet
    private: bool = False  # its event concerns only the party that made the change

    def __post_init__(self) -> None:
        # `sets` sorted once into what `values` computes and what the caller gives: the
        # use cases run a transition on every request, and need not sort it every time.
        object.__setattr__(self, "_computed", tuple(
            (column, v) for column, v in self.sets.items() if callable(v)))
        given = tuple((column, v) for column, v in self.sets.items()
                      if v in (Value.REASON, Value.BY, Value.CREDITS))
        object.__setattr__(self, "_given", given)
        object.__setattr__(self, "_writes_reason", any(v is Value.REASON for _, v in given))

    def moved(self, b: Booking) -> int | None:
        """The credits it moves from `b` (before the change), or None."""
        money = self.money(b)
        amount = b.credits if money is Money.HOLD else (
            held_amount(b) if money in (Money.RELEASE, Money.PAY) else 0)
        return amount or None

    def event_reason(self, change: Change) -> str | None:
        return self.reason(change) if self._writes_reason else None  # type: ignore[attr-defined]

    def check(self, b: Booking, now: datetime, hold: timedelta = DEFAULT_SETTLEMENT_HOLD) -> Status:
        """The Status this leads to from `b`, or RuleBroken naming the rule and the state."""
        if self.guard is None:
            _need_status(self, b)
        else:
            self.guard(self, b, now, hold)
        return self.target or b.status

    def money(self, b: Booking) -> Money:
        return self.credits(b) if callable(self.credits) else self.credits

    def reason(self, change: Change) -> str | None:
        given = change.reason
        return given if given and given.strip() else (self.default_reason or given)

    def values(self, b: Booking, now: datetime, change: Change) -> dict[str, object]:
        """The values of the columns it sets that are not the moment or a constant."""
        out: dict[str, object] = {}
        for column, compute in self._computed:  # type: ignore[attr-defined]
            out[column] = compute(b, now)
        for column, v in self._given:  # type: ignore[attr-defined]
            out[column] = (self.reason(change) if v is Value.REASON
                           else change.by if v is Value.BY else change.credits)
        return out


_NOW = Value.NOW
TRANSITIONS: dict[Action, Transition] = {t.action: t for t in (
    Transition(Action.ACCEPT, (Side.CANDIDATE,), (Status.PENDING,), Status.ACCEPTED,
               "before AcceptBy and before SessionDate", "accepted", "booking.accepted",
               {"credits": Value.CREDITS, "accepted_date": _NOW, "last_updated": _NOW},
               guard=_accept),
    Transition(Action.REJECT, (Side.CANDIDATE,), (Status.PENDING,), Status.REJECTED,
               "any time", "rejected", "booking.rejected",
               {"rejected_reason": Value.REASON, "last_updated": _NOW}),
    Transition(Action.CONFIRM, (Side.CLIENT,), (Status.ACCEPTED,), Status.CONFIRMED,
               "before SessionDate", "confirmed", "booking.confirmed",
               {"confirmed_date": _NOW, "last_updated": _NOW}, Money.HOLD,
               guard=_status_then_before_session),
    Transition(Action.CANCEL_BY_CLIENT, (Side.CLIENT,),
               (Status.PENDING, Status.ACCEPTED, Status.CONFIRMED), Status.CANCELLED,
               "Pending/Accepted any time; Confirmed before SessionDate", "cancelled",
               "booking.cancelled",
               {"cancelled_date": _NOW, "cancelled_reason": Value.REASON,
                "cancelled_by": Value.BY, "last_updated": _NOW},
               Money.RELEASE, guard=_cancel_by_client),  # nothing held (Pending): a no-op
    Transition(Action.CANCEL_BY_CANDIDATE, (Side.CANDIDATE,),
               (Status.ACCEPTED, Status.CONFIRMED), Status.CANCELLED,
               "before SessionDate", "cancelled", "booking.cancelled",
               {"cancelled_date": _NOW, "cancelled_reason": Value.REASON,
                "cancelled_by": Value.BY, "last_updated": _NOW},
               Money.RELEASE, guard=_status_then_before_session),
    Transition(Action.REINVITE, (Side.CANDIDATE,), (Status.PENDING,), Status.REJECTED,
               "once SessionDate has passed", "re-invited", "booking.reinvited",
               {"rejected_reason": Value.REASON, "reinvited_date": _NOW, "last_updated": _NOW},
               guard=_reinvite, default_reason=DEFAULT_REINVITE_REASON),
    Transition(Action.RESCHEDULE, (Side.CLIENT,), (Status.REJECTED, Status.CONFIRMED),
               Status.CONFIRMED,
               "Rejected by ReInvite: within 24 hours of it; Confirmed: once SessionDate "
               "has passed, before settlement", "rescheduled", "booking.rescheduled",
               {"session_date": lambda b, now: rescheduled_session(now),
                "session_end": lambda b, now: rescheduled_session(now)
                + timedelta(minutes=b.duration),
                "accepted_date": Value.NOW_IF_UNSET, "confirmed_date": Value.NOW_IF_UNSET,
                "last_updated": _NOW},
               _reschedule_money, guard=_reschedule, unsettled=True),
    Transition(Action.AUTO_REJECT, (Side.SYSTEM,), (Status.PENDING,), Status.REJECTED,
               "SessionDate + Duration + the settlement hold period",
               "rejected automatically", "booking.rejected",
               {"rejected_reason": Value.REASON, "last_updated": _NOW},
               Money.RELEASE, guard=_auto_reject, default_reason=AUTO_REJECTED_REASON),
    Transition(Action.SETTLE, (Side.SYSTEM,), (Status.CONFIRMED,), None,
               "SessionDate + Duration + the settlement hold period", "settled",
               "booking.settled", {"settled_date": _NOW, "last_updated": _NOW},
               Money.PAY, guard=_settle, unsettled=True),
    Transition(Action.DELETE_BY_CLIENT, (Side.CLIENT,),
               (Status.REJECTED, Status.CANCELLED, Status.CONFIRMED), None,
               "any time (removes it from the client's lists only)", "deleted",
               "booking.deleted", {"deleted_by_client": Value.TRUE}, private=True),
    Transition(Action.DELETE_BY_CANDIDATE, (Side.CANDIDATE,),
               (Status.REJECTED, Status.CANCELLED, Status.CONFIRMED), None,
               "any time (removes it from the candidate's lists only)", "deleted",
               "booking.deleted", {"deleted_by_candidate": Value.TRUE}, private=True),
)}

# The event of the one change that is not a transition (CreateBooking: into Pending).
CREATED_EVENT = "booking.created"
EVENT_TYPES = (CREATED_EVENT, *dict.fromkeys(t.event for t in TRANSITIONS.values()))


def money(action: Action, b: Booking) -> Money:
    """What `action` does to credits when applied to `b` (before the change)."""
    return TRANSITIONS[action].money(b)


def check(action: Action, b: Booking, now: datetime,
          hold: timedelta = DEFAULT_SETTLEMENT_HOLD) -> Status:
    """The Status `action` leads to, or RuleBroken naming the rule and the current state."""
    return TRANSITIONS[action].check(b, now, hold)


def held_amount(b: Booking) -> int:
    """What the ledger must hold for `b` right now: its Credits while Confirmed and not yet
    settled, nothing in every other state (ledger check compares against this)."""
    return b.credits if b.status is Status.CONFIRMED and not b.settled else 0


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
