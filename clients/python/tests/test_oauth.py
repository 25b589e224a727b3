"""The OAuth helpers against a real sandbox: the code flow with PKCE and state (the user's
part played by an HTTP client posting the login and consent forms), refresh with rotation,
revoke."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from phonechat_client import OAuth, OAuthError, PhoneChat, Unauthorized

APP = {"client_id": "sandbox-demo-app", "client_secret": "sandbox-demo-secret",
       "redirect_uri": "http://127.0.0.1:8765/callback"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _user_allows(url: str) -> str:
    """The browser: log in as BookingUser, allow; where the server sends it back to."""
    with httpx.Client() as browser:
        page = browser.get(url)
        r = browser.post(url, data={"csrf_token": CSRF.search(page.text).group(1),  # type: ignore[union-attr]
                                    "action": "login", "nickname": "BookingUser",
                                    "password": "sandbox"})
        assert r.status_code == 303, r.text[:300]
        page = browser.get(url)
        r = browser.post(url, data={"csrf_token": CSRF.search(page.text).group(1),  # type: ignore[union-attr]
                                    "action": "allow"})
        assert r.status_code == 302, r.text[:300]
        return r.headers["location"]


def test_the_code_flow_with_pkce_then_refresh_with_rotation_then_revoke(base_url: str) -> None:
    with OAuth(base_url, APP["client_id"], APP["client_secret"]) as oauth:
        request = oauth.authorization_url(APP["redirect_uri"],
                                          ["account_phonechat_bookings", "account_information"])
        q = parse_qs(urlsplit(request.url).query)
        assert q["code_challenge_method"] == ["S256"] and q["state"] == [request.state]
        assert len(q["code_challenge"][0]) == 43

        back = _user_allows(request.url)
        with pytest.raises(OAuthError):
            oauth.code_from_redirect(request, back.replace(request.state, "forged"))
        code = oauth.code_from_redirect(request, back)
        tokens = oauth.exchange_code(request, code)
        assert tokens.refresh_token and "account_phonechat_bookings" in tokens.scope
        assert not tokens.expired()

        with PhoneChat(base_url, token=tokens.access_token) as api:
            assert api.verify_credentials().user_id == 100
            assert api.made_booking_details(booking_id=1).booking_id == 1

        fresh = oauth.refresh(tokens)
        assert fresh.access_token != tokens.access_token
        assert fresh.refresh_token and fresh.refresh_token != tokens.refresh_token
        newer = oauth.refresh(fresh)  # the rotated refresh token is the one that works
        assert oauth.introspect(newer.access_token)["active"] is True

        oauth.revoke(newer.access_token)
        with PhoneChat(base_url, token=newer.access_token) as api, pytest.raises(Unauthorized):
            api.verify_credentials()
        assert oauth.introspect(newer.access_token)["active"] is False

        with pytest.raises(OAuthError) as reused:
            oauth.refresh(tokens)  # spent: and its reuse revokes the whole chain
        assert reused.value.error == "invalid_grant" and reused.value.status == 400
        with pytest.raises(OAuthError):
            oauth.refresh(newer)
