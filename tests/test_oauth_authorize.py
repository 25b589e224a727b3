"""The authorization endpoint: error pages, login, consent, allow and decline, CSRF, the
session cookie, login rate limits and password hashing."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from phonechat.domain.access import SCOPES, token_hash
from phonechat.oauth import service
from phonechat.store import oauth as oauth_store

from .conftest import START
from .oauth_flow import (APP, PASSWORD, authorize, authorize_url, bearer, csrf, decide,
                         fragment, log_in, query)


def assert_no_redirect(r: httpx.Response) -> None:
    assert "location" not in r.headers
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/html")


async def test_unknown_client_id_shows_error_page_never_redirects(client):
    r = await client.get(authorize_url(client_id="no-such-app"))
    assert_no_redirect(r)
    assert "not valid" in r.text


async def test_redirect_uri_not_exactly_as_registered_shows_error_page(client):
    for uri in (APP["redirect_uri"] + "/", "http://evil.example/callback",
                APP["redirect_uri"] + "?x=1"):
        r = await client.get(authorize_url(redirect_uri=uri))
        assert_no_redirect(r)


async def test_disabled_app_cannot_start_authorization(client, db):
    await service.set_disabled(db, APP["client_id"], True)
    assert_no_redirect(await client.get(authorize_url()))


async def test_unknown_scope_goes_back_to_app_with_rfc6749_error(client):
    r = await client.get(authorize_url(scope="account_everything"))
    assert r.status_code == 302
    q = query(r.headers["location"])
    assert r.headers["location"].startswith(APP["redirect_uri"] + "?")
    assert q["error"] == ["invalid_scope"] and q["state"] == ["xyz"]


async def test_unsupported_response_type_goes_back_with_error(client):
    r = await client.get(authorize_url(response_type="password"))
    assert r.status_code == 302
    assert query(r.headers["location"])["error"] in (["unsupported_response_type"],
                                                     ["unauthorized_client"])


async def test_login_page_then_consent_page_names_app_and_each_scope_in_plain_words(client):
    url = authorize_url(scope="account_phonechat_bookings account_information")
    page = await client.get(url)
    assert page.status_code == 200 and 'name="password"' in page.text
    assert "Sandbox Demo App" in page.text
    assert (await log_in(client, url)).status_code == 303
    consent = await client.get(url)
    assert 'id="allow"' in consent.text and 'id="decline"' in consent.text
    assert "Sandbox Demo App" in consent.text and "BookingUser" in consent.text
    assert SCOPES["account_phonechat_bookings"] in consent.text
    assert SCOPES["account_information"] in consent.text
    assert SCOPES["account_credits_history"] not in consent.text  # not asked for
    assert consent.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in consent.headers["content-security-policy"]
    assert consent.headers["cache-control"] == "no-store"


async def test_allow_redirects_with_single_code_and_state(client, db):
    r = await authorize(client)
    location = r.headers["location"]
    assert location.startswith(APP["redirect_uri"] + "?")
    q = query(location)
    assert q["state"] == ["xyz"] and len(q["code"][0]) >= 20
    async with db.connection() as conn:  # stored as a hash only
        assert await oauth_store.code(conn, q["code"][0]) is None
        assert await oauth_store.code(conn, token_hash(q["code"][0])) is not None


async def test_decline_redirects_with_empty_code_state_and_status_cancelled(client):
    """The original's parameters, in its order, then RFC 6749's error=access_denied."""
    url = authorize_url(state="s 1&2")
    await log_in(client, url)
    r = await decide(client, url, "decline")
    assert r.status_code == 302
    location = r.headers["location"]
    assert location.startswith(APP["redirect_uri"] + "?code=&state=s+1%262&status=cancelled&")
    assert query(location) == {"code": [""], "state": ["s 1&2"], "status": ["cancelled"],
                               "error": ["access_denied"]}


async def test_decline_in_the_implicit_flow_answers_in_the_fragment(client):
    url = authorize_url(response_type="token")
    await log_in(client, url)
    r = await decide(client, url, "decline")
    location = r.headers["location"]
    assert location.startswith(APP["redirect_uri"] + "#")
    assert fragment(location) == {"code": [""], "state": ["xyz"], "status": ["cancelled"],
                                  "error": ["access_denied"]}


async def test_implicit_grant_puts_working_token_in_fragment(client):
    r = await authorize(client, response_type="token", scope="account_information")
    f = fragment(r.headers["location"])
    assert f["token_type"] == ["bearer"] and f["state"] == ["xyz"]
    assert "refresh_token" not in f and "code" not in query(r.headers["location"])
    me = await client.get("/v1/Account/VerifyCredentials", headers=bearer(f["access_token"][0]))
    assert me.status_code == 200 and me.json()["UserID"] == 100


async def test_login_form_without_csrf_token_is_refused(client):
    url = authorize_url()
    await client.get(url)  # has a session cookie, but does not send its token
    r = await client.post(url, data={"action": "login", "nickname": "BookingUser",
                                     "password": PASSWORD})
    assert r.status_code == 403 and "location" not in r.headers
    assert 'id="allow"' not in (await client.get(url)).text  # not logged in


async def test_allow_with_csrf_token_of_another_session_is_refused(app, client):
    url = authorize_url()
    await log_in(client, url)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as attacker:
        theirs = csrf(await attacker.get(url))
    r = await client.post(url, data={"csrf_token": theirs, "action": "allow"})
    assert r.status_code == 403 and "location" not in r.headers


async def test_form_posted_without_session_cookie_is_refused(app):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        r = await c.post(authorize_url(), data={"csrf_token": "x", "action": "allow"})
    assert r.status_code == 403


async def test_wrong_password_shows_login_page_again(client):
    url = authorize_url()
    r = await log_in(client, url, password="wrong")
    assert r.status_code == 401 and "The nickname or password is wrong." in r.text
    r = await log_in(client, url, nickname="NoSuchUser")
    assert r.status_code == 401 and "The nickname or password is wrong." in r.text


async def test_login_limited_per_user_even_with_right_password_until_window_passes(client, clock):
    url = authorize_url()
    for _ in range(5):
        assert (await log_in(client, url, password="wrong")).status_code == 401
    r = await log_in(client, url)
    assert r.status_code == 429 and "Too many failed attempts" in r.text
    clock.set(START + timedelta(seconds=901))
    assert (await log_in(client, url)).status_code == 303


async def test_login_limited_per_ip_across_nicknames(client, app):
    url = authorize_url()
    for i in range(20):
        assert (await log_in(client, url, nickname=f"guess{i}", password="x")).status_code == 401
    r = await log_in(client, url, nickname="GroupMember")
    assert r.status_code == 429


async def test_session_cookie_is_signed_httponly_samesite_lax(client, app):
    url = authorize_url()
    r = await log_in(client, url)
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/OAuth" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    payload, mac = value.split(".")
    # The payload says which user: claim another one (Outsider, id 400) under the same MAC.
    import base64
    import orjson
    data = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data[0] = 400
    forged = base64.urlsafe_b64encode(orjson.dumps(data)).rstrip(b"=").decode() + "." + mac
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        genuine = await other.get(url, headers={"Cookie": f"phonechat_session={value}"})
        assert 'id="allow"' in genuine.text and "BookingUser" in genuine.text
        page = await other.get(url, headers={"Cookie": f"phonechat_session={forged}"})
    assert 'name="password"' in page.text and "Outsider" not in page.text


async def test_app_name_and_state_are_escaped_in_pages(client, db, clock):
    name = '<script>alert("x")</script>'
    client_id, _ = await service.create_app(db, clock.now(), name, "http://127.0.0.1:9/cb")
    url = authorize_url(client_id=client_id, redirect_uri="http://127.0.0.1:9/cb",
                        state='"><script>alert(1)</script>')
    page = await client.get(url)
    assert "<script>" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text


async def test_sandbox_users_log_in_with_documented_password_hashed_with_argon2id(client, db):
    async with db.connection() as conn:
        row = await oauth_store.user_login(conn, "GroupManager")
    assert row["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in row["password_hash"]
    assert (await log_in(client, authorize_url(), nickname="GroupManager")).status_code == 303


async def test_users_set_password_replaces_the_login_password(client, db):
    assert await service.set_password(db, 400, "a new long password")
    url = authorize_url()
    assert (await log_in(client, url, nickname="Outsider")).status_code == 401
    assert (await log_in(client, url, nickname="Outsider",
                         password="a new long password")).status_code == 303


@pytest.mark.parametrize("path", ["/OAuth/Authorize", "/OAuth/Apps"])
async def test_forms_must_be_form_encoded(client, path):
    url = authorize_url() if path == "/OAuth/Authorize" else path
    await client.get(url)
    r = await client.post(url, json={"action": "login"})
    assert r.status_code == 415


async def test_workers_sharing_a_database_accept_each_others_login_cookie(client, db_url,
                                                                         settings, clock):
    """Two workers (two app instances, two connection pools, no secret_key set) agree on
    the signing key kept in the database: log in on one, allow on the other."""
    from phonechat.api.factory import create_app
    from phonechat.store.db import open_database

    url = authorize_url()
    await log_in(client, url)
    page = await client.get(url)
    other_db = await open_database(db_url, pool_min=1, pool_max=2)
    try:
        other = create_app(settings, clock=clock, db=other_db)
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                     cookies=client.cookies) as second:
            r = await second.post(url, data={"csrf_token": csrf(page), "action": "allow"})
    finally:
        await other_db.close()
    assert r.status_code == 302 and query(r.headers["location"])["code"][0]


async def test_without_secret_key_the_cookie_is_signed_with_the_key_kept_in_the_database(
        client, db, clock):
    from phonechat.oauth.sessions import Signer, cookie_value

    r = await log_in(client, authorize_url())
    async with db.connection() as conn:
        key = await conn.fetchval(oauth_store.KEY, name="session")
    assert key and len(key) >= 40
    session = Signer(key, 3600).load(cookie_value(r.headers["set-cookie"].split(";")[0]),
                                     clock.now())
    assert session is not None and session.user_id == 100
    assert Signer("another key", 3600).load(
        cookie_value(r.headers["set-cookie"].split(";")[0]), clock.now()) is None
