"""The sandbox's demo data: deterministic users, tokens and bookings in every state.

Every booking is placed relative to the clock at seeding time, so that each is in the
state the manifest promises whenever the sandbox starts. Bookings 1 and 2 are the reference
samples: seeded at the samples' moment (SAMPLE_MOMENT, `--clock 2018-01-21T14:00:00`) they
carry the samples' exact values; at any other start, the same booking shifted in time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from .api.representation import credits_json
from .domain.access import PHONECHAT, SCOPES, token_hash
from .domain.credits import to_units
from .oauth.passwords import hash_password
from .services import booking_settings
from .store import accounts, bookings, ledger
from .store import oauth as oauth_store
from .store.db import Database

ALL_SCOPES = " ".join(SCOPES)

# role -> (UserID, Nickname, ratings (positive, neutral, negative, disputes), token)
USERS: dict[str, tuple[int, str, tuple[int, int, int, int], str]] = {
    "client": (100, "BookingUser", (12, 1, 0, 0), "sandbox-client"),
    "candidate": (123456, "BookedUser", (7, 0, 1, 0), "sandbox-candidate"),
    "manager": (300, "GroupManager", (3, 0, 0, 0), "sandbox-manager"),
    "member": (301, "GroupMember", (5, 2, 0, 1), "sandbox-member"),
    "outsider": (400, "Outsider", (0, 0, 0, 0), "sandbox-outsider"),
}
# role -> VerifyCredentials' account information (EmailAddress, IsAgeVerified, UserTypeID)
ACCOUNT_INFORMATION: dict[str, tuple[str | None, bool, int]] = {
    "client": ("bookinguser@example.com", True, 2),
    "candidate": ("bookeduser@example.com", True, 1),
    "manager": ("groupmanager@example.com", True, 1),
    "member": ("groupmember@example.com", True, 1),
    "outsider": (None, False, 2),
}
TOKEN_WITHOUT_PHONECHAT = "sandbox-client-without-phonechat"
TOKEN_EXPIRED = "sandbox-client-expired"
GROUP = (10, "Demo Agency")

# Every sandbox user logs in on the OAuth login page with their Nickname and this password.
PASSWORD = "sandbox"
# The registered demo application (docs/oauth.md walks through its flow).
DEMO_APP = {
    "name": "Sandbox Demo App",
    "client_id": "sandbox-demo-app",
    "client_secret": "sandbox-demo-secret",
    "redirect_uri": "http://127.0.0.1:8765/callback",
}

# PhoneChat settings (GetSettings' members as columns): the candidate takes every Method;
# the member offers DirectChat only, so a client cannot book them (the published rule).
SETTINGS: dict[str, dict[str, Any]] = {
    "candidate": dict(offer_direct_chat=False, direct_chat_only=False,
                      phone_number="+447700900123", show_phone_chat_number=False,
                      price_per_minute=to_units("0.5"), takes_bookings=True,
                      method_performer_calls=True, method_client_calls=True,
                      method_skype=True, skype_name="booked.user"),
    "member": dict(offer_direct_chat=True, direct_chat_only=True, phone_number=None,
                   show_phone_chat_number=False, price_per_minute=to_units(1),
                   takes_bookings=True, method_performer_calls=True,
                   method_client_calls=False, method_skype=False, skype_name=None),
}

BOOKING_IDS = {
    "sample_details": 1, "sample_cancel": 2, "pending": 3, "accepted": 4, "rejected": 5,
    "confirmed_future": 6, "confirmed_past": 7, "cancelled": 8, "member_pending": 9,
    "reinvited": 10,
}
# The moment of the MadeBookingDetails sample: seeded at it, bookings 1 and 2 are the
# samples exactly.
SAMPLE_MOMENT = datetime(2018, 1, 21, 14, 0, 0)

SAMPLE_COMMENT = "Hi, I had a great time last weekend, I want to do it again tonight!"


def _d(s: str) -> datetime:
    return datetime.fromisoformat(s)


def _bookings(now: datetime) -> list[dict[str, Any]]:
    client, candidate = USERS["client"][0], USERS["candidate"][0]
    t = now.replace(second=0, microsecond=0)
    day, hour = timedelta(days=1), timedelta(hours=1)
    shift = t - SAMPLE_MOMENT

    def sample(s: str) -> datetime:  # a sample's date, shifted to this start
        return datetime.fromisoformat(s) + shift

    base = dict(client_id=client, candidate_id=candidate, phone_number=None, skype_name=None,
                accepted_date=None, confirmed_date=None, cancelled_date=None,
                cancelled_reason=None, cancelled_by=None, rejected_reason=None, comments=None)
    return [
        # The MadeBookingDetails sample.
        {**base, "id": 1, "duration": 15, "credits": to_units(8), "status": "Confirmed",
         "method": 2, "create_date": sample("2018-01-20T12:34:56.789"),
         "session_date": sample("2018-01-22T21:30:00"), "accept_by": sample("2018-01-22T00:00:00"),
         "accepted_date": sample("2018-01-21T12:48:13.412"),
         "confirmed_date": sample("2018-01-21T13:24:05.987"),
         "last_updated": sample("2018-01-21T13:24:05.987")},
        # The CancelMadeBooking sample, before it is cancelled.
        {**base, "id": 2, "duration": 15, "credits": to_units(8), "status": "Pending",
         "method": 1, "phone_number": "44...", "create_date": sample("2018-01-20T12:34:56.789"),
         "session_date": sample("2018-01-22T21:30:00"), "accept_by": sample("2018-01-22T00:00:00"),
         "last_updated": sample("2018-01-21T13:24:05.987"), "comments": SAMPLE_COMMENT},
        {**base, "id": 3, "duration": 15, "credits": to_units(10), "status": "Pending",
         "method": 3, "skype_name": "booking.user", "create_date": t - hour,
         "session_date": t + 3 * day, "accept_by": t + 2 * day, "last_updated": t - hour,
         "comments": "Looking forward to it."},
        {**base, "id": 4, "duration": 20, "credits": to_units("12.5"), "status": "Accepted",
         "method": 1, "phone_number": "07700900456", "create_date": t - 2 * day,
         "session_date": t + 2 * day, "accept_by": t + day, "accepted_date": t - day,
         "last_updated": t - day},
        {**base, "id": 5, "duration": 10, "credits": to_units(6), "status": "Rejected",
         "method": 2, "create_date": t - 3 * day, "session_date": t + 4 * day,
         "accept_by": t + 3 * day, "rejected_reason": "Sorry, I am away that week.",
         "last_updated": t - 2 * day},
        {**base, "id": 6, "duration": 30, "credits": to_units(15), "status": "Confirmed",
         "method": 2, "create_date": t - 3 * day, "session_date": t + day,
         "accept_by": t + 12 * hour, "accepted_date": t - 2 * day,
         "confirmed_date": t - 2 * day + hour, "last_updated": t - 2 * day + hour},
        {**base, "id": 7, "duration": 30, "credits": to_units(20), "status": "Confirmed",
         "method": 3, "skype_name": "booking.user", "create_date": t - 6 * day,
         "session_date": t - 2 * day, "accept_by": t - 3 * day, "accepted_date": t - 5 * day,
         "confirmed_date": t - 5 * day + hour, "last_updated": t - 5 * day + hour},
        {**base, "id": 8, "duration": 15, "credits": to_units(9), "status": "Cancelled",
         "method": 2, "create_date": t - 4 * day, "session_date": t + 2 * day,
         "accept_by": t + day, "cancelled_date": t - day, "cancelled_reason": "Plans changed.",
         "cancelled_by": USERS["client"][1], "last_updated": t - day},
        {**base, "id": 9, "client_id": USERS["member"][0], "duration": 15,
         "credits": to_units(10), "status": "Pending", "method": 2,
         "create_date": t - 2 * hour, "session_date": t + 2 * day, "accept_by": t + day,
         "last_updated": t - 2 * hour},
        # Its session missed two hours ago while Pending; the booked user re-invited the
        # client an hour ago (ReInvite rejects it with the reason): to reschedule.
        {**base, "id": 10, "duration": 20, "credits": to_units(12), "status": "Rejected",
         "method": 2, "create_date": t - 3 * day, "session_date": t - 2 * hour,
         "accept_by": t - day, "reinvited_date": t - hour,
         "rejected_reason": "Sorry I missed it: pick a new time?", "last_updated": t - hour},
    ]


@lru_cache(maxsize=1)
def _password_hash() -> str:
    """One Argon2id hash of the public sandbox password, made once per process (hashing is
    deliberately slow, and the tests seed often)."""
    return hash_password(PASSWORD)


async def seed(db: Database, now: datetime, *, wipe: bool = False) -> None:
    """Fill an empty, migrated database with the demo data (one transaction); `wipe`
    first deletes every row there is (POST /v1/Sandbox/Reset)."""
    far = now.replace(microsecond=0) + timedelta(days=3650)
    password_hash = _password_hash()
    async with db.transaction() as tx:
        if wipe:
            await _wipe(tx)
        for role, (uid, nickname, (pos, neu, neg, dis), _) in USERS.items():
            email, age_verified, user_type = ACCOUNT_INFORMATION[role]
            await accounts.insert_user(tx, id=uid, nickname=nickname, at=now, positive=pos,
                                       neutral=neu, negative=neg, disputes=dis,
                                       password_hash=password_hash, email_address=email,
                                       is_age_verified=age_verified, user_type_id=user_type)
        await oauth_store.insert_app(
            tx, name=DEMO_APP["name"], api_key=DEMO_APP["client_id"],
            secret_hash=token_hash(DEMO_APP["client_secret"]),
            redirect_uri=DEMO_APP["redirect_uri"], at=now)
        await accounts.insert_group(tx, id=GROUP[0], name=GROUP[1],
                                    manager_id=USERS["manager"][0])
        for role in ("manager", "member"):
            await accounts.insert_member(tx, user_id=USERS[role][0], group_id=GROUP[0])
        for role, values in SETTINGS.items():
            await accounts.insert_settings(tx, user_id=USERS[role][0], **values)
        for uid, _, _, token in USERS.values():
            await accounts.insert_token(tx, token_hash=token_hash(token), user_id=uid,
                                        scopes=ALL_SCOPES, expires_at=far, at=now)
        client_id = USERS["client"][0]
        await accounts.insert_token(tx, token_hash=token_hash(TOKEN_WITHOUT_PHONECHAT),
                                    user_id=client_id,
                                    scopes=" ".join(s for s in SCOPES if s != PHONECHAT),
                                    expires_at=far, at=now)
        await accounts.insert_token(tx, token_hash=token_hash(TOKEN_EXPIRED), user_id=client_id,
                                    scopes=ALL_SCOPES, expires_at=_d("2000-01-01T00:00:00"),
                                    at=now)
        # Deposited before any booking's credits were held, so that the credit history's
        # order (the order written) is also the order of TransactionDate.
        deposited = now.replace(second=0, microsecond=0) - timedelta(days=7)
        for role, credits in (("client", 500), ("member", 200)):
            await ledger.deposit(tx, user_id=USERS[role][0], amount=to_units(credits),
                                 reason="sandbox deposit", at=deposited)
        for b in _bookings(now):
            await bookings.insert_booking(tx, **b)
        # A confirmed booking's credits are held, in the order the bookings were confirmed.
        confirmed = [b for b in _bookings(now) if b["status"] == "Confirmed"]
        for b in sorted(confirmed, key=lambda b: b["confirmed_date"]):
            await ledger.hold(tx, booking_id=b["id"], from_user_id=b["client_id"],
                              amount=b["credits"], reason="confirmed", at=b["confirmed_date"])
    if db.dialect == "postgresql":
        await _advance_identities(db)


async def _wipe(tx: Any) -> None:
    """Delete every row of every table (children first), but the server's keys: the login
    cookies' signing key is kept, as a restart would keep it."""
    from .store.db import Query
    from .store.tables import metadata, oauth_server_keys

    for table in reversed(metadata.sorted_tables):
        if table is not oauth_server_keys:
            await tx.execute(Query(table.delete()))


async def _advance_identities(db: Database) -> None:
    """Explicit IDs were inserted: move PostgreSQL's identity sequences past them."""
    from sqlalchemy import text

    from .store.db import Query

    async with db.transaction() as tx:
        for table in ("users", "groups", "bookings"):
            await tx.fetchval(Query(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))")))


def manifest() -> dict[str, Any]:
    """What an app developer needs to call the sandbox."""
    return {
        "users": {role: {"UserID": uid, "Nickname": nick, "AccessToken": token}
                  for role, (uid, nick, _, token) in USERS.items()},
        "tokens": {"client_without_phonechat_scope": TOKEN_WITHOUT_PHONECHAT,
                   "client_expired": TOKEN_EXPIRED},
        "bookings": dict(BOOKING_IDS),
        "password": PASSWORD,
        "app": {k: DEMO_APP[k] for k in ("client_id", "client_secret", "redirect_uri")},
        # Every booking above is made of the candidate: their token sees the received side.
        "received_side": {
            "candidate_token": USERS["candidate"][3],
            "to_accept_or_reject": [BOOKING_IDS["pending"], BOOKING_IDS["member_pending"]],
            "past_accept_by_cancel_sample": BOOKING_IDS["sample_cancel"],
            "to_cancel": [BOOKING_IDS["accepted"], BOOKING_IDS["confirmed_future"]],
            "to_delete": [BOOKING_IDS["rejected"], BOOKING_IDS["cancelled"]],
            "settled_by_the_worker": BOOKING_IDS["confirmed_past"],
        },
        "made_side": {
            "to_confirm": BOOKING_IDS["accepted"],
            "to_reschedule": BOOKING_IDS["reinvited"],
            "book_user_id": USERS["candidate"][0],
            # GetUserBookingRequirements / CreateBooking refuse these BookUserIDs.
            "not_bookable": {"direct_chat_only": USERS["member"][0],
                             "no_phonechat": USERS["outsider"][0]},
        },
        # What GetSettings answers each of them at start (PhoneChatPPM in credits).
        "settings": {role: {**view, "PhoneChatPPM": credits_json(view["PhoneChatPPM"])}
                     for role, view in ((r, booking_settings.row_view(v))
                                        for r, v in SETTINGS.items())},
    }
