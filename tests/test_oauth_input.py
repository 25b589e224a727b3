"""What no OAuth client can break: NUL and undecodable parameters are refused at the edge
with the proper OAuth answer (never a 500, on PostgreSQL too), query strings on the POST
endpoints, redirect_uri binding the code exchange, and the login limit under parallel
attempts."""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest

from .oauth_flow import (APP, authorize_url, csrf, exchange, fragment, get_code, log_in,
                         query)

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
GOOD = (f"response_type=code&client_id={APP['client_id']}"
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback&state=xyz")


def assert_error_page(r: httpx.Response) -> None:
    assert r.status_code == 400 and "location" not in r.headers
    assert r.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("qs", [
    "client_id=%00",
    f"response_type=code&client_id={APP['client_id']}%00",
    f"response_type=code&client_id={APP['client_id']}&redirect_uri=http://127.0.0.1:8765/callback%00",
    GOOD + "&scope=%zz",  # not a %-escape
    GOOD + "&state=%C3",  # not UTF-8
])
async def test_authorization_request_that_cannot_be_trusted_gets_the_error_page(client, qs):
    assert_error_page(await client.get("/OAuth/Authorize?" + qs))


@pytest.mark.parametrize("param", ["state", "code_challenge", "scope", "x%00y"])
async def test_nul_in_another_parameter_goes_back_to_the_app_as_invalid_request(client, param):
    r = await client.get(f"/OAuth/Authorize?{GOOD}&{param}=a%00b".replace("state=xyz&state", "state"))
    assert r.status_code == 302
    location = r.headers["location"]
    assert location.startswith(APP["redirect_uri"] + "?")
    q = query(location)
    assert q["error"] == ["invalid_request"] and "NUL" in q["error_description"][0]
    if param != "state":
        assert q["state"] == ["xyz"]


async def test_nul_in_the_implicit_flow_is_reported_in_the_fragment(client):
    r = await client.get("/OAuth/Authorize?" + GOOD.replace("code", "token", 1) + "&scope=a%00")
    assert fragment(r.headers["location"])["error"] == ["invalid_request"]


@pytest.mark.parametrize("path", ["/OAuth/token", "/OAuth/revoke", "/OAuth/introspect"])
@pytest.mark.parametrize("body", [
    "grant_type=authorization_code&code=x&client_id=%00",
    "token=x&client_id=%00&client_secret=y",
    "token=x%00&client_id=sandbox-demo-app&client_secret=sandbox-demo-secret",
    "token=%zz", "token=%FF",
])
async def test_nul_or_undecodable_body_is_invalid_request(client, path, body):
    r = await client.post(path, content=body.encode(), headers=FORM)
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_request" and r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/OAuth/token", "/OAuth/revoke", "/OAuth/introspect"])
async def test_basic_client_id_with_nul_is_invalid_request(client, path):
    basic = base64.b64encode(b"sandbox-demo-app\0:sandbox-demo-secret").decode()
    r = await client.post(path, data={"grant_type": "refresh_token", "refresh_token": "x",
                                      "token": "x"},
                          headers={"Authorization": f"Basic {basic}"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


@pytest.mark.parametrize("path", ["/OAuth/token", "/OAuth/revoke", "/OAuth/introspect"])
async def test_query_parameters_on_the_post_endpoints_are_invalid_request(client, path):
    r = await client.post(path + "?x=1", data={
        "grant_type": "authorization_code", "code": "x", "token": "x",
        "client_id": APP["client_id"], "client_secret": APP["client_secret"]})
    assert r.status_code == 400
    assert r.json() == {"error": "invalid_request",
                        "error_description": "URL query parameters are not allowed."}


async def test_login_nickname_with_nul_is_refused_on_the_page(client):
    url = authorize_url()
    page = await client.get(url)
    r = await client.post(url, data={"csrf_token": csrf(page), "action": "login",
                                     "nickname": "a\0b", "password": "x"})
    assert r.status_code == 400 and "NUL" in r.text and "location" not in r.headers


async def test_apps_page_client_id_with_nul_is_refused(client):
    await log_in(client, "/OAuth/Apps")
    page = await client.get("/OAuth/Apps")
    r = await client.post("/OAuth/Apps", data={"csrf_token": csrf(page), "action": "revoke",
                                               "client_id": "\0"})
    assert r.status_code == 400


async def test_exchange_needs_the_redirect_uri_the_authorization_request_had(client):
    """RFC 6749 4.1.3: present on the link, so required, and identical, at the exchange."""
    code = await get_code(client)
    r = await exchange(client, code, redirect_uri=None)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    assert (await exchange(client, code)).status_code == 200  # the code was not spent


async def test_exchange_without_redirect_uri_when_the_link_had_none(client):
    code = await get_code(client, redirect_uri=None)
    assert (await exchange(client, code, redirect_uri=None)).status_code == 200


async def _parallel_logins(client: httpx.AsyncClient, nicknames: list[str]) -> list[int]:
    url = authorize_url()
    token = csrf(await client.get(url))
    answers = await asyncio.gather(*[
        client.post(url, data={"csrf_token": token, "action": "login", "nickname": n,
                               "password": "wrong"}) for n in nicknames])
    return [r.status_code for r in answers]


async def test_parallel_wrong_passwords_judge_no_more_than_the_nickname_limit(client):
    statuses = await _parallel_logins(client, ["BookingUser"] * 40)
    assert statuses.count(401) == 5 and statuses.count(429) == 35


async def test_parallel_wrong_passwords_judge_no_more_than_the_address_limit(client):
    statuses = await _parallel_logins(client, [f"guess{i}" for i in range(40)])
    assert statuses.count(401) == 20 and statuses.count(429) == 20
