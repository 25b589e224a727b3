"""Use cases of the authorization server: check and answer an authorization request, log a
user in, exchange and revoke tokens, list and revoke what a user has allowed apps.

The protocol (parameter parsing, validation order, PKCE, error bodies) is oauthlib's; this
module builds oauthlib's endpoints around our Validator and runs each call inside one
database transaction.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from oauthlib.common import add_params_to_uri
from oauthlib.oauth2 import (AuthorizationCodeGrant, BearerToken, ImplicitGrant,
                             RefreshTokenGrant)
from oauthlib.oauth2.rfc6749.endpoints import (AuthorizationEndpoint, IntrospectEndpoint,
                                               RevocationEndpoint, TokenEndpoint)
from oauthlib.oauth2.rfc6749.errors import FatalClientError, OAuth2Error
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import code_challenge_method_s256
from sqlalchemy.util import greenlet_spawn

from ..domain.access import SCOPES, token_hash
from ..domain.errors import Unauthorized
from ..store import oauth as store
from ..store.db import Database
from .passwords import check_password_async, hash_password_async
from .validator import RESPONSE_TYPES, Client, Validator

T = TypeVar("T")

__all__ = ["FatalClientError", "OAuth2Error", "AuthorizationRequest", "LoginRefused"]


class _S256CodeGrant(AuthorizationCodeGrant):
    """PKCE with S256 only: 'plain' protects nothing an eavesdropper could not replay."""

    _code_challenge_methods = {"S256": code_challenge_method_s256}


def _bearer_lowercase(token: dict[str, Any], token_handler: Any, request: Any) -> dict[str, Any]:
    token["token_type"] = "bearer"  # as the catalogue writes it
    return token


def _new_token(request: Any) -> str:
    return secrets.token_urlsafe(32)


class _Server(AuthorizationEndpoint, TokenEndpoint, RevocationEndpoint, IntrospectEndpoint):
    """oauthlib's endpoints with the grants this service offers: code (+PKCE), implicit
    token, refresh (rotating), token revocation and introspection."""

    def __init__(self, validator: Validator, settings: Any) -> None:
        code = _S256CodeGrant(validator)
        implicit = ImplicitGrant(validator)
        refresh = RefreshTokenGrant(validator, issue_new_refresh_tokens=True)
        for grant in (code, implicit, refresh):
            grant.register_token_modifier(_bearer_lowercase)
        bearer = BearerToken(validator, token_generator=_new_token,
                             expires_in=settings.access_token_lifetime)
        AuthorizationEndpoint.__init__(self, default_response_type="code",
                                       response_types={"code": code, "token": implicit},
                                       default_token_type=bearer)
        TokenEndpoint.__init__(self, default_grant_type="authorization_code",
                               grant_types={"authorization_code": code, "refresh_token": refresh},
                               default_token_type=bearer)
        RevocationEndpoint.__init__(self, validator,
                                    supported_token_types=("access_token", "refresh_token"))
        IntrospectEndpoint.__init__(self, validator,
                                    supported_token_types=("access_token", "refresh_token"))


async def _with_server(db: Database, settings: Any, now: datetime,
                       work: Callable[[_Server, Validator], T]) -> T:
    """Run synchronous oauthlib work in a greenlet, on one transaction."""
    async with db.transaction() as tx:
        validator = Validator(tx, now, settings)
        return await greenlet_spawn(work, _Server(validator, settings), validator)


# --- the authorization endpoint ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    client: Client
    scopes: tuple[str, ...]
    redirect_uri: str
    state: str | None
    response_type: str


@dataclass(frozen=True, slots=True)
class Redirect:
    location: str


async def check_authorization(db: Database, settings: Any, now: datetime, uri: str,
                              headers: dict[str, str]) -> AuthorizationRequest | Redirect:
    """The request, valid; or a Redirect carrying an RFC 6749 error back to the app.
    Raises FatalClientError (unknown client, wrong redirect URI): never redirect then."""

    def work(server: _Server, v: Validator) -> AuthorizationRequest | Redirect:
        try:
            scopes, info = server.validate_authorization_request(uri, "GET", None, headers)
        except FatalClientError:
            raise
        except OAuth2Error as e:
            if not e.redirect_uri:
                raise FatalClientError(description=e.description) from None
            return Redirect(add_params_to_uri(e.redirect_uri, e.twotuples,
                                              fragment=e.response_type == "token"))
        req = info["request"]
        return AuthorizationRequest(req.client, tuple(scopes), info["redirect_uri"],
                                    info["state"], info["response_type"])

    return await _with_server(db, settings, now, work)


async def allow(db: Database, settings: Any, now: datetime, uri: str,
                headers: dict[str, str], user_id: int) -> str:
    """The user allowed: issue the code (or token) and record the consent. The Location."""

    def work(server: _Server, v: Validator) -> tuple[str, Any]:
        scopes, _ = server.validate_authorization_request(uri, "GET", None, headers)
        h, _, _ = server.create_authorization_response(uri, "GET", None, headers, scopes=scopes,
                                                       credentials={"user": user_id})
        return h["Location"], v.issued

    async with db.transaction() as tx:
        v = Validator(tx, now, settings)
        location, issued = await greenlet_spawn(work, _Server(v, settings), v)
        if issued is not None:
            granted = set((await store.grant(tx, issued.user_id, issued.application_id)
                           or "").split())
            scopes = " ".join(s for s in SCOPES if s in granted or s in issued.scopes)
            await store.save_grant(tx, issued.user_id, issued.application_id, scopes, now)
    return location


def declined_location(request: AuthorizationRequest) -> str:
    """Where a user who declines goes: the original's
    `{redirect_uri}?code=&state=...&status=cancelled`, plus RFC 6749's
    `error=access_denied` (in the fragment for the implicit flow)."""
    params = [("code", "")]
    if request.state is not None:
        params.append(("state", request.state))
    params += [("status", "cancelled"), ("error", "access_denied")]
    return add_params_to_uri(request.redirect_uri, params,
                             fragment=request.response_type == "token")


def error_location(request: AuthorizationRequest, error: str, description: str) -> str:
    """An RFC 6749 4.1.2.1 error sent back to a verified client at its redirect URI."""
    params = [("error", error), ("error_description", description)]
    if request.state is not None:
        params.append(("state", request.state))
    return add_params_to_uri(request.redirect_uri, params,
                             fragment=request.response_type == "token")


# --- token and revocation endpoints -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: str


async def _post_endpoint(endpoint: str, db: Database, settings: Any, now: datetime,
                         uri: str, body: str, headers: dict[str, str]) -> Answer:
    """Run one of oauthlib's POST endpoints (`create_token_response`, ...) on our store."""
    def work(server: _Server, v: Validator) -> Answer:
        try:
            h, b, status = getattr(server, endpoint)(uri, "POST", body, headers)
        except OAuth2Error as e:  # the token endpoint raises some of its checks' errors
            h, b, status = {**e.headers, "Cache-Control": "no-store", "Pragma": "no-cache"}, \
                e.json, e.status_code
        return Answer(status, h, b or "")

    return await _with_server(db, settings, now, work)


async def token(db: Database, settings: Any, now: datetime, uri: str, body: str,
                headers: dict[str, str]) -> Answer:
    return await _post_endpoint("create_token_response", db, settings, now, uri, body, headers)


async def revoke(db: Database, settings: Any, now: datetime, uri: str, body: str,
                 headers: dict[str, str]) -> Answer:
    return await _post_endpoint("create_revocation_response", db, settings, now, uri, body,
                                headers)


async def introspect(db: Database, settings: Any, now: datetime, uri: str, body: str,
                     headers: dict[str, str]) -> Answer:
    return await _post_endpoint("create_introspect_response", db, settings, now, uri, body,
                                headers)


def metadata(issuer: str) -> dict[str, Any]:
    """RFC 8414 authorization server metadata, for an issuer such as `https://host`."""
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/OAuth/Authorize",
        "token_endpoint": f"{issuer}/OAuth/token",
        "revocation_endpoint": f"{issuer}/OAuth/revoke",
        "introspection_endpoint": f"{issuer}/OAuth/introspect",
        "scopes_supported": list(SCOPES),
        "response_types_supported": list(RESPONSE_TYPES),
        "response_modes_supported": ["query", "fragment"],
        "grant_types_supported": ["authorization_code", "implicit", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "introspection_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
    }


# Confidential apps: the secret in the form or by HTTP Basic; public apps: client_id alone.
CLIENT_AUTH_METHODS = ["client_secret_post", "client_secret_basic", "none"]


# --- logging in -------------------------------------------------------------------------


class LoginRefused(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


WRONG_LOGIN = "The nickname or password is wrong."


async def login(db: Database, settings: Any, now: datetime, nickname: str, password: str,
                ip: str) -> int:
    """The user id for a nickname and password; LoginRefused when wrong or rate-limited.

    Failed attempts are counted in the database (so the limit holds across workers) per
    nickname and per client IP over a sliding window. An attempt is counted and recorded
    in one serialised step before the password is judged (store.claim_attempts), so
    parallel attempts cannot slip past the limit. A limited nickname is refused even with
    the right password, so guessing cannot continue.
    """
    since = now - timedelta(seconds=settings.login_failure_window)
    user_key, ip_key = f"user:{nickname.lower()}"[:120], f"ip:{ip}"[:120]
    async with db.transaction() as tx:
        attempts = await store.claim_attempts(
            tx, db.dialect, {user_key: settings.login_max_failures_per_user,
                             ip_key: settings.login_max_failures_per_ip}, now, since)
    if attempts is None:
        minutes = max(1, settings.login_failure_window // 60)
        raise LoginRefused("Too many failed attempts to log in. Try again in "
                           f"{minutes} minutes.", 429)
    async with db.connection() as conn:
        user = await store.user_login(conn, nickname) if nickname else None
    ok, rehash = await check_password_async(password, user["password_hash"] if user else None)
    if not ok:
        raise LoginRefused(WRONG_LOGIN, 401)  # the attempts stay, as failures
    new_hash = await hash_password_async(password) if rehash else None
    async with db.transaction() as tx:
        await store.forget_failures(tx, user_key)
        for attempt in attempts:
            await store.forget_attempt(tx, attempt)  # the address's success is no failure
        if new_hash:
            await store.set_password(tx, user["id"], new_hash)  # type: ignore[index]
    return int(user["id"])  # type: ignore[index]


async def signing_key(db: Database, settings: Any, now: datetime) -> str:
    """The login cookie's signing key: the secret_key setting, else one random key made by
    the first worker that asks and kept in the database (every worker agrees, and logins
    survive restarts)."""
    if settings.secret_key:
        return str(settings.secret_key)
    async with db.transaction() as tx:
        return await store.server_key(tx, db.dialect, "session", secrets.token_urlsafe(48), now)


async def user_nickname(db: Database, user_id: int) -> str | None:
    async with db.connection() as conn:
        row = await store.user_by_id(conn, user_id)
    return row["nickname"] if row else None


# --- the user's authorized apps ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuthorizedApp:
    client_id: str
    name: str
    scopes: tuple[str, ...]
    since: datetime


async def authorized_apps(db: Database, user_id: int) -> list[AuthorizedApp]:
    async with db.connection() as conn:
        rows = await store.user_grants(conn, user_id)
    return [AuthorizedApp(r["api_key"], r["name"],
                          tuple(s for s in SCOPES if s in r["scopes"].split()), r["created_at"])
            for r in rows]


async def change_app_access(db: Database, now: datetime, user_id: int, client_id: str,
                            keep: set[str]) -> bool:
    """Keep only `keep` of what the user allowed the app (nothing: revoke it entirely).

    The app's current access tokens for this user stop working at once; its next refresh
    yields only what is kept (or fails, when nothing is). False if the user had not
    authorized this app.
    """
    async with db.transaction() as tx:
        app = await store.app_by_key(tx, client_id)
        if app is None:
            return False
        granted = await store.grant(tx, user_id, app["id"])
        if granted is None:
            return False
        kept = [s for s in granted.split() if s in keep]
        if kept:
            await store.save_grant(tx, user_id, app["id"], " ".join(kept), now)
        else:
            await store.delete_grant(tx, user_id, app["id"])
        await store.revoke_user_app(tx, user_id, app["id"], now, refresh_tokens=not kept)
    return True


# --- public calls: the application by its API key --------------------------------------


async def identify_application(db: Database, api_key: str | None,
                               api_secret: str | None = None) -> Client:
    """The application a public (token-less) call comes from: its API key (`X-ApiKey`
    header or `apiKey` query parameter) and, when sent, its secret (`X-ApiSecret`).
    Unauthorized when unknown, disabled, or the secret is wrong. (No public endpoint
    uses it yet; the pipeline can call it for routes marked as public.)"""
    if not api_key:
        raise Unauthorized()
    async with db.connection() as conn:
        row = await store.app_by_key(conn, api_key)
    if row is None or row["disabled"]:
        raise Unauthorized()
    if api_secret is not None and not hmac.compare_digest(row["secret_hash"],
                                                          token_hash(api_secret)):
        raise Unauthorized()
    return Client(row["id"], row["api_key"], row["name"], row["redirect_uri"],
                  bool(row["public"]))


# --- administration (the `phonechat apps` command) --------------------------------------


def new_client_id() -> str:
    return secrets.token_hex(16)


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)


async def create_app(db: Database, now: datetime, name: str, redirect_uri: str,
                     client_id: str | None = None, secret: str | None = None,
                     public: bool = False) -> tuple[str, str | None]:
    """Register an application: (client_id, secret). Only the secret's hash is kept; a
    public app gets no secret (None)."""
    client_id = client_id or new_client_id()
    if public:
        secret = None
    else:
        secret = secret or new_client_secret()
    async with db.transaction() as tx:
        await store.insert_app(tx, name=name, api_key=client_id,
                               secret_hash=token_hash(secret) if secret else "",
                               redirect_uri=redirect_uri, at=now, public=public)
    return client_id, secret


async def rotate_secret(db: Database, client_id: str) -> str | None:
    secret = new_client_secret()
    async with db.transaction() as tx:
        if not await store.set_secret(tx, client_id, token_hash(secret)):
            return None
    return secret


async def set_disabled(db: Database, client_id: str, disabled: bool) -> bool:
    async with db.transaction() as tx:
        return await store.set_disabled(tx, client_id, disabled)


async def list_apps(db: Database) -> list[Any]:
    async with db.connection() as conn:
        return await store.list_apps(conn)


async def set_password(db: Database, user_id: int, password: str) -> bool:
    new_hash = await hash_password_async(password)
    async with db.transaction() as tx:
        return await store.set_password(tx, user_id, new_hash)
