"""Queries of the OAuth 2.0 authorization server: applications, logins, codes, refresh-token
chains, user grants and login failures. Every secret is looked up by its SHA-256 hash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam as p
from sqlalchemy.dialects import postgresql, sqlite

from .db import Conn, Query, Row
from .notify import announce_revocation
from .tables import access_tokens as t
from .tables import applications as a
from .tables import oauth_codes as c
from .tables import oauth_grants as g
from .tables import oauth_login_failures as f
from .tables import oauth_refresh_tokens as r
from .tables import oauth_server_keys as k
from .tables import users as u

# --- applications -----------------------------------------------------------------------

APP_BY_KEY = Query(
    sa.select(a.c.id, a.c.name, a.c.api_key, a.c.secret_hash, a.c.redirect_uri, a.c.disabled,
              a.c.public)
    .where(a.c.api_key == p("api_key"))
)
LIST_APPS = Query(
    sa.select(a.c.id, a.c.name, a.c.api_key, a.c.redirect_uri, a.c.disabled, a.c.created_at,
              a.c.public)
    .order_by(a.c.id)
)
INSERT_APP = Query(
    a.insert().values(name=p("name"), api_key=p("api_key"), secret_hash=p("secret_hash"),
                      redirect_uri=p("redirect_uri"), disabled=p("disabled"),
                      created_at=p("created_at"), public=p("public")).returning(a.c.id)
)
SET_SECRET = Query(a.update().where(a.c.api_key == p("api_key"), a.c.public.is_(sa.false()))
                   .values(secret_hash=p("secret_hash")))
SET_DISABLED = Query(a.update().where(a.c.api_key == p("api_key"))
                     .values(disabled=p("disabled")))


async def app_by_key(conn: Conn, api_key: str) -> Row | None:
    return await conn.fetchrow(APP_BY_KEY, api_key=api_key)


async def list_apps(conn: Conn) -> list[Row]:
    return list(await conn.fetch(LIST_APPS))


async def insert_app(conn: Conn, *, name: str, api_key: str, secret_hash: str,
                     redirect_uri: str, at: datetime, public: bool = False) -> int:
    return int(await conn.fetchval(INSERT_APP, name=name, api_key=api_key,
                                   secret_hash=secret_hash, redirect_uri=redirect_uri,
                                   disabled=False, created_at=at, public=public))


async def set_secret(conn: Conn, api_key: str, secret_hash: str) -> bool:
    return await conn.execute(SET_SECRET, api_key=api_key, secret_hash=secret_hash) > 0


async def set_disabled(conn: Conn, api_key: str, disabled: bool) -> bool:
    changed = await conn.execute(SET_DISABLED, api_key=api_key, disabled=disabled) > 0
    if changed and disabled:
        await announce_revocation(conn)
    return changed


# --- users who log in -------------------------------------------------------------------

USER_LOGIN = Query(sa.select(u.c.id, u.c.nickname, u.c.password_hash)
                   .where(u.c.nickname == p("nickname")))
USER_BY_ID = Query(sa.select(u.c.id, u.c.nickname).where(u.c.id == p("user_id")))
SET_PASSWORD = Query(u.update().where(u.c.id == p("user_id"))
                     .values(password_hash=p("password_hash")))


async def user_login(conn: Conn, nickname: str) -> Row | None:
    return await conn.fetchrow(USER_LOGIN, nickname=nickname)


async def user_by_id(conn: Conn, user_id: int) -> Row | None:
    return await conn.fetchrow(USER_BY_ID, user_id=user_id)


async def set_password(conn: Conn, user_id: int, password_hash: str) -> bool:
    return await conn.execute(SET_PASSWORD, user_id=user_id, password_hash=password_hash) > 0


# --- authorization codes ----------------------------------------------------------------

INSERT_CODE = Query(c.insert().values({col.name: p(col.name) for col in c.columns
                                       if col.name != "id"}))
# FOR UPDATE (PostgreSQL; SQLite's writer lock already serialises): two exchanges of one
# code cannot both see it unused.
CODE = Query(sa.select(c).where(c.c.code_hash == p("code_hash")).with_for_update())
USE_CODE = Query(c.update().where(c.c.id == p("id"), c.c.used_at.is_(None))
                 .values(used_at=p("at"), family=p("family")))


async def insert_code(conn: Conn, **values: Any) -> None:
    await conn.execute(INSERT_CODE, **values)


async def code(conn: Conn, code_hash: str) -> Row | None:
    return await conn.fetchrow(CODE, code_hash=code_hash)


async def use_code(conn: Conn, code_id: int, family: str | None, at: datetime) -> bool:
    return await conn.execute(USE_CODE, id=code_id, family=family, at=at) > 0


# --- access and refresh tokens ----------------------------------------------------------
# Every revocation below (and disabling an application) announces itself in its
# transaction, so cached grants are dropped in every worker once it commits (store/notify.py).

INSERT_REFRESH = Query(r.insert().values({col.name: p(col.name) for col in r.columns
                                          if col.name != "id"}))
REFRESH = Query(sa.select(r).where(r.c.token_hash == p("token_hash")).with_for_update())
ROTATE_REFRESH = Query(r.update().where(r.c.id == p("id"), r.c.rotated_at.is_(None))
                       .values(rotated_at=p("at")))
REVOKE_FAMILY_REFRESH = Query(r.update().where(r.c.family == p("family"),
                                               r.c.revoked_at.is_(None))
                              .values(revoked_at=p("at")))
REVOKE_FAMILY_ACCESS = Query(
    t.update().where(t.c.id.in_(sa.select(r.c.access_token_id)
                                .where(r.c.family == p("family"))),
                     t.c.revoked_at.is_(None))
    .values(revoked_at=p("at"))
)
REVOKE_ACCESS = Query(t.update().where(t.c.token_hash == p("token_hash"),
                                       t.c.application_id == p("application_id"),
                                       t.c.revoked_at.is_(None))
                      .values(revoked_at=p("at")))
REVOKE_USER_APP_ACCESS = Query(t.update().where(t.c.user_id == p("user_id"),
                                                t.c.application_id == p("application_id"),
                                                t.c.revoked_at.is_(None))
                               .values(revoked_at=p("at")))
REVOKE_USER_APP_REFRESH = Query(r.update().where(r.c.user_id == p("user_id"),
                                                 r.c.application_id == p("application_id"),
                                                 r.c.revoked_at.is_(None))
                                .values(revoked_at=p("at")))


async def insert_refresh(conn: Conn, **values: Any) -> None:
    await conn.execute(INSERT_REFRESH, **values)


async def refresh(conn: Conn, token_hash: str) -> Row | None:
    return await conn.fetchrow(REFRESH, token_hash=token_hash)


async def rotate_refresh(conn: Conn, refresh_id: int, at: datetime) -> bool:
    return await conn.execute(ROTATE_REFRESH, id=refresh_id, at=at) > 0


async def revoke_family(conn: Conn, family: str, at: datetime) -> None:
    """The whole chain: every refresh token of the family and the access tokens they came with."""
    await conn.execute(REVOKE_FAMILY_ACCESS, family=family, at=at)
    await conn.execute(REVOKE_FAMILY_REFRESH, family=family, at=at)
    await announce_revocation(conn)


async def revoke_access(conn: Conn, token_hash: str, application_id: int, at: datetime) -> bool:
    revoked = await conn.execute(REVOKE_ACCESS, token_hash=token_hash,
                                 application_id=application_id, at=at) > 0
    if revoked:
        await announce_revocation(conn)
    return revoked


async def revoke_user_app(conn: Conn, user_id: int, application_id: int, at: datetime, *,
                          refresh_tokens: bool) -> None:
    await conn.execute(REVOKE_USER_APP_ACCESS, user_id=user_id, application_id=application_id,
                       at=at)
    if refresh_tokens:
        await conn.execute(REVOKE_USER_APP_REFRESH, user_id=user_id,
                           application_id=application_id, at=at)
    await announce_revocation(conn)


# --- what a user has allowed an application ---------------------------------------------

GRANT = Query(sa.select(g.c.scopes).where(g.c.user_id == p("user_id"),
                                          g.c.application_id == p("application_id")))
INSERT_GRANT = Query(g.insert().values(user_id=p("user_id"), application_id=p("application_id"),
                                       scopes=p("scopes"), created_at=p("at"),
                                       updated_at=p("at")))
UPDATE_GRANT = Query(g.update().where(g.c.user_id == p("user_id"),
                                      g.c.application_id == p("application_id"))
                     .values(scopes=p("scopes"), updated_at=p("at")))
DELETE_GRANT = Query(g.delete().where(g.c.user_id == p("user_id"),
                                      g.c.application_id == p("application_id")))
USER_GRANTS = Query(
    sa.select(a.c.id, a.c.name, a.c.api_key, g.c.scopes, g.c.created_at, g.c.updated_at)
    .select_from(g.join(a, a.c.id == g.c.application_id))
    .where(g.c.user_id == p("user_id")).order_by(a.c.name, a.c.id)
)


async def grant(conn: Conn, user_id: int, application_id: int) -> str | None:
    return await conn.fetchval(GRANT, user_id=user_id, application_id=application_id)


async def save_grant(conn: Conn, user_id: int, application_id: int, scopes: str,
                     at: datetime) -> None:
    if await conn.execute(UPDATE_GRANT, user_id=user_id, application_id=application_id,
                          scopes=scopes, at=at) == 0:
        await conn.execute(INSERT_GRANT, user_id=user_id, application_id=application_id,
                           scopes=scopes, at=at)


async def delete_grant(conn: Conn, user_id: int, application_id: int) -> bool:
    return await conn.execute(DELETE_GRANT, user_id=user_id, application_id=application_id) > 0


async def user_grants(conn: Conn, user_id: int) -> list[Row]:
    return list(await conn.fetch(USER_GRANTS, user_id=user_id))


# --- login failures (rate limiting) -----------------------------------------------------
# Counting and recording an attempt is one step, serialised per key (PostgreSQL: an
# advisory lock for the transaction; SQLite: its single writer), so attempts arriving in
# parallel are judged one after another: no more than the limit ever get through.

COUNT_FAILURES = Query(sa.select(sa.func.count()).select_from(f)
                       .where(f.c.key == p("key"), f.c.at > p("since")))
INSERT_FAILURE = Query(f.insert().values(key=p("key"), at=p("at")).returning(f.c.id))
FORGET_OLD_FAILURES = Query(f.delete().where(f.c.key == p("key"), f.c.at <= p("before")))
FORGET_FAILURES = Query(f.delete().where(f.c.key == p("key")))
FORGET_ATTEMPT = Query(f.delete().where(f.c.id == p("id")))
LOCK_KEY = Query(sa.select(sa.func.pg_advisory_xact_lock(
    sa.func.hashtextextended(p("key"), 0))))


async def count_failures(conn: Conn, key: str, since: datetime) -> int:
    return int(await conn.fetchval(COUNT_FAILURES, key=key, since=since))


async def claim_attempts(conn: Conn, dialect: str, limits: dict[str, int], at: datetime,
                         window_start: datetime) -> list[int] | None:
    """Record one attempt under each key (a failure until taken back) and its row ids; or
    None, recording nothing, when a key already has its limit of failures in the window.
    Run it in a transaction of its own: the lock lasts until it commits."""
    keys = sorted(limits)  # one order for every caller: no deadlock
    if dialect == "postgresql":
        for key in keys:
            await conn.fetchval(LOCK_KEY, key=key)
    for key in keys:
        if await count_failures(conn, key, window_start) >= limits[key]:
            return None
    ids = []
    for key in keys:
        await conn.execute(FORGET_OLD_FAILURES, key=key, before=window_start)
        ids.append(int(await conn.fetchval(INSERT_FAILURE, key=key, at=at)))
    return ids


async def forget_attempt(conn: Conn, attempt_id: int) -> None:
    await conn.execute(FORGET_ATTEMPT, id=attempt_id)


async def forget_failures(conn: Conn, key: str) -> None:
    await conn.execute(FORGET_FAILURES, key=key)


# --- keys shared by all workers ---------------------------------------------------------

_KEY_VALUES = dict(name=p("name"), value=p("value"), created_at=p("at"))
# The first worker to ask makes the key; the others keep theirs out and read the winner's.
INSERT_KEY = {
    "postgresql": Query(postgresql.insert(k).values(**_KEY_VALUES).on_conflict_do_nothing()),
    "sqlite": Query(sqlite.insert(k).values(**_KEY_VALUES).on_conflict_do_nothing()),
}
KEY = Query(sa.select(k.c.value).where(k.c.name == p("name")))


async def server_key(conn: Conn, dialect: str, name: str, candidate: str, at: datetime) -> str:
    """The key called `name`, made from `candidate` if there is none yet."""
    await conn.execute(INSERT_KEY[dialect], name=name, value=candidate, at=at)
    return str(await conn.fetchval(KEY, name=name))
