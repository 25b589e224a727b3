"""The login session of the authorization server: a signed cookie, and CSRF tokens tied to it.

The cookie carries (user id or 0, a random nonce, when it was issued), signed with
HMAC-SHA256 under the `secret_key` setting (unset: a random key made once and kept in the
database, so every worker agrees and logins survive restarts); it is HttpOnly, SameSite=Lax, Path=/OAuth, and
Secure when the request came over HTTPS. A visitor who has not logged in still gets a
cookie (user 0), so the login form itself carries a CSRF token. The CSRF token of a form
is an HMAC of the session's nonce: a page of another site can neither read it nor make
it. Logging in issues a new nonce (no session fixation).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson

COOKIE = "phonechat_session"


@dataclass(frozen=True, slots=True)
class Session:
    user_id: int  # 0: not logged in
    nonce: str
    issued: datetime


class Signer:
    def __init__(self, secret_key: str, lifetime_seconds: int) -> None:
        key = secret_key.encode()
        self._session_key = hmac.new(key, b"phonechat session cookie", hashlib.sha256).digest()
        self._csrf_key = hmac.new(key, b"phonechat csrf token", hashlib.sha256).digest()
        self.lifetime = timedelta(seconds=lifetime_seconds)

    # --- the cookie ---------------------------------------------------------------------

    def new(self, user_id: int, now: datetime) -> Session:
        return Session(user_id, secrets.token_urlsafe(16), now.replace(microsecond=0))

    def dump(self, s: Session) -> str:
        payload = _b64(orjson.dumps([s.user_id, s.nonce, s.issued.isoformat()]))
        return f"{payload}.{_b64(self._mac(payload))}"

    def load(self, value: str | None, now: datetime) -> Session | None:
        """The session a cookie value stands for; None if absent, forged or expired."""
        if not value or "." not in value:
            return None
        payload, _, mac = value.partition(".")
        if not hmac.compare_digest(_b64(self._mac(payload)), mac):
            return None
        try:
            user_id, nonce, issued = orjson.loads(_unb64(payload))
            s = Session(int(user_id), str(nonce), datetime.fromisoformat(issued))
        except (ValueError, TypeError):
            return None
        if s.issued + self.lifetime <= now or s.issued > now + self.lifetime:
            return None
        return s

    def set_cookie(self, s: Session, *, secure: bool) -> tuple[bytes, bytes]:
        attrs = f"{COOKIE}={self.dump(s)}; Path=/OAuth; HttpOnly; SameSite=Lax; " \
                f"Max-Age={int(self.lifetime.total_seconds())}"
        if secure:
            attrs += "; Secure"
        return (b"set-cookie", attrs.encode())

    def _mac(self, payload: str) -> bytes:
        return hmac.new(self._session_key, payload.encode(), hashlib.sha256).digest()

    # --- CSRF ---------------------------------------------------------------------------

    def csrf_token(self, s: Session) -> str:
        return _b64(hmac.new(self._csrf_key, s.nonce.encode(), hashlib.sha256).digest())

    def csrf_ok(self, s: Session | None, token: str | None) -> bool:
        return bool(s and token) and hmac.compare_digest(self.csrf_token(s), token)  # type: ignore[arg-type]


def cookie_value(header: str | None) -> str | None:
    """Our cookie's value from a Cookie header."""
    if not header:
        return None
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return value
    return None


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def _unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
