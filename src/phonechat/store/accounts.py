"""Queries on users, groups, settings and access tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam as p

from . import ledger
from .db import Conn, Query, Row
from .tables import access_tokens as t
from .tables import applications as a
from .tables import group_members as gm
from .tables import groups as g
from .tables import phonechat_settings as s
from .tables import users as u

# One round trip per request: the token, its user and whether its application is enabled.
TOKEN = Query(
    sa.select(t.c.user_id, t.c.scopes, t.c.expires_at, t.c.revoked_at, u.c.nickname,
              t.c.application_id,
              sa.func.coalesce(a.c.disabled, sa.false()).label("app_disabled"))
    .select_from(t.join(u, u.c.id == t.c.user_id).outerjoin(a, a.c.id == t.c.application_id))
    .where(t.c.token_hash == p("token_hash"))
)

# The member as seen by a manager: only if the member is in the group this user manages.
MANAGED_MEMBER = Query(
    sa.select(u.c.id, u.c.nickname)
    .select_from(u.join(gm, gm.c.user_id == u.c.id).join(g, g.c.id == gm.c.group_id))
    .where(g.c.manager_id == p("manager_id"), u.c.id == p("member_id"))
)

USER_GROUP = Query(
    sa.select(g.c.id, g.c.name, g.c.manager_id)
    .select_from(gm.join(g, g.c.id == gm.c.group_id))
    .where(gm.c.user_id == p("user_id"))
)

MANAGED_GROUP = Query(sa.select(g.c.id, g.c.name).where(g.c.manager_id == p("user_id")))

ACCOUNT_INFORMATION = Query(
    sa.select(u.c.email_address, u.c.is_age_verified, u.c.user_type_id)
    .where(u.c.id == p("user_id"))
)

INSERT_USER = Query(u.insert().values({c.name: p(c.name) for c in u.columns}))
INSERT_GROUP = Query(g.insert().values(id=p("id"), name=p("name"), manager_id=p("manager_id")))
INSERT_MEMBER = Query(gm.insert().values(user_id=p("user_id"), group_id=p("group_id")))
INSERT_SETTINGS = Query(s.insert().values({c.name: p(c.name) for c in s.columns}))
INSERT_TOKEN = Query(
    t.insert().values({c.name: p(c.name) for c in t.columns if c.name != "id"}).returning(t.c.id)
)


async def token(conn: Conn, token_hash: str) -> Row | None:
    return await conn.fetchrow(TOKEN, token_hash=token_hash)


async def managed_member(conn: Conn, manager_id: int, member_id: int) -> Row | None:
    return await conn.fetchrow(MANAGED_MEMBER, manager_id=manager_id, member_id=member_id)


async def user_group(conn: Conn, user_id: int) -> Row | None:
    return await conn.fetchrow(USER_GROUP, user_id=user_id)


async def managed_group(conn: Conn, user_id: int) -> Row | None:
    return await conn.fetchrow(MANAGED_GROUP, user_id=user_id)


async def account_information(conn: Conn, user_id: int) -> Row | None:
    return await conn.fetchrow(ACCOUNT_INFORMATION, user_id=user_id)


async def insert_user(conn: Conn, *, id: int, nickname: str, at: datetime,
                      positive: int = 0, neutral: int = 0, negative: int = 0,
                      disputes: int = 0, password_hash: str | None = None,
                      email_address: str | None = None, is_age_verified: bool = False,
                      user_type_id: int = 2) -> None:
    await conn.execute(INSERT_USER, id=id, nickname=nickname, rating_positive=positive,
                       rating_neutral=neutral, rating_negative=negative, disputes=disputes,
                       password_hash=password_hash, created_at=at,
                       email_address=email_address, is_age_verified=is_age_verified,
                       user_type_id=user_type_id)
    # The user's credits account is made with the user, so that two first spends at the
    # same moment never race to create it.
    await ledger.user_account(conn, id)


async def insert_group(conn: Conn, *, id: int, name: str, manager_id: int) -> None:
    await conn.execute(INSERT_GROUP, id=id, name=name, manager_id=manager_id)


async def insert_member(conn: Conn, *, user_id: int, group_id: int) -> None:
    await conn.execute(INSERT_MEMBER, user_id=user_id, group_id=group_id)


async def insert_settings(conn: Conn, **fields: Any) -> None:
    await conn.execute(INSERT_SETTINGS, **fields)


async def insert_token(conn: Conn, *, token_hash: str, user_id: int, scopes: str,
                       expires_at: datetime, at: datetime,
                       application_id: int | None = None) -> int:
    return int(await conn.fetchval(
        INSERT_TOKEN, token_hash=token_hash, user_id=user_id, application_id=application_id,
        scopes=scopes, expires_at=expires_at, created_at=at, revoked_at=None))
