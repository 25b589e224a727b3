"""Who is acting: the token's user, the scopes granted, and the scope catalogue."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

PHONECHAT = "account_phonechat_bookings"
INFORMATION = "account_information"
CREDITS_HISTORY = "account_credits_history"
USERID = "userid"
NICKNAME = "nickname"

# The original's published scope catalogue (every name its pages use; see README, "Scopes"),
# with the plain words the consent page shows. GetPermissions lists granted scopes in this
# order, which begins as the published sample does (userid, nickname, profile_about).
SCOPES: dict[str, str] = {
    USERID: "Know your UserID",
    NICKNAME: "Know your nickname",
    "profile_about": "See your profile's About You",
    INFORMATION: "See your account information (email address, age verification, group, user type)",
    PHONECHAT: "See and manage your PhoneChat bookings, made and received",
    CREDITS_HISTORY: "See your credits balance and history",
    "account_escort_bookings": "See and manage your escort bookings",
    "account_webcam_bookings": "See and manage your webcam and DirectCam bookings",
    "account_communications": "See and manage your emails",
    "profile_hotlist": "See and manage your hotlists",
    "profile_blacklist": "See and manage your blacklist",
    "profile_services": "See and change the services you offer",
    "profile_gallery": "See and manage your picture galleries",
}

# The scopes whose endpoints this service serves (or whose members VerifyCredentials shows).
# The others may be asked for and granted: harmless here, and the consent page says so.
SERVED: frozenset[str] = frozenset({USERID, NICKNAME, INFORMATION, PHONECHAT, CREDITS_HISTORY})

# VerifyCredentials' UserTypeID / UserType ("Offering or Seeking services", as published;
# the numbers and words are reconstructed).
USER_TYPES: dict[int, str] = {1: "Offering Services", 2: "Seeking Services"}


@dataclass(frozen=True, slots=True)
class Actor:
    """The user a request acts as (a group manager acting for a member: the member)."""

    id: int
    nickname: str
    manager: "Actor | None" = None  # the group manager acting for this member, if one is


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
