"""Use cases about who is calling: tokens, group impersonation, the account endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.access import (
    INFORMATION, NICKNAME, SCOPES, USER_TYPES, Actor, Grant, token_hash,
)
from ..domain.errors import Forbidden, Unauthorized
from ..store import accounts
from ..store.db import Database
from .grant_cache import GrantCache

NOT_YOUR_MEMBER = "UserID is not a member of a group you manage."
EXPIRED = "The access token expired."


def remembered(cache: GrantCache | None, token: str, now: datetime) -> Grant | None:
    """The grant of a presented token if the cache holds it (see grant_cache), its expiry
    checked against `now` (Unauthorized once past); None: `authenticate` must look."""
    if cache is None:
        return None
    grant = cache.get(token_hash(token))
    if grant is not None and grant.expires_at <= now:
        raise Unauthorized(EXPIRED)
    return grant


async def authenticate(db: Database, token: str, now: datetime,
                       cache: GrantCache | None = None) -> Grant:
    """The grant of a presented token, looked up; Unauthorized if unknown, expired, revoked
    or disabled. Callers ask `remembered` first (without a coroutine); a grant found valid
    here is put in the cache. The lookup is always on the primary, never a read replica: a
    revocation must be seen as soon as it is announced.
    """
    key = token_hash(token)
    if cache is not None:
        generation = cache.generation
    async with db.connection() as conn:
        row = await accounts.token(conn, key)
    if row is None:
        raise Unauthorized("The access token is not known.")
    if row["expires_at"] <= now:
        raise Unauthorized(EXPIRED)
    if row["revoked_at"] is not None or row["app_disabled"]:
        raise Unauthorized("The access token was revoked.")
    grant = Grant(Actor(row["user_id"], row["nickname"]), frozenset(row["scopes"].split()),
                  row["expires_at"], row["application_id"])
    if cache is not None:
        cache.put(key, grant, generation)
    return grant


async def act_for_member(db: Database, manager: Actor, member_id: int) -> Actor:
    """The member a group manager acts as. The same refusal whether the member does not
    exist, is in another group, or the caller manages no group: nothing is revealed."""
    async with db.connection() as conn:
        row = await accounts.managed_member(conn, manager.id, member_id)
    if row is None:
        raise Forbidden(NOT_YOUR_MEMBER)
    return Actor(row["id"], row["nickname"], manager=manager)


async def verify_credentials(db: Database, grant: Grant, actor: Actor) -> dict[str, Any]:
    """UserID always; the rest only with its scope (the route leaves the others out).
    EmailAddress and IsAgeVerified's scope is not named by the original: account_information."""
    values: dict[str, Any] = {"UserID": actor.id}
    if NICKNAME in grant.scopes:
        values["Nickname"] = actor.nickname
    if INFORMATION not in grant.scopes:
        return values
    async with db.connection() as conn:
        info = await accounts.account_information(conn, actor.id)
        group = await accounts.user_group(conn, actor.id)
        if group is None:  # a manager need not be listed as a member of their own group
            group = await accounts.managed_group(conn, actor.id)
            is_manager = group is not None
        else:
            is_manager = group["manager_id"] == actor.id
    type_id = int(info["user_type_id"]) if info is not None else None
    return values | {
        "EmailAddress": info["email_address"] if info is not None else None,
        "IsAgeVerified": bool(info["is_age_verified"]) if info is not None else False,
        "GroupID": group["id"] if group else None,
        "GroupName": group["name"] if group else None,
        "IsGroupManager": is_manager,
        "UserTypeID": type_id,
        "UserType": USER_TYPES.get(type_id) if type_id is not None else None,
    }


def permissions(grant: Grant) -> dict[str, Any]:
    """The scopes granted to this token, in the catalogue's order (as the published sample)."""
    return {"Permissions": [
        {"Permission": scope, "Status": "granted"} for scope in SCOPES if scope in grant.scopes
    ]}
