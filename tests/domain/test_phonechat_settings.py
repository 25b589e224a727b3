"""The settings rules as plain values: what is available, replace vs merge, the one
BookUserID prerequisite."""

from __future__ import annotations

from dataclasses import replace

import pytest

from phonechat.domain.errors import Invalid
from phonechat.domain.lifecycle import Offer, phonechat_refusal
from phonechat.domain.phonechat_settings import (
    NEVER_SAVED, PhoneChatSettings, SettingsChange, apply_settings,
)

SAVED = PhoneChatSettings(
    offer_direct_chat=False, direct_chat_only=False, phone_chat_number="+447700900123",
    show_phone_chat_number=True, phone_chat_ppm=5000, takes_bookings=True,
    methods=frozenset({1, 2, 3}), skype_name="me")
ORIGINAL = SettingsChange(offer_direct_chat=False, direct_chat=None,
                          phone_chat_number="+447700900123", phone_chat_ppm=15000)


@pytest.mark.parametrize("change, available", [
    ({}, {1, 2, 3}),
    ({"phone_chat_number": None}, {1, 3}),  # Method 2: nothing to call
    ({"skype_name": None}, {1, 2}),
    ({"takes_bookings": False}, set()),
])
def test_available_methods_need_what_each_method_uses(change, available) -> None:
    assert replace(SAVED, **change).available_methods() == available


def test_an_original_save_replaces_its_members_and_keeps_the_rest() -> None:
    new = apply_settings(SAVED, replace(ORIGINAL, phone_chat_number=None))
    assert (new.phone_chat_number, new.phone_chat_ppm) == (None, 15000)
    assert (new.takes_bookings, new.methods, new.skype_name) == (True, {1, 2, 3}, "me")
    assert new.show_phone_chat_number is True  # not a SaveSettings member


def test_a_first_save_takes_phone_bookings() -> None:
    new = apply_settings(None, ORIGINAL)
    assert (new.takes_bookings, new.methods, new.show_phone_chat_number) == (True, {1, 2}, False)


def test_direct_chat_only_counts_only_while_direct_chat_is_offered() -> None:
    new = apply_settings(SAVED, replace(ORIGINAL, offer_direct_chat=True,
                                        direct_chat={"DirectChatOnly": True}))
    assert new.offer().direct_chat_only is True
    new = apply_settings(new, ORIGINAL)
    assert new.direct_chat_only is False and new.offer().direct_chat_only is False


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(Invalid) as caught:
        apply_settings(NEVER_SAVED, replace(ORIGINAL, offer_direct_chat=True, phone_chat_ppm=0,
                                            phone_chat_number=None, methods=[2, 3]))
    assert set(caught.value.errors) == {"DirectChat", "PhoneChatPPM", "PhoneChatNumber",
                                        "SkypeName"}


@pytest.mark.parametrize("offer, refused", [
    (None, True),
    (Offer(False, 5000, frozenset({1})), True),
    (Offer(True, 5000, frozenset({1}), direct_chat_only=True), True),
    (Offer(True, None, frozenset({1})), False),
])
def test_the_booking_prerequisite(offer, refused) -> None:
    assert (phonechat_refusal(offer) is not None) is refused
