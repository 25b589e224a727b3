"""Booking events (an extension of the original, issue 10): a booking's history and the
feed of every event that concerns the token's user."""

from __future__ import annotations

from typing import Any

from ..domain.access import PHONECHAT
from ..domain.validation import entity_id, whole_number
from ..services import events
from .contracts import BOOKING_EVENT, BOOKING_HISTORY, EVENTS_PAGE
from .http import Reply, Request, Routes
from .inputs import Field, Input
from .representation import to_json

routes = Routes()


@routes.get("/v1/PhoneChat/BookingHistory", scope=PHONECHAT, reply=BOOKING_HISTORY,
            group="/v1/Groups/PhoneChat/BookingHistory",
            input=Input("BookingHistory", (Field("BookingID", entity_id),)))
async def booking_history(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(BOOKING_HISTORY, await events.booking_history(req.db, req.actor,
                                                               args["BookingID"]))


@routes.get("/v1/Events", scope=PHONECHAT, reply=EVENTS_PAGE, input=Input("Events", (
    Field("After", whole_number(0, 2**63 - 1), required=False),
    Field("Limit", whole_number(1, 500), required=False),
)))
async def events_feed(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(EVENTS_PAGE, await events.feed(req.db, req.actor, args["After"], args["Limit"]))


def event_json(event: Any) -> bytes:
    """A webhook delivery's body: the event as the feed shows it."""
    return to_json(BOOKING_EVENT, event)
