"""Use cases on a performer's PhoneChat settings: GetSettings, SaveSettings and what a
client sees of them (GetUserBookingRequirements; CreateBooking checks the same Offer)."""

from __future__ import annotations

from typing import Any

from ..domain.access import Actor
from ..domain.bookings import Method
from ..domain.errors import Invalid
from ..domain.lifecycle import Offer, phonechat_refusal
from ..domain.phonechat_settings import (
    METHOD_DESCRIPTIONS, NEVER_SAVED, PhoneChatSettings, SettingsChange, apply_settings,
)
from ..store import lifecycle as store
from ..store.db import Conn, Database, Row

_METHOD_COLUMNS = ((Method.PERFORMER_CALLS, "method_performer_calls"),
                   (Method.CLIENT_CALLS, "method_client_calls"), (Method.SKYPE, "method_skype"))


def _from_row(row: Row | None) -> PhoneChatSettings:
    if row is None:
        return NEVER_SAVED
    return PhoneChatSettings(
        offer_direct_chat=bool(row["offer_direct_chat"]),
        direct_chat_only=bool(row["direct_chat_only"]),
        phone_chat_number=row["phone_number"],
        show_phone_chat_number=bool(row["show_phone_chat_number"]),
        phone_chat_ppm=row["price_per_minute"],
        takes_bookings=bool(row["takes_bookings"]),
        methods=frozenset(m for m, col in _METHOD_COLUMNS if row[col]),
        skype_name=row["skype_name"])


def _columns(s: PhoneChatSettings) -> dict[str, Any]:
    return {"offer_direct_chat": s.offer_direct_chat, "direct_chat_only": s.direct_chat_only,
            "phone_number": s.phone_chat_number,
            "show_phone_chat_number": s.show_phone_chat_number,
            "price_per_minute": s.phone_chat_ppm, "takes_bookings": s.takes_bookings,
            **{col: m in s.methods for m, col in _METHOD_COLUMNS},
            "skype_name": s.skype_name}


def _settings_view(s: PhoneChatSettings) -> dict[str, Any]:
    return {
        "OfferDirectChat": s.offer_direct_chat,
        "DirectChat": {"DirectChatOnly": s.direct_chat_only} if s.offer_direct_chat else None,
        "PhoneChatNumber": s.phone_chat_number,
        "ShowPhoneChatNumber": s.show_phone_chat_number,
        "PhoneChatPPM": s.phone_chat_ppm,
        "TakesBookings": s.takes_bookings,
        "Methods": sorted(s.methods),
        "SkypeName": s.skype_name,
    }


def row_view(row: Row | None) -> dict[str, Any]:
    """GetSettings' answer for a stored row (or none)."""
    return _settings_view(_from_row(row))


async def offer(conn: Conn, user_id: int) -> Offer | None:
    """What a client may book of `user_id` (None: never saved any settings)."""
    row = await store.settings(conn, user_id)
    return None if row is None else _from_row(row).offer()


async def user_booking_requirements(db: Database, book_user_id: int) -> dict[str, Any]:
    async with db.connection() as conn:
        bookable = await offer(conn, book_user_id)
    refusal = phonechat_refusal(bookable)
    if refusal is not None:
        raise Invalid.field("BookUserID", refusal)
    assert bookable is not None
    return {"PhoneChatPPM": bookable.price_per_minute,
            "Methods": [{"Method": int(m), "Description": text,
                         "Available": m in bookable.methods}
                        for m, text in METHOD_DESCRIPTIONS.items()]}


async def get_settings(db: Database, actor: Actor) -> dict[str, Any]:
    async with db.connection() as conn:
        return row_view(await store.settings(conn, actor.id))


async def save_settings(db: Database, actor: Actor, change: SettingsChange) -> dict[str, Any]:
    """Checks, then writes, in one transaction on the locked row (docs: replace vs merge)."""
    async with db.transaction() as tx:
        row, created = await store.lock_settings(tx, actor.id)
        saved = apply_settings(None if created else _from_row(row), change)
        await store.update_settings(tx, actor.id, **_columns(saved))
        return _settings_view(saved)
