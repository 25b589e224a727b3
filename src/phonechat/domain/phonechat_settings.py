"""A performer's PhoneChat settings (GetSettings / SaveSettings): the original's members,
then this service's extensions, and what SaveSettings does with each. No I/O.

SaveSettings replaces the original's members (OfferDirectChat, DirectChat,
PhoneChatNumber, PhoneChatPPM: each as sent, an omitted PhoneChatNumber means none) and
merges the extensions (TakesBookings, Methods, SkypeName: omitted means unchanged), so that
a client that knows only the original's members never wipes them. ShowPhoneChatNumber is
not part of SaveSettings and keeps its value.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .bookings import Method
from .errors import Invalid
from .lifecycle import Offer

# A first save that leaves the extensions out: a performer who saves PhoneChat settings
# takes bookings, by either phone method (Method 2 becomes available with a PhoneChatNumber).
FIRST_SAVE_METHODS = frozenset({Method.PERFORMER_CALLS, Method.CLIENT_CALLS})

# aws:PhoneChatMethod's Description (reconstructed), from the original's own wording.
METHOD_DESCRIPTIONS = {
    Method.PERFORMER_CALLS: "The client is called by the booked user",
    Method.CLIENT_CALLS: "The client calls the booked user",
    Method.SKYPE: "Skype",
}


@dataclass(frozen=True, slots=True)
class PhoneChatSettings:
    offer_direct_chat: bool
    direct_chat_only: bool  # aws:DirectChatSettings.DirectChatOnly; False unless offered
    phone_chat_number: str | None
    show_phone_chat_number: bool
    phone_chat_ppm: int | None  # units; None: never set
    # Extensions: whether PhoneChat bookings are taken at all, by which Methods, and the
    # Skype name Method 3 needs.
    takes_bookings: bool
    methods: frozenset[int]
    skype_name: str | None

    def available_methods(self) -> frozenset[int]:
        """The Methods a client can book now: taken, and what each needs is set (Method 2
        the number the client calls, Method 3 the Skype name)."""
        if not self.takes_bookings:
            return frozenset()
        return frozenset(m for m in self.methods
                         if (m != Method.CLIENT_CALLS or self.phone_chat_number)
                         and (m != Method.SKYPE or self.skype_name))

    def offer(self) -> Offer:
        return Offer(self.takes_bookings, self.phone_chat_ppm, self.available_methods(),
                     self.offer_direct_chat and self.direct_chat_only)


NEVER_SAVED = PhoneChatSettings(
    offer_direct_chat=False, direct_chat_only=False, phone_chat_number=None,
    show_phone_chat_number=False, phone_chat_ppm=None, takes_bookings=False,
    methods=frozenset(), skype_name=None)


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """A SaveSettings request, bound. None in an extension: not sent (kept)."""

    offer_direct_chat: bool
    direct_chat: dict[str, Any] | None
    phone_chat_number: str | None
    phone_chat_ppm: int
    takes_bookings: bool | None = None
    methods: list[int] | None = None
    skype_name: str | None = None


def apply_settings(current: PhoneChatSettings | None, change: SettingsChange) -> PhoneChatSettings:
    """The settings after `change`, or Invalid naming every field in the way."""
    errors: dict[str, list[str]] = {}
    if change.offer_direct_chat and change.direct_chat is None:
        errors["DirectChat"] = ["The DirectChat field is required when OfferDirectChat is true."]
    if not change.offer_direct_chat and change.direct_chat is not None:
        errors["DirectChat"] = ["The DirectChat field can only be given when OfferDirectChat "
                                "is true."]
    if change.phone_chat_ppm <= 0:
        errors["PhoneChatPPM"] = ["The field PhoneChatPPM must be more than 0."]
    if current is None:  # first save: the extensions' defaults
        current = replace(NEVER_SAVED, takes_bookings=True, methods=FIRST_SAVE_METHODS)
    new = replace(
        current,
        offer_direct_chat=change.offer_direct_chat,
        direct_chat_only=bool(change.direct_chat and change.direct_chat["DirectChatOnly"]),
        phone_chat_number=change.phone_chat_number,
        phone_chat_ppm=change.phone_chat_ppm,
        takes_bookings=(current.takes_bookings if change.takes_bookings is None
                        else change.takes_bookings),
        methods=current.methods if change.methods is None else frozenset(change.methods),
        skype_name=current.skype_name if change.skype_name is None else change.skype_name,
    )
    if change.methods is not None:  # Methods sent: what they need must be there too
        if Method.CLIENT_CALLS in new.methods and not new.phone_chat_number:
            errors["PhoneChatNumber"] = ["The PhoneChatNumber field is required when Methods "
                                         "includes 2 (the client calls this number)."]
        if Method.SKYPE in new.methods and not new.skype_name:
            errors["SkypeName"] = ["The SkypeName field is required when Methods includes 3."]
    if new.takes_bookings and not new.methods:
        errors["Methods"] = ["At least one Method is needed when TakesBookings is true."]
    if errors:
        raise Invalid(errors)
    return new
