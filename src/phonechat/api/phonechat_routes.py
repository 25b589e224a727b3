"""PhoneChat routes: each parses its input, calls one service, replies."""

from __future__ import annotations

from typing import Any

from ..domain.access import PHONECHAT
from ..domain.validation import entity_id, reason
from ..services import made
from .contracts import MADE_BOOKING
from .http import Reply, Request, Routes
from .inputs import Field, Input

routes = Routes()

BOOKING_ID = Field("BookingID", entity_id)


@routes.get("/v1/PhoneChat/MadeBookingDetails", scope=PHONECHAT,
            group="/v1/Groups/PhoneChat/MadeBookingDetails",
            input=Input("MadeBookingDetails", (BOOKING_ID,)))
async def made_booking_details(req: Request, args: dict[str, Any]) -> Reply:
    view = await made.made_booking_details(req.db, req.actor, args["BookingID"], req.now)
    return Reply(MADE_BOOKING, view)


@routes.post("/v1/PhoneChat/CancelMadeBooking", scope=PHONECHAT,
             input=Input("CancelMadeBooking", (BOOKING_ID, Field("Reason", reason))))
async def cancel_made_booking(req: Request, args: dict[str, Any]) -> Reply:
    view = await made.cancel_made_booking(req.db, req.actor, args["BookingID"], args["Reason"],
                                          req.now)
    return Reply(MADE_BOOKING, view)
