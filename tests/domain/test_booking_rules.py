"""The booking rules as plain functions: no database, no server, the time a value."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from phonechat.domain.bookings import (
    ACTION_BY_METHOD, ACTION_CONFIRM, CONTACT_SHOWN_BEFORE_SESSION, Booking, Method, Status,
    action_client, candidate_contact_shown, check_cancel_by_client,
)
from phonechat.domain.errors import RuleBroken

SESSION = datetime(2018, 1, 22, 21, 30)
BEFORE = SESSION - timedelta(hours=1)
DURING = SESSION + timedelta(minutes=5)
AFTER_END = SESSION + timedelta(minutes=16)


def booking(status: Status, method: Method = Method.CLIENT_CALLS) -> Booking:
    return Booking(id=1, status=status, method=method, session_date=SESSION, duration=15,
                   accept_by=SESSION - timedelta(days=1))


# --- check_cancel_by_client ----------------------------------------------------------

@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("now", [BEFORE, SESSION, DURING, AFTER_END],
                         ids=["before", "at-session", "during", "after-end"])
def test_check_cancel_by_client_for_every_status_and_time(status, now) -> None:
    refused = (status in (Status.CANCELLED, Status.REJECTED)
               or (status is Status.CONFIRMED and now >= SESSION))
    if refused:
        with pytest.raises(RuleBroken) as exc:
            check_cancel_by_client(booking(status), now)
        assert f"its Status is {status}" in exc.value.message  # names the current state
    else:
        check_cancel_by_client(booking(status), now)


def test_cancel_refusal_messages_say_the_rule() -> None:
    with pytest.raises(RuleBroken) as exc:
        check_cancel_by_client(booking(Status.REJECTED), BEFORE)
    assert exc.value.message == ("The booking cannot be cancelled: its Status is Rejected, and a "
                                 "Cancelled or Rejected booking cannot be cancelled.")
    with pytest.raises(RuleBroken) as exc:
        check_cancel_by_client(booking(Status.CONFIRMED), DURING)
    assert exc.value.message == ("The booking cannot be cancelled: its Status is Confirmed and its "
                                 "SessionDate (2018-01-22T21:30:00) has already passed.")


def test_confirmed_cancel_allowed_one_microsecond_before_session() -> None:
    check_cancel_by_client(booking(Status.CONFIRMED), SESSION - timedelta(microseconds=1))


# --- action_client ---------------------------------------------------------------------

def _expected_action(status: Status, method: Method, now: datetime) -> str | None:
    if status is Status.ACCEPTED:
        return ACTION_CONFIRM if now < SESSION else None
    if status is Status.CONFIRMED:
        return ACTION_BY_METHOD[method] if now < SESSION + timedelta(minutes=15) else None
    return None


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("method", list(Method))
@pytest.mark.parametrize("now", [BEFORE, SESSION, DURING, AFTER_END],
                         ids=["before", "at-session", "during", "after-end"])
def test_action_client_for_every_status_method_and_time(status, method, now) -> None:
    assert action_client(booking(status, method), now) == _expected_action(status, method, now)


def test_action_client_texts() -> None:
    assert ACTION_BY_METHOD[Method.CLIENT_CALLS] == "You need to carry out the session"  # the sample
    assert action_client(booking(Status.CONFIRMED, Method.PERFORMER_CALLS), BEFORE) == \
        "You need to be available to take the call"
    assert action_client(booking(Status.CONFIRMED, Method.SKYPE), BEFORE) == \
        "You need to carry out the session on Skype"
    assert action_client(booking(Status.ACCEPTED), BEFORE) == "You need to confirm the booking"
    assert action_client(booking(Status.PENDING), BEFORE) is None


def test_confirmed_action_ends_exactly_at_session_end() -> None:
    b = booking(Status.CONFIRMED)
    assert action_client(b, b.session_end - timedelta(microseconds=1)) is not None
    assert action_client(b, b.session_end) is None


# --- candidate_contact_shown -------------------------------------------------------------

@pytest.mark.parametrize("offset,shown", [
    (-CONTACT_SHOWN_BEFORE_SESSION - timedelta(seconds=1), False),
    (-CONTACT_SHOWN_BEFORE_SESSION, True),
    (timedelta(0), True),
    (timedelta(minutes=14, seconds=59), True),
    (timedelta(minutes=15), False),  # the session has ended
    (timedelta(days=1), False),
])
def test_candidate_contact_shown_window_for_confirmed(offset, shown) -> None:
    assert candidate_contact_shown(booking(Status.CONFIRMED), SESSION + offset) is shown


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.CONFIRMED])
def test_candidate_contact_never_shown_unless_confirmed(status) -> None:
    assert not candidate_contact_shown(booking(status), SESSION)


def test_contact_window_is_thirty_minutes() -> None:
    assert CONTACT_SHOWN_BEFORE_SESSION == timedelta(minutes=30)
