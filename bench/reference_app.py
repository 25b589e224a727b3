"""The bare reference the benchmark compares phonechat with.

A plain ASGI callable on asyncpg: a fixed in-memory token table (no token lookup, no scope
check, no negotiation beyond one Accept test, no logging, no metrics), the same SQL as
phonechat and the same JSON (the bench checks the bodies are identical). What phonechat
does beyond this is the price of its features; the ratio in bench/RESULTS.md measures it.

Run by bench/run.py:  BENCH_DSN=... BENCH_CLIENTS=1000 uvicorn bench.reference_app:app
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import asyncpg
import orjson

DSN = os.environ.get("BENCH_DSN", "postgresql://postgres@127.0.0.1:5432/phonechat_bench")
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "1000"))
POOL_MAX = int(os.environ.get("BENCH_POOL_MAX", "10"))
ZONE = ZoneInfo(os.environ.get("PHONECHAT_TIMEZONE", "Europe/London"))

# The fixed token table: token -> (user id, nickname), as bench/seed.sql issues them.
TOKENS = {f"bench-{u}".encode(): (u, f"client{u}") for u in range(1, CLIENTS + 1)}

# --- the same SQL as phonechat (store/lifecycle.py, store/ledger.py, compiled for asyncpg;
# bench/run.py checks it is byte for byte the same) ---
# Both views select the booking, the other side's user and their settings.
MADE_VIEW = (
    'SELECT bookings.id, bookings.client_id, bookings.candidate_id, '
    'bookings.duration, bookings.credits, bookings.status, bookings.method, '
    'bookings.phone_number, bookings.skype_name, bookings.create_date, '
    'bookings.session_date, bookings.accept_by, bookings.accepted_date, '
    'bookings.confirmed_date, bookings.cancelled_date, '
    'bookings.cancelled_reason, bookings.cancelled_by, '
    'bookings.rejected_reason, bookings.last_updated, bookings.comments, '
    'bookings.deleted_by_client, bookings.deleted_by_candidate, '
    'bookings.session_end, bookings.reinvited_date, bookings.reinvite_reason, '
    'bookings.settled_date, users.nickname AS other_nickname, '
    'users.rating_positive, users.rating_neutral, users.rating_negative, '
    'users.disputes, phonechat_settings.phone_number AS other_phone_number, '
    'phonechat_settings.skype_name AS other_skype_name \nFROM bookings JOIN '
    'users ON users.id = bookings.candidate_id LEFT OUTER JOIN '
    'phonechat_settings ON phonechat_settings.user_id = users.id '
)
MADE_BOOKING = MADE_VIEW + (
    '\nWHERE bookings.id = $1::BIGINT AND bookings.client_id = $2::BIGINT AND '
    'bookings.deleted_by_client = false'
)
LOCK = (
    'SELECT bookings.id, bookings.client_id, bookings.candidate_id, '
    'bookings.duration, bookings.credits, bookings.status, bookings.method, '
    'bookings.phone_number, bookings.skype_name, bookings.create_date, '
    'bookings.session_date, bookings.accept_by, bookings.accepted_date, '
    'bookings.confirmed_date, bookings.cancelled_date, bookings.cancelled_reason, '
    'bookings.cancelled_by, bookings.rejected_reason, bookings.last_updated, '
    'bookings.comments, bookings.deleted_by_client, bookings.deleted_by_candidate, '
    'bookings.session_end, bookings.reinvited_date, bookings.reinvite_reason, '
    'bookings.settled_date \nFROM bookings \nWHERE bookings.id = $1::BIGINT FOR UPDATE'
)
MARK_CANCELLED = (
    'UPDATE bookings SET status=$1::VARCHAR, cancelled_date=$2::TIMESTAMP WITHOUT '
    'TIME ZONE, cancelled_reason=$3::VARCHAR, cancelled_by=$4::VARCHAR, '
    'last_updated=$2::TIMESTAMP WITHOUT TIME ZONE WHERE bookings.id = $5::BIGINT AND '
    'bookings.status = $6::VARCHAR'
)
INSERT_EVENT = (
    'INSERT INTO booking_events (type, created, booking_id, status, previous_status, '
    'by_user_id, by_nickname, on_behalf_of_user_id, reason, credits, client_id, candi'
    'date_id, only_user_id) SELECT $1::VARCHAR AS anon_1, $2::TIMESTAMP WITHOUT TIME '
    'ZONE AS anon_2, $3::BIGINT AS anon_3, $4::VARCHAR AS anon_4, $5::VARCHAR AS anon'
    '_5, $6::BIGINT AS anon_6, $7::VARCHAR AS anon_7, $8::BIGINT AS anon_8, $9::VARCH'
    'AR AS anon_9, $10::BIGINT AS anon_10, $11::BIGINT AS anon_11, $12::BIGINT AS ano'
    'n_12, $13::BIGINT AS anon_13 \nFROM (SELECT pg_advisory_xact_lock(1885892462) AS '
    'locked) AS event_order'
)
FIND_HOLD = ("SELECT credit_accounts.id, credit_accounts.balance \nFROM credit_accounts \n"
             "WHERE credit_accounts.kind = 'hold' AND credit_accounts.booking_id = $1::BIGINT "
             "FOR UPDATE")
FIND_USER_ACCOUNT = ("SELECT credit_accounts.id \nFROM credit_accounts \nWHERE "
                     "credit_accounts.kind = 'user' AND credit_accounts.user_id = $1::BIGINT")
DEBIT = ("UPDATE credit_accounts SET balance=(credit_accounts.balance - $1::BIGINT), "
         "entry_count=(credit_accounts.entry_count + 1) WHERE "
         "credit_accounts.id = $2::BIGINT AND (credit_accounts.kind = 'world' OR "
         "credit_accounts.balance >= $1::BIGINT) RETURNING credit_accounts.balance, "
         "credit_accounts.entry_count")
CREDIT = ("UPDATE credit_accounts SET balance=(credit_accounts.balance + $1::BIGINT), "
          "entry_count=(credit_accounts.entry_count + 1) WHERE "
          "credit_accounts.id = $2::BIGINT RETURNING credit_accounts.balance, "
          "credit_accounts.entry_count")
INSERT_TRANSFER = ("INSERT INTO ledger_transfers (booking_id, reason, created_at) VALUES "
                   "($1::BIGINT, $2::VARCHAR, $3::TIMESTAMP WITHOUT TIME ZONE) RETURNING "
                   "ledger_transfers.id")
INSERT_ENTRIES = ("INSERT INTO ledger_entries (transfer_id, account_id, amount, seq, "
                  "balance_after) VALUES ($1::BIGINT, $2::BIGINT, $3::BIGINT, $4::BIGINT, "
                  "$5::BIGINT), ($1, $6, $7, $8, $9)")
# MadeBookings: the count for PageCount, then the page (OrderBy date-desc, no StartDate).
COUNT_MADE = (
    'SELECT count(*) AS count_1 \nFROM bookings \nWHERE bookings.client_id = $1::BIGINT '
    'AND bookings.deleted_by_client = false AND bookings.create_date >= $2::TIMESTAMP '
    'WITHOUT TIME ZONE'
)
PAGE_MADE = MADE_VIEW + (
    'JOIN (SELECT bookings.id AS id \nFROM bookings \nWHERE bookings.client_id = $1::BIGINT '
    'AND bookings.deleted_by_client = false AND bookings.create_date >= $2::TIMESTAMP '
    'WITHOUT TIME ZONE ORDER BY bookings.create_date DESC, bookings.id DESC \n LIMIT $3 '
    'OFFSET $4) AS page ON page.id = bookings.id ORDER BY bookings.create_date DESC, '
    'bookings.id DESC'
)

# --- the same JSON ---------------------------------------------------------------------
_JSON = b"application/json; charset=utf-8"
_XML = b"application/xml; charset=utf-8"
_NOT_FOUND = b'{"Message":"No PhoneChat booking was found with that BookingID."}'
_UNAUTHORIZED = b'{"Message":"Authorization has been denied for this request."}'
_ACTIONS = {1: "You need to be available to take the call", 2: "You need to carry out the session",
            3: "You need to carry out the session on Skype"}
_SHOWN_BEFORE = timedelta(minutes=30)
_EVER = datetime(1, 1, 1)  # no StartDate


def _date(d: datetime | None) -> str | None:
    if d is None:
        return None
    s = d.isoformat()
    return s.rstrip("0") if d.microsecond else s


def _credits(units: int) -> int | float:
    whole, frac = divmod(units, 10_000)
    return whole if frac == 0 else units / 10_000


def _view(r: asyncpg.Record, now: datetime) -> dict:
    status, method = r["status"], r["method"]
    end = r["session_date"] + timedelta(minutes=r["duration"])
    if status == "Accepted":
        action = "You need to confirm the booking" if now < r["session_date"] else None
    elif status == "Confirmed":
        action = _ACTIONS[method] if now < end else None
    elif status == "Pending" and r["reinvited_date"] is not None and now >= r["session_date"]:
        action = "You need to reschedule the booking"
    else:
        action = None
    shown = status == "Confirmed" and r["session_date"] - _SHOWN_BEFORE <= now < end
    return {
        "BookingID": r["id"], "Duration": r["duration"], "Credits": _credits(r["credits"]),
        "Status": status, "Method": method, "PhoneNumber": r["phone_number"],
        "SkypeName": r["skype_name"], "CreateDate": _date(r["create_date"]),
        "SessionDate": _date(r["session_date"]), "AcceptBy": _date(r["accept_by"]),
        "AcceptedDate": _date(r["accepted_date"]), "ConfirmedDate": _date(r["confirmed_date"]),
        "CancelledDate": _date(r["cancelled_date"]), "CancelledReason": r["cancelled_reason"],
        "CancelledBy": r["cancelled_by"], "RejectedReason": r["rejected_reason"],
        "LastUpdated": _date(r["last_updated"]), "Comments": r["comments"],
        "ActionClient": action,
        "Candidate": {
            "UserID": r["candidate_id"], "Nickname": r["other_nickname"],
            "PhoneNumber": r["other_phone_number"] if shown and method == 2 else None,
            "SkypeName": r["other_skype_name"] if shown and method == 3 else None,
            "Total": r["rating_positive"] - r["rating_negative"],
            "Positive": r["rating_positive"], "Neutral": r["rating_neutral"],
            "Negative": r["rating_negative"],
            "Ratings": r["rating_positive"] + r["rating_neutral"] + r["rating_negative"],
            "Disputes": r["disputes"],
        },
    }


# --- the same XML (DataContract order and namespaces, one template) ----------------------
_NS = "http://schemas.datacontract.org/2004/07/API.Models."
_P = f' xmlns="{_NS}Profile"'


def _x(tag: str, v: object) -> str:
    if v is None:
        return f'<{tag} i:nil="true" />'
    s = str(v)
    if not s:
        return f"<{tag} />"
    if "&" in s or "<" in s or ">" in s:
        s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    close = tag.split(" ", 1)[0]
    return f"<{tag}>{s}</{close}>"


def _xml(v: dict, credits_units: int) -> bytes:
    c = v["Candidate"]
    whole, frac = divmod(credits_units, 10_000)
    return "".join((
        f'<MadeBooking xmlns:i="http://www.w3.org/2001/XMLSchema-instance" '
        f'xmlns="{_NS}PhoneChat.Bookings.Made">',
        _x("AcceptBy", v["AcceptBy"]), _x("AcceptedDate", v["AcceptedDate"]),
        _x("ActionClient", v["ActionClient"]), _x("BookingID", v["BookingID"]),
        _x("CancelledBy", v["CancelledBy"]), _x("CancelledDate", v["CancelledDate"]),
        _x("CancelledReason", v["CancelledReason"]),
        f'<Candidate xmlns:d4p1="{_NS}PhoneChat.Bookings">',
        _x("Disputes" + _P, c["Disputes"]), _x("Negative" + _P, c["Negative"]),
        _x("Neutral" + _P, c["Neutral"]), _x("Positive" + _P, c["Positive"]),
        _x("Ratings" + _P, c["Ratings"]), _x("Total" + _P, c["Total"]),
        _x("d4p1:Nickname", c["Nickname"]), _x("d4p1:PhoneNumber", c["PhoneNumber"]),
        _x("d4p1:SkypeName", c["SkypeName"]), _x("d4p1:UserID", c["UserID"]),
        "</Candidate>",
        _x("Comments", v["Comments"]), _x("ConfirmedDate", v["ConfirmedDate"]),
        _x("CreateDate", v["CreateDate"]), _x("Credits", f"{whole}.{frac:04d}"),
        _x("Duration", v["Duration"]), _x("LastUpdated", v["LastUpdated"]),
        _x("Method", v["Method"]), _x("PhoneNumber", v["PhoneNumber"]),
        _x("RejectedReason", v["RejectedReason"]), _x("SessionDate", v["SessionDate"]),
        _x("SkypeName", v["SkypeName"]), _x("Status", v["Status"]),
        "</MadeBooking>",
    )).encode()


# --- the ASGI app ------------------------------------------------------------------------
class _Connection(asyncpg.Connection):
    def get_reset_query(self) -> str:  # as phonechat: no per-release reset
        return ""


pool: asyncpg.Pool | None = None


async def _send(send, status: int, body: bytes, ctype: bytes = _JSON) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        global pool
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                pool = await asyncpg.create_pool(DSN, min_size=2, max_size=POOL_MAX,
                                                 connection_class=_Connection)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    headers = dict(scope["headers"])
    auth = headers.get(b"authorization", b"")
    user = TOKENS.get(auth[7:]) if auth[:7].lower() == b"bearer " else None
    if user is None:
        return await _send(send, 401, _UNAUTHORIZED)
    path = scope["path"].lower()
    now = datetime.now(ZONE).replace(tzinfo=None)
    if path == "/v1/phonechat/madebookingdetails":
        q = dict(parse_qsl(scope["query_string"].decode()))
        async with pool.acquire() as c:
            r = await c.fetchrow(MADE_BOOKING, int(q["BookingID"]), user[0])
        if r is None:
            return await _send(send, 404, _NOT_FOUND)
        v = _view(r, now)
        if b"xml" in headers.get(b"accept", b""):
            return await _send(send, 200, _xml(v, r["credits"]), _XML)
        return await _send(send, 200, orjson.dumps(v))
    if path == "/v1/phonechat/madebookings":
        q = dict(parse_qsl(scope["query_string"].decode()))
        size = int(q.get("BookingsPerPage", 50))
        page = int(q.get("PageNumber", 1))
        offset = (page - 1) * size
        async with pool.acquire() as c:
            total = await c.fetchval(COUNT_MADE, user[0], _EVER)
            rows = await c.fetch(PAGE_MADE, user[0], _EVER, size, offset) if offset < total else []
        body = {"PageCount": -(-total // size), "PageNumber": page, "PageSize": size,
                "Bookings": [_view(r, now) for r in rows]}
        return await _send(send, 200, orjson.dumps(body))
    if path == "/v1/phonechat/cancelmadebooking":
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        data = orjson.loads(b"".join(chunks))
        booking_id, reason = int(data["BookingID"]), data["Reason"]
        async with pool.acquire() as c, c.transaction():
            row = await c.fetchrow(LOCK, booking_id)
            if row is None or row["client_id"] != user[0] or row["deleted_by_client"]:
                return await _send(send, 404, _NOT_FOUND)
            if row["status"] in ("Cancelled", "Rejected"):
                return await _send(send, 400, _NOT_FOUND)
            await c.execute(MARK_CANCELLED, "Cancelled", now, reason, user[1], booking_id,
                            row["status"])
            hold = await c.fetchrow(FIND_HOLD, booking_id)
            moved = None
            if hold is not None and hold["balance"]:
                amount = hold["balance"]
                to = await c.fetchval(FIND_USER_ACCOUNT, user[0])
                debited = await c.fetchrow(DEBIT, amount, hold["id"])
                credited = await c.fetchrow(CREDIT, amount, to)
                tid = await c.fetchval(INSERT_TRANSFER, booking_id, "cancelled", now)
                await c.execute(INSERT_ENTRIES, tid, hold["id"], -amount,
                                debited["entry_count"], debited["balance"], to, amount,
                                credited["entry_count"], credited["balance"])
                moved = amount
            await c.execute(INSERT_EVENT, "booking.cancelled", now, booking_id, "Cancelled",
                            row["status"], user[0], user[1], None, reason, moved,
                            row["client_id"], row["candidate_id"], None)
            r = await c.fetchrow(MADE_BOOKING, booking_id, user[0])
        return await _send(send, 200, orjson.dumps(_view(r, now)))
    return await _send(send, 404, b'{"Message":"No such route."}')
