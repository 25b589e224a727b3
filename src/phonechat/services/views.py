"""Booking rows -> the values of the API's contracts, as of `now`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.bookings import Booking, Method, Status, action_client, candidate_contact_shown
from ..domain.lifecycle import action_candidate
from ..domain.ratings import Ratings
from ..store.db import Row


# Stored value -> enum member by plain dict lookup: calling Status(...) / Method(...) goes
# through EnumMeta.__call__, a microsecond each, on every booking of every answer.
_STATUS = {s.value: s for s in Status}
_METHOD = {m.value: m for m in Method}


def booking_rules_view(row: Row) -> Booking:
    """The part of a row the rules need."""
    return Booking(
        id=row["id"], status=_STATUS[row["status"]], method=_METHOD[row["method"]],
        session_date=row["session_date"], duration=row["duration"], accept_by=row["accept_by"],
        credits=row["credits"], reinvited_at=row["reinvited_date"],
        settled=row["settled_date"] is not None,
        deleted_by_candidate=bool(row["deleted_by_candidate"]),
    )


def _common(row: Row) -> dict[str, Any]:
    return {
        "BookingID": row["id"],
        "Duration": row["duration"],
        "Credits": row["credits"],
        "Status": row["status"],
        "Method": row["method"],
        "PhoneNumber": row["phone_number"],
        "SkypeName": row["skype_name"],
        "CreateDate": row["create_date"],
        "SessionDate": row["session_date"],
        "AcceptBy": row["accept_by"],
        "AcceptedDate": row["accepted_date"],
        "ConfirmedDate": row["confirmed_date"],
        "CancelledDate": row["cancelled_date"],
        "CancelledReason": row["cancelled_reason"],
        "CancelledBy": row["cancelled_by"],
        "RejectedReason": row["rejected_reason"],
        "LastUpdated": row["last_updated"],
        "Comments": row["comments"],
    }


def _user(row: Row, user_id: int, phone: str | None, skype: str | None) -> dict[str, Any]:
    r = Ratings(row["rating_positive"], row["rating_neutral"], row["rating_negative"],
                row["disputes"])
    return {
        "UserID": user_id, "Nickname": row["other_nickname"],
        "PhoneNumber": phone, "SkypeName": skype,
        "Total": r.total, "Positive": r.positive, "Neutral": r.neutral,
        "Negative": r.negative, "Ratings": r.count, "Disputes": r.disputes,
    }


def made_booking(row: Row, now: datetime) -> dict[str, Any]:
    """MadeBooking: the booking as its client sees it."""
    b = booking_rules_view(row)
    shown = candidate_contact_shown(b, now)
    view = _common(row)
    view["ActionClient"] = action_client(b, now)
    view["Candidate"] = _user(
        row, row["candidate_id"],
        row["other_phone_number"] if shown and b.method is Method.CLIENT_CALLS else None,
        row["other_skype_name"] if shown and b.method is Method.SKYPE else None,
    )
    return view


def received_booking(row: Row, now: datetime) -> dict[str, Any]:
    """ReceivedBooking: the booking as the booked user sees it (the client in place of
    Candidate; the client's number or Skype name is the booking's own PhoneNumber or
    SkypeName, so the Client's are null)."""
    view = _common(row)
    view["ActionCandidate"] = action_candidate(booking_rules_view(row), now)
    view["Client"] = _user(row, row["client_id"], None, None)
    return view
