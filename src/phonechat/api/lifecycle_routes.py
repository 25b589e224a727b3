"""PhoneChat routes (both sides and settings): each binds its input, calls one
service, replies."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from ..domain.access import PHONECHAT
from ..domain.lifecycle import ORDER_BY, NewBooking, Side
from ..domain.phonechat_settings import SettingsChange
from ..domain.validation import (
    MAX_REASON_LENGTH, boolean, comments, credits_amount, day, direct_chat_settings,
    entity_id, id_list, international_phone_number, method, method_list, one_of,
    optional_text, reason, skype_name, wall_clock, whole_number,
)
from ..domain.validation import client_phone_number
from ..services import booking_settings, lifecycle
from ..services.views import MadeBooking
from .contracts import (
    BOOKING_REQUIREMENTS, DELETE_RESULT, MADE_BOOKING, MADE_BOOKINGS, PHONECHAT_SETTINGS,
    RECEIVED_BOOKING, RECEIVED_BOOKINGS,
)
from .http import Reply, Request, Routes
from .inputs import INVALID, Field, Input

routes = Routes()

BOOKING_ID = Field("BookingID", entity_id)
REASON = Field("Reason", reason)
BOOKING_IDS = Field("BookingIDs", id_list)
PAGE_FIELDS = (
    Field("StartDate", day, required=False),
    Field("OrderBy", one_of(*ORDER_BY), required=False),
    Field("BookingsPerPage", whole_number(1, 100), required=False),
    Field("PageNumber", whole_number(1), required=False),
)


# --- the two published pages (made-booking-details.txt, cancel-made-booking.txt) ---


@routes.get("/v1/PhoneChat/MadeBookingDetails", scope=PHONECHAT, reply=MADE_BOOKING,
            group="/v1/Groups/PhoneChat/MadeBookingDetails",
            input=Input("MadeBookingDetails", (BOOKING_ID,)))
def made_booking_details(req: Request, args: dict[str, Any]) -> Awaitable[MadeBooking]:
    return lifecycle.made_booking_details(req.db, req.actor, args["BookingID"], req.now)


@routes.post("/v1/PhoneChat/CancelMadeBooking", scope=PHONECHAT, reply=MADE_BOOKING,
             input=Input("CancelMadeBooking", (BOOKING_ID, REASON)))
def cancel_made_booking(req: Request, args: dict[str, Any]) -> Awaitable[MadeBooking]:
    return lifecycle.cancel_made_booking(req.db, req.actor, args["BookingID"], args["Reason"],
                                         req.now)


def _page(req: Request, args: dict[str, Any], side: Side) -> Any:
    return lifecycle.bookings_page(
        req.db, side, req.actor, start=args["StartDate"], order=args["OrderBy"],
        per_page=args["BookingsPerPage"], page=args["PageNumber"], now=req.now)


# --- the made side -----------------------------------------------------------------------


@routes.post("/v1/PhoneChat/CreateBooking", scope=PHONECHAT, reply=MADE_BOOKING,
             input=Input("CreateBooking", (
    Field("BookUserID", entity_id), Field("SessionDate", wall_clock),
    Field("Duration", whole_number(0, 24 * 60)), Field("Method", method),
    # Each is "not used" unless its Method is chosen (published): then not even validated.
    Field("PhoneNumber", client_phone_number, required=False, used_when=("Method", 1)),
    Field("SkypeName", skype_name, required=False, used_when=("Method", 3)),
    Field("Credits", credits_amount), Field("AcceptBy", wall_clock),
    Field("Comments", comments, required=False),
), partial=True))
async def create_booking(req: Request, args: dict[str, Any]) -> Reply:
    # Bound partially: the booking rules run on the fields that parsed, and every problem,
    # the unparsable fields' too, is reported at once.
    n = NewBooking(req.actor.id, args["BookUserID"], args["SessionDate"], args["Duration"],
                   args["Method"], args["PhoneNumber"], args["SkypeName"], args["Credits"],
                   args["AcceptBy"], args["Comments"])
    return Reply(MADE_BOOKING, await lifecycle.create_booking(req.db, req.actor, n, req.now,
                                                              args[INVALID]))


@routes.get("/v1/PhoneChat/MadeBookings", scope=PHONECHAT, reply=MADE_BOOKINGS,
            group="/v1/Groups/PhoneChat/MadeBookings", input=Input("MadeBookings", PAGE_FIELDS))
async def made_bookings(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(MADE_BOOKINGS, await _page(req, args, Side.CLIENT))


@routes.post("/v1/PhoneChat/ConfirmMadeBooking", scope=PHONECHAT, reply=MADE_BOOKING,
             input=Input("ConfirmMadeBooking", (BOOKING_ID,)))
async def confirm_made_booking(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(MADE_BOOKING, await lifecycle.confirm_made_booking(
        req.db, req.actor, args["BookingID"], req.now))


@routes.post("/v1/PhoneChat/RescheduleMadeBooking", scope=PHONECHAT, reply=MADE_BOOKING,
             input=Input("RescheduleMadeBooking", (BOOKING_ID,)))
async def reschedule_made_booking(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(MADE_BOOKING, await lifecycle.reschedule_made_booking(
        req.db, req.actor, args["BookingID"], req.now))


@routes.post("/v1/PhoneChat/DeleteMadeBookings", scope=PHONECHAT, reply=[DELETE_RESULT],
             input=Input("DeleteMadeBookings", (BOOKING_IDS,)))
async def delete_made_bookings(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(DELETE_RESULT, await lifecycle.delete_bookings(
        req.db, Side.CLIENT, req.actor, args["BookingIDs"], req.now))


# --- the received side -------------------------------------------------------------------


@routes.get("/v1/PhoneChat/ReceivedBookings", scope=PHONECHAT, reply=RECEIVED_BOOKINGS,
            group="/v1/Groups/PhoneChat/ReceivedBookings",
            input=Input("ReceivedBookings", PAGE_FIELDS))
async def received_bookings(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(RECEIVED_BOOKINGS, await _page(req, args, Side.CANDIDATE))


@routes.get("/v1/PhoneChat/ReceivedBookingDetails", scope=PHONECHAT, reply=RECEIVED_BOOKING,
            group="/v1/Groups/PhoneChat/ReceivedBookingDetails",
            input=Input("ReceivedBookingDetails", (BOOKING_ID,)))
async def received_booking_details(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(RECEIVED_BOOKING, await lifecycle.booking_details(
        req.db, Side.CANDIDATE, req.actor, args["BookingID"], req.now))


@routes.post("/v1/PhoneChat/AcceptReceivedBooking", scope=PHONECHAT, reply=RECEIVED_BOOKING,
             input=Input("AcceptReceivedBooking", (BOOKING_ID, Field("Credits", credits_amount))))
async def accept_received_booking(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(RECEIVED_BOOKING, await lifecycle.accept_received_booking(
        req.db, req.actor, args["BookingID"], args["Credits"], req.now))


@routes.post("/v1/PhoneChat/RejectReceivedBooking", scope=PHONECHAT, reply=RECEIVED_BOOKING,
             input=Input("RejectReceivedBooking", (BOOKING_ID, REASON)))
async def reject_received_booking(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(RECEIVED_BOOKING, await lifecycle.reject_received_booking(
        req.db, req.actor, args["BookingID"], args["Reason"], req.now))


@routes.post("/v1/PhoneChat/CancelReceivedBooking", scope=PHONECHAT, reply=RECEIVED_BOOKING,
             input=Input("CancelReceivedBooking", (BOOKING_ID, REASON)))
async def cancel_received_booking(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(RECEIVED_BOOKING, await lifecycle.cancel_received_booking(
        req.db, req.actor, args["BookingID"], args["Reason"], req.now))


@routes.post("/v1/PhoneChat/ReInvite", scope=PHONECHAT, reply=RECEIVED_BOOKING,
             input=Input("ReInvite", (
    BOOKING_ID, Field("Reason", optional_text(MAX_REASON_LENGTH), required=False))))
async def reinvite(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(RECEIVED_BOOKING, await lifecycle.reinvite(
        req.db, req.actor, args["BookingID"], args["Reason"], req.now))


@routes.post("/v1/PhoneChat/DeleteReceivedBooking", scope=PHONECHAT, reply=[DELETE_RESULT],
             input=Input("DeleteReceivedBooking", (BOOKING_IDS,)))
async def delete_received_booking(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(DELETE_RESULT, await lifecycle.delete_bookings(
        req.db, Side.CANDIDATE, req.actor, args["BookingIDs"], req.now))


# --- settings ----------------------------------------------------------------------------


@routes.get("/v1/PhoneChat/GetUserBookingRequirements", scope=PHONECHAT,
            reply=BOOKING_REQUIREMENTS,
            input=Input("GetUserBookingRequirements", (Field("BookUserID", entity_id),)))
async def get_user_booking_requirements(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(BOOKING_REQUIREMENTS, await booking_settings.user_booking_requirements(
        req.db, args["BookUserID"]))


@routes.get("/v1/PhoneChat/GetSettings", scope=PHONECHAT, reply=PHONECHAT_SETTINGS,
            group="/v1/Groups/PhoneChat/GetSettings")
async def get_settings(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(PHONECHAT_SETTINGS, await booking_settings.get_settings(req.db, req.actor))


@routes.post("/v1/PhoneChat/SaveSettings", scope=PHONECHAT, reply=PHONECHAT_SETTINGS,
             group="/v1/Groups/PhoneChat/SaveSettings", input=Input("SaveSettings", (
                 Field("OfferDirectChat", boolean),
                 Field("DirectChat", direct_chat_settings, required=False),
                 Field("PhoneChatNumber", international_phone_number, required=False),
                 Field("PhoneChatPPM", credits_amount),
                 # Extensions (after the original's members); omitted: kept as they are.
                 Field("TakesBookings", boolean, required=False),
                 Field("Methods", method_list, required=False),
                 Field("SkypeName", skype_name, required=False),
             ), xml_roots=(PHONECHAT_SETTINGS.name,)))
async def save_settings(req: Request, args: dict[str, Any]) -> Reply:
    return Reply(PHONECHAT_SETTINGS, await booking_settings.save_settings(
        req.db, req.actor, SettingsChange(
            offer_direct_chat=args["OfferDirectChat"], direct_chat=args["DirectChat"],
            phone_chat_number=args["PhoneChatNumber"], phone_chat_ppm=args["PhoneChatPPM"],
            takes_bookings=args["TakesBookings"], methods=args["Methods"],
            skype_name=args["SkypeName"])))
