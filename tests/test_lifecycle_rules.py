"""domain/lifecycle.py on plain values: no database, no server, the clock is a value."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from phonechat.domain import lifecycle as rules
from phonechat.domain.bookings import Booking, Method, Status, action_candidate, action_client
from phonechat.domain.errors import Invalid, RuleBroken
from phonechat.domain.lifecycle import Action, Money

NOW = datetime(2018, 1, 21, 14, 0)
B = Booking(id=1, status=Status.PENDING, method=Method.CLIENT_CALLS,
            session_date=NOW + timedelta(days=2), duration=15,
            accept_by=NOW + timedelta(days=1), credits=80_000)
H = timedelta(minutes=1)

# (action, status, moment relative to the booking, extra fields) -> the resulting Status,
# or the words of the refusal. Moments: "early" (before AcceptBy), "late" (past AcceptBy,
# before SessionDate), "during" (SessionDate passed, session not ended), "after" (ended).
MOMENTS = {"early": NOW, "late": NOW + timedelta(days=1, hours=1),
           "during": NOW + timedelta(days=2, minutes=5), "after": NOW + timedelta(days=4)}
# Re-invited (ReInvite) an hour before "after", or more than 24 hours before it.
RECENT = {"reinvited_at": MOMENTS["after"] - timedelta(hours=1)}
LONG_AGO = {"reinvited_at": MOMENTS["after"] - timedelta(hours=24)}

CASES = [
    (Action.ACCEPT, Status.PENDING, "early", {}, Status.ACCEPTED),
    (Action.ACCEPT, Status.PENDING, "late", {}, "AcceptBy"),
    (Action.ACCEPT, Status.PENDING, "after", {}, "AcceptBy"),
    (Action.ACCEPT, Status.ACCEPTED, "early", {}, "Status is Accepted"),
    (Action.REJECT, Status.PENDING, "early", {}, Status.REJECTED),
    (Action.REJECT, Status.PENDING, "after", {}, Status.REJECTED),
    (Action.REJECT, Status.CONFIRMED, "early", {}, "Status is Confirmed"),
    (Action.CONFIRM, Status.ACCEPTED, "late", {}, Status.CONFIRMED),
    (Action.CONFIRM, Status.ACCEPTED, "during", {}, "SessionDate"),
    (Action.CONFIRM, Status.PENDING, "early", {}, "Status is Pending"),
    (Action.CONFIRM, Status.CONFIRMED, "early", {}, "Status is Confirmed"),
    (Action.CANCEL_BY_CLIENT, Status.PENDING, "after", {}, Status.CANCELLED),
    (Action.CANCEL_BY_CLIENT, Status.ACCEPTED, "after", {}, Status.CANCELLED),
    (Action.CANCEL_BY_CLIENT, Status.CONFIRMED, "late", {}, Status.CANCELLED),
    (Action.CANCEL_BY_CLIENT, Status.CONFIRMED, "during", {}, "SessionDate"),
    (Action.CANCEL_BY_CLIENT, Status.REJECTED, "early", {}, "Status is Rejected"),
    (Action.CANCEL_BY_CLIENT, Status.CANCELLED, "early", {}, "Status is Cancelled"),
    (Action.CANCEL_BY_CANDIDATE, Status.ACCEPTED, "late", {}, Status.CANCELLED),
    (Action.CANCEL_BY_CANDIDATE, Status.CONFIRMED, "late", {}, Status.CANCELLED),
    (Action.CANCEL_BY_CANDIDATE, Status.CONFIRMED, "during", {}, "SessionDate"),
    (Action.CANCEL_BY_CANDIDATE, Status.PENDING, "early", {}, "Status is Pending"),
    (Action.REINVITE, Status.PENDING, "during", {}, Status.REJECTED),
    (Action.REINVITE, Status.PENDING, "after", {}, Status.REJECTED),
    (Action.REINVITE, Status.PENDING, "late", {}, "has not passed yet"),
    (Action.REINVITE, Status.REJECTED, "after", RECENT, "Status is Rejected, re-invited"),
    (Action.REINVITE, Status.ACCEPTED, "after", {}, "Status is Accepted"),
    (Action.RESCHEDULE, Status.REJECTED, "after", RECENT, Status.CONFIRMED),
    (Action.RESCHEDULE, Status.REJECTED, "after", LONG_AGO, "re-invitation ended"),
    (Action.RESCHEDULE, Status.REJECTED, "after", {**RECENT, "deleted_by_candidate": True},
     "withdrawn the re-invitation"),
    (Action.RESCHEDULE, Status.REJECTED, "after", {}, "Status is Rejected"),
    (Action.RESCHEDULE, Status.PENDING, "after", {}, "re-invited you"),
    (Action.RESCHEDULE, Status.CONFIRMED, "during", {}, Status.CONFIRMED),
    (Action.RESCHEDULE, Status.CONFIRMED, "after", {"settled": True}, "settled"),
    (Action.RESCHEDULE, Status.CONFIRMED, "late", {}, "has not passed yet"),
    (Action.RESCHEDULE, Status.ACCEPTED, "after", {}, "Status is Accepted"),
    (Action.AUTO_REJECT, Status.PENDING, "after", {}, Status.REJECTED),
    (Action.AUTO_REJECT, Status.PENDING, "during", {}, "rejected 24 hours later"),
    (Action.AUTO_REJECT, Status.ACCEPTED, "after", {}, "Status is Accepted"),
    (Action.SETTLE, Status.CONFIRMED, "after", {}, Status.CONFIRMED),
    (Action.SETTLE, Status.CONFIRMED, "during", {}, "settled 24 hours later"),
    (Action.SETTLE, Status.CONFIRMED, "after", {"settled": True}, "already been settled"),
    (Action.SETTLE, Status.CANCELLED, "after", {}, "Status is Cancelled"),
    (Action.DELETE_BY_CLIENT, Status.REJECTED, "early", {}, Status.REJECTED),
    (Action.DELETE_BY_CANDIDATE, Status.REJECTED, "early", {}, Status.REJECTED),
    (Action.DELETE_BY_CLIENT, Status.CANCELLED, "early", {}, Status.CANCELLED),
    (Action.DELETE_BY_CANDIDATE, Status.CANCELLED, "early", {}, Status.CANCELLED),
    (Action.DELETE_BY_CLIENT, Status.CONFIRMED, "early", {}, Status.CONFIRMED),
    (Action.DELETE_BY_CANDIDATE, Status.CONFIRMED, "early", {}, Status.CONFIRMED),
    (Action.DELETE_BY_CLIENT, Status.PENDING, "early", {}, "Status is Pending"),
    (Action.DELETE_BY_CANDIDATE, Status.PENDING, "early", {}, "Status is Pending"),
    (Action.DELETE_BY_CLIENT, Status.ACCEPTED, "early", {}, "Status is Accepted"),
    (Action.DELETE_BY_CANDIDATE, Status.ACCEPTED, "early", {}, "Status is Accepted"),
]


@pytest.mark.parametrize("action, status, moment, extra, outcome", CASES,
                         ids=[f"{a.name}-{s}-{m}-{'-'.join(e)}" for a, s, m, e, _ in CASES])
def test_every_edge_and_refusal(action, status, moment, extra, outcome) -> None:
    b = replace(B, status=status, **extra)
    if isinstance(outcome, Status):
        assert rules.check(action, b, MOMENTS[moment]) is outcome
    else:
        with pytest.raises(RuleBroken) as e:
            rules.check(action, b, MOMENTS[moment])
        assert outcome in e.value.message and "Status is" in e.value.message


def test_every_transition_is_tabled_with_who_and_from_where() -> None:
    assert set(rules.TRANSITIONS) == set(Action)
    for t in rules.TRANSITIONS.values():
        assert t.by and t.sources and t.when


@pytest.mark.parametrize("action, status, money", [
    (Action.CONFIRM, Status.ACCEPTED, Money.HOLD),
    (Action.RESCHEDULE, Status.REJECTED, Money.HOLD),
    (Action.RESCHEDULE, Status.CONFIRMED, Money.NOTHING),
    (Action.CANCEL_BY_CLIENT, Status.CONFIRMED, Money.RELEASE),
    (Action.CANCEL_BY_CANDIDATE, Status.CONFIRMED, Money.RELEASE),
    (Action.SETTLE, Status.CONFIRMED, Money.PAY),
    (Action.ACCEPT, Status.PENDING, Money.NOTHING),
    (Action.REJECT, Status.PENDING, Money.NOTHING),
    (Action.REINVITE, Status.PENDING, Money.NOTHING),
    (Action.AUTO_REJECT, Status.PENDING, Money.RELEASE),
    (Action.DELETE_BY_CLIENT, Status.CONFIRMED, Money.NOTHING),
    (Action.DELETE_BY_CANDIDATE, Status.CONFIRMED, Money.NOTHING),
])
def test_what_each_transition_does_to_credits(action, status, money) -> None:
    assert rules.money(action, replace(B, status=status)) is money


def test_only_a_confirmed_unsettled_booking_holds_credits() -> None:
    for status in Status:
        want = 80_000 if status is Status.CONFIRMED else 0
        assert rules.held_amount(replace(B, status=status)) == want
    assert rules.held_amount(replace(B, status=Status.CONFIRMED, settled=True)) == 0


def test_auto_rejection_is_due_the_hold_period_after_the_session_end() -> None:
    due = B.session_end + rules.DEFAULT_SETTLEMENT_HOLD
    with pytest.raises(RuleBroken):
        rules.check(Action.AUTO_REJECT, B, due - timedelta(microseconds=1))
    assert rules.check(Action.AUTO_REJECT, B, due) is Status.REJECTED
    # Past AcceptBy it is no longer acceptable, yet Pending: the cancel sample's state.
    assert rules.check(Action.CANCEL_BY_CLIENT, B, B.accept_by + timedelta(hours=18)) \
        is Status.CANCELLED


def test_rescheduled_session_is_between_5_and_10_minutes_ahead() -> None:
    for now in (NOW, NOW + timedelta(seconds=59, microseconds=999)):
        ahead = rules.rescheduled_session(now) - now
        assert timedelta(minutes=5) <= ahead <= timedelta(minutes=10)


@pytest.mark.parametrize("status, moment, extra, client, candidate", [
    (Status.PENDING, "early", {}, None, "You need to accept or reject the booking"),
    (Status.PENDING, "late", {}, None, "The booking can no longer be accepted; you can reject it"),
    (Status.PENDING, "during", {}, None, "You can re-invite the client"),
    (Status.PENDING, "after", {}, None, "You can re-invite the client"),
    (Status.REJECTED, "after", RECENT, "You need to reschedule the booking", None),
    (Status.REJECTED, "after", LONG_AGO, None, None),
    (Status.ACCEPTED, "early", {}, "You need to confirm the booking", None),
    (Status.ACCEPTED, "during", {}, None, None),
    (Status.CONFIRMED, "during", {}, "You need to carry out the session",
     "You need to be available to take the call"),
    (Status.CONFIRMED, "after", {}, None, None),
    (Status.REJECTED, "early", {}, None, None),
    (Status.CANCELLED, "early", {}, None, None),
])
def test_action_texts_of_each_state(status, moment, extra, client, candidate) -> None:
    b = replace(B, status=status, **extra)
    assert action_client(b, MOMENTS[moment]) == client
    assert action_candidate(b, MOMENTS[moment]) == candidate


def test_candidate_texts_by_method() -> None:
    b = replace(B, status=Status.CONFIRMED)
    texts = {m: action_candidate(replace(b, method=m), NOW) for m in Method}
    assert texts == {Method.PERFORMER_CALLS: "You need to call the client",
                     Method.CLIENT_CALLS: "You need to be available to take the call",
                     Method.SKYPE: "You need to carry out the session on Skype"}


def test_new_booking_collects_every_problem() -> None:
    n = rules.NewBooking(client_id=1, book_user_id=2, session_date=NOW, duration=4, method=3,
                         phone_number=None, skype_name=None, credits=10, accept_by=NOW,
                         comments=None)
    offer = rules.Offer(True, 10_000, frozenset({1, 2}))
    with pytest.raises(Invalid) as e:
        rules.check_new_booking(n, offer, 0, NOW)
    assert set(e.value.errors) == {"SessionDate", "AcceptBy", "Duration", "Method", "SkypeName",
                                "Credits"}
