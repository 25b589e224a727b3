"""Use cases on the booked user's PhoneChat settings (what CreateBooking checks against)."""

from __future__ import annotations

from typing import Any

from ..domain.access import Actor
from ..domain.errors import NotFound
from ..domain.lifecycle import check_settings
from ..store import lifecycle as store
from ..store.db import Database, Row

USER_NOT_FOUND = "No user was found with that BookUserID."
_METHOD_COLUMNS = ((1, "method_performer_calls"), (2, "method_client_calls"),
                   (3, "method_skype"))


def _methods(row: Row | None) -> list[int]:
    return [] if row is None else [m for m, col in _METHOD_COLUMNS if row[col]]


async def user_booking_requirements(db: Database, book_user_id: int) -> dict[str, Any]:
    async with db.connection() as conn:
        if not await store.user_exists(conn, book_user_id):
            raise NotFound(USER_NOT_FOUND)
        row = await store.settings(conn, book_user_id)
    if row is None or not row["takes_bookings"]:
        return {"PhoneChatPPM": None, "Methods": []}
    return {"PhoneChatPPM": row["price_per_minute"], "Methods": _methods(row)}


def _settings_view(row: Row | None) -> dict[str, Any]:
    if row is None:  # never saved: bookings not taken
        return {"TakesBookings": False, "PricePerMinute": 0, "Methods": [],
                "PhoneNumber": None, "SkypeName": None}
    return {"TakesBookings": bool(row["takes_bookings"]),
            "PricePerMinute": row["price_per_minute"], "Methods": _methods(row),
            "PhoneNumber": row["phone_number"], "SkypeName": row["skype_name"]}


async def get_settings(db: Database, actor: Actor) -> dict[str, Any]:
    async with db.connection() as conn:
        return _settings_view(await store.settings(conn, actor.id))


async def save_settings(db: Database, actor: Actor, *, takes_bookings: bool,
                        price_per_minute: int, methods: list[int], phone_number: str | None,
                        skype_name: str | None) -> dict[str, Any]:
    check_settings(takes_bookings, price_per_minute, methods, phone_number, skype_name)
    async with db.transaction() as tx:
        await store.save_settings(
            tx, user_id=actor.id, takes_bookings=takes_bookings,
            price_per_minute=price_per_minute,
            **{col: m in methods for m, col in _METHOD_COLUMNS},
            phone_number=phone_number, skype_name=skype_name)
        return _settings_view(await store.settings(tx, actor.id))
