"""oauthlib's RequestValidator, backed by our store: the only place the protocol library
meets the database.

oauthlib is synchronous and our store is async, so the service runs oauthlib inside a
greenlet (SQLAlchemy's `greenlet_spawn`) and each validator method awaits the store with
`await_only`: no threads, and every call of one request runs on one transaction's
connection. Anything a method learns for a later one (the code's row, the refresh
token's chain) is kept on oauthlib's request object.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus, urlsplit
from zoneinfo import ZoneInfo

from oauthlib.oauth2 import RequestValidator
from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from sqlalchemy.util import await_only

from ..domain.access import SCOPES, token_hash
from ..store import accounts
from ..store import oauth as store
from ..store.db import Conn

RESPONSE_TYPES = ("code", "token")
GRANT_TYPES = ("authorization_code", "refresh_token")


class RefreshTokenExpired(OAuth2Error):
    """The catalogue's answer to an expired refresh token: 401 {"error": "refresh_token_has_expired"}."""

    error = "refresh_token_has_expired"
    status_code = 401


@dataclass(frozen=True, slots=True)
class Client:
    """A registered application, as oauthlib's `request.client`."""

    id: int
    client_id: str  # the API key
    name: str
    redirect_uri: str
    public: bool = False  # holds no secret: authenticates by client_id alone, must use PKCE


@dataclass(frozen=True, slots=True)
class Issued:
    """What an authorization response issued (so the service records the user's consent)."""

    user_id: int
    application_id: int
    scopes: tuple[str, ...]


class Validator(RequestValidator):
    def __init__(self, conn: Conn, now: datetime, settings: Any) -> None:
        self.conn = conn
        self.now = now
        self.code_lifetime = timedelta(seconds=settings.authorization_code_lifetime)
        self.refresh_lifetime = timedelta(seconds=settings.refresh_token_lifetime)
        self.zone = ZoneInfo(settings.timezone)
        self._apps: dict[str, Any] = {}
        self.issued: Issued | None = None

    # --- clients ------------------------------------------------------------------------

    def _app(self, client_id: str | None) -> Client | None:
        """The enabled application with this API key (a disabled one does not exist here)."""
        if not client_id or "\0" in client_id:  # the routes refuse NUL; never send it to SQL
            return None
        if client_id not in self._apps:
            self._apps[client_id] = await_only(store.app_by_key(self.conn, client_id))
        row = self._apps[client_id]
        if row is None or row["disabled"]:
            return None
        return Client(row["id"], row["api_key"], row["name"], row["redirect_uri"],
                      bool(row["public"]))

    def _named_client_id(self, request: Any) -> str | None:
        """The client_id a request names: in the form, else as the HTTP Basic user."""
        basic = basic_credentials(request.headers.get("Authorization"))
        return request.client_id or (basic[0] if basic else None)

    def client_authentication_required(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        """Confidential clients prove their secret; a public one names itself (RFC 6749 3.2.1)."""
        client = self._app(self._named_client_id(request))
        return client is None or not client.public

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        """client_id and client_secret in the form body, or HTTP Basic (RFC 6749 2.3.1)."""
        client_id, secret = request.client_id, request.client_secret
        basic = basic_credentials(request.headers.get("Authorization"))
        if basic is not None:
            client_id, secret = basic
        client = self._app(client_id)
        if client is None or client.public or not secret:
            return False
        stored = self._apps[client_id]["secret_hash"]
        if not hmac.compare_digest(stored, token_hash(secret)):
            return False
        request.client = client
        request.client_id = client.client_id
        return True

    def authenticate_client_id(self, client_id: str, request: Any, *a: Any, **k: Any) -> bool:
        client = self._app(client_id or self._named_client_id(request))
        if client is None or not client.public:
            return False
        request.client = client
        request.client_id = client.client_id
        return True

    def validate_client_id(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> bool:
        client = self._app(client_id)
        if client is None:
            return False
        request.client = client
        return True

    def validate_redirect_uri(self, client_id: str, redirect_uri: str, request: Any,
                              *args: Any, **kwargs: Any) -> bool:
        client = self._app(client_id)
        return client is not None and same_redirect_uri(client.redirect_uri, redirect_uri)

    def get_default_redirect_uri(self, client_id: str, request: Any, *a: Any, **k: Any) -> str | None:
        client = self._app(client_id)
        return client.redirect_uri if client else None

    def validate_response_type(self, client_id: str, response_type: str, client: Any,
                               request: Any, *args: Any, **kwargs: Any) -> bool:
        if response_type == "token" and client.public:
            return False  # no implicit grant without PKCE for apps that hold no secret
        return response_type in RESPONSE_TYPES

    def validate_grant_type(self, client_id: str, grant_type: str, client: Any, request: Any,
                            *args: Any, **kwargs: Any) -> bool:
        return grant_type in GRANT_TYPES

    def validate_scopes(self, client_id: str, scopes: list[str], client: Any, request: Any,
                        *args: Any, **kwargs: Any) -> bool:
        return bool(scopes) and all(s in SCOPES for s in scopes)

    def get_default_scopes(self, client_id: str, request: Any, *a: Any, **k: Any) -> list[str]:
        return list(SCOPES)

    def is_pkce_required(self, client_id: str, request: Any) -> bool:
        """Public clients must use PKCE; confidential ones may (and are then held to it)."""
        client = self._app(client_id)
        return client is not None and client.public

    # --- authorization codes ------------------------------------------------------------

    def save_authorization_code(self, client_id: str, code: dict[str, Any], request: Any,
                                *args: Any, **kwargs: Any) -> None:
        challenge = request.code_challenge
        await_only(store.insert_code(
            self.conn, code_hash=token_hash(code["code"]), application_id=request.client.id,
            user_id=request.user, scopes=" ".join(request.scopes),
            # Only a redirect_uri the request carried binds the exchange (RFC 6749 4.1.3).
            redirect_uri=None if request.using_default_redirect_uri else request.redirect_uri,
            code_challenge=challenge,
            code_challenge_method=request.code_challenge_method if challenge else None,
            family=None, expires_at=self.now + self.code_lifetime, created_at=self.now,
            used_at=None))
        self.issued = Issued(request.user, request.client.id, tuple(request.scopes))

    def validate_code(self, client_id: str, code: str, client: Any, request: Any,
                      *args: Any, **kwargs: Any) -> bool:
        row = await_only(store.code(self.conn, token_hash(code)))
        if row is None or row["application_id"] != client.id:
            return False
        if row["used_at"] is not None:
            # Replayed: refuse, and revoke what its first exchange issued (RFC 6749 4.1.2).
            if row["family"]:
                await_only(store.revoke_family(self.conn, row["family"], self.now))
            return False
        if row["expires_at"] <= self.now:
            return False
        request.code_row = row
        request.user = row["user_id"]
        request.scopes = row["scopes"].split()
        return True

    def get_code_challenge(self, code: str, request: Any) -> str | None:
        return request.code_row["code_challenge"]

    def get_code_challenge_method(self, code: str, request: Any) -> str | None:
        return request.code_row["code_challenge_method"]

    def confirm_redirect_uri(self, client_id: str, code: str, redirect_uri: str, client: Any,
                             request: Any, *args: Any, **kwargs: Any) -> bool:
        saved = request.code_row["redirect_uri"]
        if saved is None:
            return True
        return not request.using_default_redirect_uri and redirect_uri == saved

    def invalidate_authorization_code(self, client_id: str, code: str, request: Any,
                                      *args: Any, **kwargs: Any) -> None:
        await_only(store.use_code(self.conn, request.code_row["id"],
                                  getattr(request, "family", None), self.now))

    # --- tokens -------------------------------------------------------------------------

    def save_bearer_token(self, token: dict[str, Any], request: Any, *args: Any,
                          **kwargs: Any) -> None:
        scopes = " ".join(request.scopes)
        access_id = await_only(accounts.insert_token(
            self.conn, token_hash=token_hash(token["access_token"]), user_id=request.user,
            scopes=scopes, expires_at=self.now + timedelta(seconds=token["expires_in"]),
            at=self.now, application_id=request.client.id))
        if "refresh_token" in token:
            previous = getattr(request, "refresh_row", None)
            if previous is not None:  # a refresh: the chain goes on, the old link is spent
                family = previous["family"]
                await_only(store.rotate_refresh(self.conn, previous["id"], self.now))
            else:
                family = secrets.token_hex(16)
            await_only(store.insert_refresh(
                self.conn, token_hash=token_hash(token["refresh_token"]), family=family,
                application_id=request.client.id, user_id=request.user,
                access_token_id=access_id, scopes=scopes,
                expires_at=self.now + self.refresh_lifetime, created_at=self.now,
                rotated_at=None, revoked_at=None))
            request.family = family
        if request.grant_type is None:  # the implicit grant: issued from the consent page
            self.issued = Issued(request.user, request.client.id, tuple(request.scopes))

    def validate_refresh_token(self, refresh_token: str, client: Any, request: Any,
                               *args: Any, **kwargs: Any) -> bool:
        row = await_only(store.refresh(self.conn, token_hash(refresh_token)))
        if row is None or row["application_id"] != client.id or row["revoked_at"] is not None:
            return False
        if row["rotated_at"] is not None:
            # An old link presented again: stolen or replayed. Revoke the whole chain.
            await_only(store.revoke_family(self.conn, row["family"], self.now))
            return False
        if row["expires_at"] <= self.now:
            raise RefreshTokenExpired(request=request)
        granted = await_only(store.grant(self.conn, row["user_id"], row["application_id"]))
        allowed = set((granted or "").split())
        scopes = [s for s in row["scopes"].split() if s in allowed]  # drops what was revoked
        if not scopes:
            return False
        request.refresh_row = row
        request.user = row["user_id"]
        request.allowed_scopes = scopes
        return True

    def get_original_scopes(self, refresh_token: str, request: Any, *a: Any, **k: Any) -> list[str]:
        return request.allowed_scopes

    def rotate_refresh_token(self, request: Any) -> bool:
        return True

    def revoke_token(self, token: str, token_type_hint: str | None, request: Any,
                     *args: Any, **kwargs: Any) -> None:
        """RFC 7009: the client's own access token, or its refresh token with its whole chain.
        Unknown tokens and other clients' tokens are ignored (the answer is 200 either way)."""
        h = token_hash(token)
        if token_type_hint != "refresh_token" and await_only(
                store.revoke_access(self.conn, h, request.client.id, self.now)):
            return
        row = await_only(store.refresh(self.conn, h))
        if row is not None and row["application_id"] == request.client.id:
            await_only(store.revoke_family(self.conn, row["family"], self.now))
            return
        if token_type_hint == "refresh_token":
            await_only(store.revoke_access(self.conn, h, request.client.id, self.now))


    def introspect_token(self, token: str, token_type_hint: str | None, request: Any,
                         *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        """RFC 7662: what an active token of the calling client stands for; None (inactive)
        for unknown, expired, revoked or spent tokens and for other clients' tokens."""
        h = token_hash(token)
        lookups = [self._access_claims, self._refresh_claims]
        if token_type_hint == "refresh_token":
            lookups.reverse()
        for lookup in lookups:
            known, claims = lookup(h, request.client)
            if known:
                return claims
        return None

    def _access_claims(self, h: str, client: Client) -> tuple[bool, dict[str, Any] | None]:
        row = await_only(accounts.token(self.conn, h))
        if row is None:
            return False, None
        if (row["application_id"] != client.id or row["revoked_at"] is not None
                or row["expires_at"] <= self.now or row["app_disabled"]):
            return True, None
        return True, _claims(client, row["scopes"], row["nickname"],
                             row["expires_at"].replace(tzinfo=self.zone), "bearer")

    def _refresh_claims(self, h: str, client: Client) -> tuple[bool, dict[str, Any] | None]:
        row = await_only(store.refresh(self.conn, h))
        if row is None:
            return False, None
        if (row["application_id"] != client.id or row["revoked_at"] is not None
                or row["rotated_at"] is not None or row["expires_at"] <= self.now):
            return True, None
        user = await_only(store.user_by_id(self.conn, row["user_id"]))
        return True, _claims(client, row["scopes"], user["nickname"] if user else None,
                             row["expires_at"].replace(tzinfo=self.zone), None)


def _claims(client: Client, scopes: str, username: str | None, expires_at: datetime,
            token_type: str | None) -> dict[str, Any]:
    """RFC 7662 2.2's members; token_type only for access tokens (a refresh token has no
    type in the OAuth Access Token Types registry)."""
    claims: dict[str, Any] = {"scope": scopes, "client_id": client.client_id,
                              "username": username, "exp": int(expires_at.timestamp())}
    if token_type:
        claims["token_type"] = token_type
    return claims


LOOPBACK_HOSTS = ("127.0.0.1", "::1")


def same_redirect_uri(registered: str, requested: str) -> bool:
    """Exactly as registered; but a loopback IP redirect URI (a native app listening on the
    user's machine) may name any port (RFC 8252 7.3)."""
    if requested == registered:
        return True
    reg, req = urlsplit(registered), urlsplit(requested)
    if reg.scheme != "http" or reg.hostname not in LOOPBACK_HOSTS:
        return False
    try:
        req.port  # a port that is not a number is no URI
    except ValueError:
        return False
    return (req.username is None and req.password is None
            and (req.scheme, req.hostname, req.path, req.query, req.fragment)
            == (reg.scheme, reg.hostname, reg.path, reg.query, reg.fragment))


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """HTTP Basic client credentials; each part form-urlencoded first (RFC 6749 2.3.1)."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    return unquote_plus(client_id), unquote_plus(secret)
