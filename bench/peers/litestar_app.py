"""MadeBookingDetails on Litestar + msgspec, written as such an app is usually written:
msgspec Structs as the response type, a typed query parameter, the token check as a
dependency. Same SQL, same token lookup, same bytes as phonechat (bench/run.py checks).

    uvicorn litestar_app:app --app-dir bench/peers   (BENCH_DSN as for reference_app.py)
"""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Litestar, MediaType, Request, Response, get
from litestar.di import Provide
from litestar.exceptions import HTTPException

import common

grants = common.Grants()


class Candidate(msgspec.Struct):
    UserID: int
    Nickname: str
    PhoneNumber: str | None
    SkypeName: str | None
    Total: int
    Positive: int
    Neutral: int
    Negative: int
    Ratings: int
    Disputes: int


class MadeBooking(msgspec.Struct):
    BookingID: int
    Duration: int
    Credits: int | float
    Status: str
    Method: int
    PhoneNumber: str | None
    SkypeName: str | None
    CreateDate: str | None
    SessionDate: str | None
    AcceptBy: str | None
    AcceptedDate: str | None
    ConfirmedDate: str | None
    CancelledDate: str | None
    CancelledReason: str | None
    CancelledBy: str | None
    RejectedReason: str | None
    LastUpdated: str | None
    Comments: str | None
    ActionClient: str | None
    Candidate: Candidate


class Caller(msgspec.Struct):
    user_id: int
    nickname: str
    now: datetime


async def caller(request: Request) -> Caller:
    now = common.now()
    user = await grants.user(request.headers.get("authorization"), now)
    if user is None:
        raise HTTPException(status_code=401,
                            detail="Authorization has been denied for this request.")
    return Caller(user[0], user[1], now)


def message(_: Request, exc: HTTPException) -> Response:
    return Response({"Message": exc.detail}, status_code=exc.status_code,
                    media_type=MediaType.JSON)


@get("/v1/PhoneChat/MadeBookingDetails", dependencies={"who": Provide(caller)})
async def made_booking_details(BookingID: int, who: Caller) -> MadeBooking:
    async with grants.pool.acquire() as c:
        row = await c.fetchrow(common.MADE_BOOKING, BookingID, who.user_id)
    if row is None:
        raise HTTPException(status_code=404,
                            detail="No PhoneChat booking was found with that BookingID.")
    v = common.view(row, who.now)
    v["Candidate"] = Candidate(**v["Candidate"])
    return MadeBooking(**v)


app = Litestar([made_booking_details], on_startup=[grants.open], on_shutdown=[grants.close],
               exception_handlers={HTTPException: message}, openapi_config=None)
