"""Helpers that walk the OAuth pages like a browser would (used by the OAuth tests)."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from phonechat import sandbox
from phonechat.domain.access import SCOPES

APP = sandbox.manifest()["app"]
PASSWORD = sandbox.PASSWORD
ALL = " ".join(SCOPES)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def authorize_url(**over: Any) -> str:
    params = {"response_type": "code", "client_id": APP["client_id"],
              "redirect_uri": APP["redirect_uri"], "scope": ALL, "state": "xyz"}
    params.update(over)
    return "/OAuth/Authorize?" + urlencode({k: v for k, v in params.items() if v is not None})


def csrf(page: httpx.Response) -> str:
    m = _CSRF.search(page.text)
    assert m, f"no CSRF token in the page: {page.text[:500]}"
    return m.group(1)


def query(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query, keep_blank_values=True)


def fragment(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).fragment, keep_blank_values=True)


async def log_in(client: httpx.AsyncClient, url: str, nickname: str = "BookingUser",
                 password: str = PASSWORD) -> httpx.Response:
    page = await client.get(url)
    return await client.post(url, data={"csrf_token": csrf(page), "action": "login",
                                        "nickname": nickname, "password": password})


async def decide(client: httpx.AsyncClient, url: str, action: str = "allow") -> httpx.Response:
    page = await client.get(url)
    assert "consent" in page.text or 'id="allow"' in page.text, page.text[:500]
    return await client.post(url, data={"csrf_token": csrf(page), "action": action})


async def authorize(client: httpx.AsyncClient, nickname: str = "BookingUser",
                    **over: Any) -> httpx.Response:
    """Log in (if needed) and allow: the redirect back to the app."""
    url = authorize_url(**over)
    page = await client.get(url)
    if 'id="allow"' not in page.text:
        r = await log_in(client, url, nickname)
        assert r.status_code == 303, r.text[:500]
    r = await decide(client, url, "allow")
    assert r.status_code == 302, r.text[:500]
    return r


async def get_code(client: httpx.AsyncClient, **over: Any) -> str:
    r = await authorize(client, **over)
    return query(r.headers["location"])["code"][0]


async def exchange(client: httpx.AsyncClient, code: str, **over: Any) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code,
            "redirect_uri": APP["redirect_uri"], "client_id": APP["client_id"],
            "client_secret": APP["client_secret"]}
    data.update(over)
    return await client.post("/OAuth/token", data={k: v for k, v in data.items() if v is not None})


async def refresh(client: httpx.AsyncClient, refresh_token: str, **over: Any) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token,
            "client_id": APP["client_id"], "client_secret": APP["client_secret"]}
    data.update(over)
    return await client.post("/OAuth/token", data={k: v for k, v in data.items() if v is not None})


async def tokens(client: httpx.AsyncClient, **over: Any) -> dict[str, Any]:
    r = await exchange(client, await get_code(client, **over))
    assert r.status_code == 200, r.text
    return r.json()


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"bearer {access_token}"}


def pkce_pair(verifier: str = "a" * 43 + "-verifier-of-enough-length") -> tuple[str, str]:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()
