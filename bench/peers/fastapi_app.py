"""MadeBookingDetails on FastAPI + pydantic, written as such an app is usually written: a
response model, a query parameter, the token check as a dependency. Same SQL, same token
lookup, same bytes as phonechat (bench/run.py checks the bytes).

    uvicorn fastapi_app:app --app-dir bench/peers   (BENCH_DSN as for reference_app.py)
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

import common

grants = common.Grants()


@asynccontextmanager
async def lifespan(_: FastAPI):
    await grants.open()
    yield
    await grants.close()


app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)


class Candidate(BaseModel):
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


class MadeBooking(BaseModel):
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


class Caller(BaseModel):
    user_id: int
    nickname: str
    now: datetime


async def caller(authorization: Annotated[str | None, Header()] = None) -> Caller:
    now = common.now()
    user = await grants.user(authorization, now)
    if user is None:
        raise HTTPException(401, "Authorization has been denied for this request.")
    return Caller(user_id=user[0], nickname=user[1], now=now)


@app.exception_handler(HTTPException)
async def message(_, exc: HTTPException) -> JSONResponse:
    return JSONResponse({"Message": exc.detail}, status_code=exc.status_code)


@app.get("/v1/PhoneChat/MadeBookingDetails", response_model=MadeBooking)
async def made_booking_details(BookingID: Annotated[int, Query()],
                               who: Annotated[Caller, Depends(caller)]) -> MadeBooking:
    async with grants.pool.acquire() as c:
        row = await c.fetchrow(common.MADE_BOOKING, BookingID, who.user_id)
    if row is None:
        raise HTTPException(404, "No PhoneChat booking was found with that BookingID.")
    return MadeBooking(**common.view(row, who.now))
