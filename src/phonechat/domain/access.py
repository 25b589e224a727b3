"""Who is acting: the token's user, the scopes granted, and the scope catalogue."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

PHONECHAT = "account_phonechat_bookings"
INFORMATION = "account_information"
CREDITS_HISTORY = "account_credits_history"

# Every scope an app can ask for, with the plain words the consent page shows.
SCOPES: dict[str, str] = {
    PHONECHAT: "See and manage your PhoneChat bookings, made and received",
    INFORMATION: "See your account information (nickname, group)",
    CREDITS_HISTORY: "See your credits history",
}


@dataclass(frozen=True, slots=True)
class Actor:
    """The user a request acts as (a group manager acting for a member: the member)."""

    id: int
    nickname: str


@dataclass(frozen=True, slots=True)
class Grant:
    """What a presented access token stands for."""

    user: Actor
    scopes: frozenset[str]
    expires_at: datetime
    application_id: int | None = None  # the OAuth client it was issued to (rate limits)


def token_hash(token: str) -> str:
    """Tokens are high-entropy random strings, so a fast unsalted SHA-256 is the right hash:
    it is what we store and look up; the token itself is never stored."""
    return hashlib.sha256(token.encode()).hexdigest()
