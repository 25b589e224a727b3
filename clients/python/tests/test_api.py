"""The client against a real sandbox: a whole lifecycle on both sides (sync and asyncio),
typed answers and errors, a group-manager read, paging, retries and Idempotency-Key."""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from phonechat_client import (
    AsyncPhoneChat, Forbidden, InvalidRequest, MadeBooking, NotFound, PhoneChat, RateLimited,
    ReceivedBooking, Unauthorized,
)

from conftest import CANDIDATE, MEMBER, START, TOKENS, start_sandbox, stop_sandbox

BOOKING = {"book_user_id": CANDIDATE, "session_date": datetime(2018, 1, 25, 21, 30),
           "accept_by": datetime(2018, 1, 24, 12, 0), "duration": 15, "method": 2,
           "credits": Decimal("10")}


def test_a_booking_made_accepted_confirmed_and_cancelled(client: PhoneChat,
                                                         candidate: PhoneChat) -> None:
    made = client.create_booking(**BOOKING, comments="From the Python client")
    assert isinstance(made, MadeBooking) and made.status == "Pending"
    assert made.credits == Decimal("10") and isinstance(made.credits, Decimal)
    assert made.session_date == datetime(2018, 1, 25, 21, 30)
    assert made.candidate is not None and made.candidate.user_id == CANDIDATE

    received = candidate.received_booking_details(booking_id=made.booking_id)
    assert isinstance(received, ReceivedBooking) and received.client.user_id == 100
    accepted = candidate.accept_received_booking(booking_id=made.booking_id, credits=Decimal("9.5"))
    assert accepted.status == "Accepted" and accepted.credits == Decimal("9.5")

    confirmed = client.confirm_made_booking(booking_id=made.booking_id)
    assert confirmed.status == "Confirmed" and isinstance(confirmed.confirmed_date, datetime)
    cancelled = client.cancel_made_booking(booking_id=made.booking_id, reason="Plans changed")
    assert (cancelled.status, cancelled.cancelled_reason) == ("Cancelled", "Plans changed")
    assert client.made_booking_details(booking_id=made.booking_id).status == "Cancelled"


def test_the_received_side_rejects_and_cancels(candidate: PhoneChat) -> None:
    rejected = candidate.reject_received_booking(booking_id=3, reason="Away that day")
    assert (rejected.status, rejected.rejected_reason) == ("Rejected", "Away that day")
    cancelled = candidate.cancel_received_booking(booking_id=4, reason="Something came up")
    assert cancelled.status == "Cancelled"
    results = candidate.delete_received_booking(booking_ids=[3])
    assert [(r.booking_id, r.deleted) for r in results] == [(3, True)]


def test_the_async_client_does_the_same_lifecycle(base_url: str) -> None:
    async def run() -> None:
        async with AsyncPhoneChat(base_url, token=TOKENS["client"]) as client, \
                AsyncPhoneChat(base_url, token=TOKENS["candidate"]) as candidate:
            made = await client.create_booking(**BOOKING)
            await candidate.accept_received_booking(booking_id=made.booking_id, credits=10)
            confirmed = await client.confirm_made_booking(booking_id=made.booking_id)
            assert confirmed.status == "Confirmed"
            cancelled = await candidate.cancel_received_booking(booking_id=made.booking_id,
                                                                reason="Ill")
            assert cancelled.status == "Cancelled" and cancelled.cancelled_by == "BookedUser"
            ids = [b.booking_id async for b in client.iter_made_bookings(bookings_per_page=3)]
            assert made.booking_id in ids and len(ids) == len(set(ids))
            assert await client.get_current_credit_balance() == Decimal(
                str((await client.get_credits_history()).credit_history[-1].balance))

    asyncio.run(run())


def test_errors_are_typed_with_message_and_model_state(client: PhoneChat, base_url: str) -> None:
    with pytest.raises(InvalidRequest) as bad:
        client.cancel_made_booking(booking_id=1, reason="")
    assert "Reason" in bad.value.model_state and bad.value.message
    assert bad.value.request_id
    with pytest.raises(NotFound):
        client.made_booking_details(booking_id=9)  # the member's: not the client's
    with PhoneChat(base_url, token="nope") as stranger, pytest.raises(Unauthorized):
        stranger.verify_credentials()
    with pytest.raises(InvalidRequest) as rule:
        client.cancel_made_booking(booking_id=5, reason="Already rejected")
    assert rule.value.model_state == {} and "Rejected" in rule.value.message


def test_a_group_manager_reads_a_members_booking_and_settings(base_url: str) -> None:
    with PhoneChat(base_url, token=TOKENS["manager"]) as manager:
        member = manager.as_member(MEMBER)
        booking = member.made_booking_details(booking_id=9)
        assert booking.booking_id == 9 and booking.status == "Pending"
        assert [b.booking_id for b in member.made_bookings().bookings] == [9]
        assert member.get_settings().offer_direct_chat is True
        with pytest.raises(ValueError):
            member.verify_credentials()  # no group variant
        with pytest.raises(NotFound):
            manager.made_booking_details(booking_id=9)  # as themself: not theirs
    with PhoneChat(base_url, token=TOKENS["outsider"]) as outsider, pytest.raises(Forbidden):
        outsider.as_member(MEMBER).made_booking_details(booking_id=9)


def test_iterating_over_every_page_of_120_new_bookings(client: PhoneChat) -> None:
    before = {b.booking_id for b in client.iter_made_bookings()}
    made = [client.create_booking(**BOOKING).booking_id
            for _ in range(120)]
    page = client.made_bookings(bookings_per_page=25, page_number=1)
    assert page.page_count == -(-(len(before) + 120) // 25) and len(page.bookings) == 25
    seen = [b.booking_id for b in client.iter_made_bookings(bookings_per_page=25)]
    assert len(seen) == len(set(seen)) == len(before) + 120
    assert set(seen) == before | set(made)


class LosesTheFirstAnswer(httpx.BaseTransport):
    """A network that delivers the first POST to the sandbox and loses its answer."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.keys: list[str | None] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "POST":
            self.keys.append(request.headers.get("idempotency-key"))
            if len(self.keys) == 1:
                response.read()
                raise httpx.ReadTimeout("the answer was lost", request=request)
        return response


def test_a_retried_post_is_done_once(base_url: str, client: PhoneChat) -> None:
    before = len(list(client.iter_made_bookings()))
    network = LosesTheFirstAnswer()
    waits: list[float] = []
    with PhoneChat(base_url, token=TOKENS["client"], transport=network,
                   sleep=waits.append) as flaky:
        made = flaky.create_booking(**BOOKING)
    assert len(network.keys) == 2 and network.keys[0] == network.keys[1] is not None
    assert waits == [0.5]
    after = list(client.iter_made_bookings())
    assert len(after) == before + 1 and made.booking_id in {b.booking_id for b in after}
    again = client.create_booking(**BOOKING)  # another call: another key, another booking
    assert again.booking_id != made.booking_id


def test_429_is_retried_after_what_retry_after_says(tmp_path: Path) -> None:
    url, proc = start_sandbox(tmp_path, {"PHONECHAT_RATE_LIMIT_PER_USER": "2/minute"})
    try:
        waits: list[float] = []
        with PhoneChat(url, token=TOKENS["client"], sleep=waits.append, max_retries=2) as api:
            api.verify_credentials()
            api.verify_credentials()
            with pytest.raises(RateLimited) as limited:
                api.verify_credentials()
        assert len(waits) == 2 and all(0 < w <= 60 for w in waits)
        assert limited.value.retry_after is not None and limited.value.status == 429
        assert waits[0] == pytest.approx(limited.value.retry_after, abs=2)
    finally:
        stop_sandbox(proc)
