"""OAuth 2.0 for apps (docs/oauth.md of the service): the authorization URL with PKCE (S256)
and state, the code exchange, refresh (the rotated refresh token kept), revoke."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from .errors import OAuthError

USER_AGENT = "phonechat-client/0.1"


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, its S256 code_challenge), RFC 7636."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the user, and what to keep until they come back."""

    url: str
    state: str
    code_verifier: str
    redirect_uri: str


@dataclass(frozen=True)
class Tokens:
    access_token: str
    token_type: str
    expires_at: float | None  # time.time() when the access token expires
    refresh_token: str | None
    scope: tuple[str, ...]
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    @classmethod
    def from_answer(cls, data: dict[str, Any], now: float | None = None) -> Tokens:
        now = time.time() if now is None else now
        expires = data.get("expires_in")
        return cls(data["access_token"], data.get("token_type", "Bearer"),
                   now + float(expires) if expires is not None else None,
                   data.get("refresh_token"), tuple(str(data.get("scope", "")).split()), data)

    def expired(self, leeway: float = 30.0) -> bool:
        return self.expires_at is not None and time.time() + leeway >= self.expires_at


class OAuth:
    """An app's side of the flow: OAuth(base_url, client_id, client_secret=None for a public
    client, which must use PKCE)."""

    def __init__(self, base_url: str, client_id: str, client_secret: str | None = None, *,
                 timeout: float = 10.0, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self._http = httpx.Client(timeout=timeout, transport=transport,
                                  headers={"User-Agent": USER_AGENT})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OAuth:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def authorization_url(self, redirect_uri: str, scope: str | list[str],
                          state: str | None = None) -> AuthorizationRequest:
        """The /OAuth/Authorize URL to send the user's browser to, with a fresh state and a
        PKCE S256 challenge; keep the returned request to check the state and exchange."""
        verifier, challenge = pkce_pair()
        state = state or secrets.token_urlsafe(16)
        query = urlencode({"response_type": "code", "client_id": self.client_id,
                           "redirect_uri": redirect_uri,
                           "scope": scope if isinstance(scope, str) else " ".join(scope),
                           "state": state, "code_challenge": challenge,
                           "code_challenge_method": "S256"})
        return AuthorizationRequest(f"{self.base_url}/OAuth/Authorize?{query}", state,
                                    verifier, redirect_uri)

    def code_from_redirect(self, request: AuthorizationRequest, redirected_to: str) -> str:
        """The code of the redirect back to the app, once its state is checked."""
        q = parse_qs(urlsplit(redirected_to).query)
        if q.get("state", [None])[0] != request.state:
            raise OAuthError(0, "invalid_state", "The redirect's state is not the request's.")
        if "error" in q:
            raise OAuthError(0, q["error"][0], q.get("error_description", [None])[0])
        return q["code"][0]

    def exchange_code(self, request: AuthorizationRequest, code: str) -> Tokens:
        return self._token({"grant_type": "authorization_code", "code": code,
                            "redirect_uri": request.redirect_uri,
                            "code_verifier": request.code_verifier})

    def refresh(self, tokens: Tokens) -> Tokens:
        """New tokens for the refresh token: the service rotates it, so the answer's refresh
        token replaces the old (which stops working); kept if the answer has none."""
        if not tokens.refresh_token:
            raise OAuthError(0, "invalid_request", "These tokens have no refresh token.")
        fresh = self._token({"grant_type": "refresh_token",
                             "refresh_token": tokens.refresh_token})
        return fresh if fresh.refresh_token else replace(fresh,
                                                         refresh_token=tokens.refresh_token)

    def revoke(self, token: str) -> None:
        self._post("/OAuth/revoke", {"token": token})

    def introspect(self, token: str) -> dict[str, Any]:
        return self._post("/OAuth/introspect", {"token": token})

    def _token(self, form: dict[str, str]) -> Tokens:
        return Tokens.from_answer(self._post("/OAuth/token", form))

    def _post(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        form = {**form, "client_id": self.client_id}
        if self.client_secret:
            form["client_secret"] = self.client_secret
        r = self._http.post(self.base_url + path, data=form)
        try:
            body = r.json()
        except ValueError:
            body = {"error": "invalid_response", "error_description": r.text[:200]}
        if r.status_code != 200:
            raise OAuthError(r.status_code, body.get("error", f"HTTP {r.status_code}"),
                             body.get("error_description"), body)
        return body  # type: ignore[no-any-return]
