"""Use cases about who is calling: tokens, group impersonation, the account endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.access import SCOPES, Actor, Grant, token_hash
from ..domain.errors import Forbidden, Unauthorized
from ..store import accounts
from ..store.db import Database

NOT_YOUR_MEMBER = "UserID is not a member of a group you manage."


async def authenticate(db: Database, token: str, now: datetime) -> Grant:
    """The grant of a presented token; Unauthorized if unknown, expired, revoked or disabled."""
    async with db.connection() as conn:
        row = await accounts.token(conn, token_hash(token))
    if (row is None or row["expires_at"] <= now or row["revoked_at"] is not None
            or row["app_disabled"]):
        raise Unauthorized()
    return Grant(Actor(row["user_id"], row["nickname"]), frozenset(row["scopes"].split()),
                 row["expires_at"], row["application_id"])


async def act_for_member(db: Database, manager: Actor, member_id: int) -> Actor:
    """The member a group manager acts as. The same refusal whether the member does not
    exist, is in another group, or the caller manages no group: nothing is revealed."""
    async with db.connection() as conn:
        row = await accounts.managed_member(conn, manager.id, member_id)
    if row is None:
        raise Forbidden(NOT_YOUR_MEMBER)
    return Actor(row["id"], row["nickname"])


async def verify_credentials(db: Database, actor: Actor) -> dict[str, Any]:
    async with db.connection() as conn:
        group = await accounts.user_group(conn, actor.id)
        if group is None:  # a manager need not be listed as a member of their own group
            group = await accounts.managed_group(conn, actor.id)
            is_manager = group is not None
        else:
            is_manager = group["manager_id"] == actor.id
    return {
        "UserID": actor.id, "Nickname": actor.nickname,
        "GroupID": group["id"] if group else None,
        "GroupName": group["name"] if group else None,
        "IsGroupManager": is_manager,
    }


def permissions(grant: Grant) -> dict[str, Any]:
    """Every scope of the catalogue, granted or not to this token."""
    return {"Permissions": [
        {"Permission": scope, "Status": "granted" if scope in grant.scopes else "denied"}
        for scope in SCOPES
    ]}
