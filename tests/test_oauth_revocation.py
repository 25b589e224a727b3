"""Taking access back: the user's authorized-apps page (per scope or entirely) and token
revocation by the app (RFC 7009)."""

from __future__ import annotations

import re

import httpx

from phonechat.domain.access import SCOPES
from phonechat.oauth import service

from .oauth_flow import APP, bearer, csrf, log_in, refresh, tokens


async def api_status(client, access_token: str, path: str = "/v1/Account/VerifyCredentials") -> int:
    return (await client.get(path, headers=bearer(access_token))).status_code


async def change(client, action: str, keep: list[str] = ()) -> httpx.Response:  # type: ignore[assignment]
    page = await client.get("/OAuth/Apps")
    return await client.post("/OAuth/Apps", data={
        "csrf_token": csrf(page), "action": action, "client_id": APP["client_id"],
        "scope": list(keep)})


async def test_apps_page_needs_login_then_lists_authorized_apps_and_scopes(app, client):
    await tokens(client, scope="account_phonechat_bookings account_information")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as fresh:
        page = await fresh.get("/OAuth/Apps")
        assert 'name="password"' in page.text and "Sandbox Demo App" not in page.text
        assert (await log_in(fresh, "/OAuth/Apps")).status_code == 303
        page = await fresh.get("/OAuth/Apps")
    assert "Sandbox Demo App" in page.text
    assert SCOPES["account_phonechat_bookings"] in page.text
    assert SCOPES["account_credits_history"] not in page.text


async def test_apps_page_lists_only_this_users_apps(app, client):
    await tokens(client)  # BookingUser allows the demo app
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        await log_in(other, "/OAuth/Apps", nickname="Outsider")
        page = await other.get("/OAuth/Apps")
        assert 'id="no-apps"' in page.text and "Sandbox Demo App" not in page.text
        r = await other.post("/OAuth/Apps", data={
            "csrf_token": csrf(page), "action": "revoke", "client_id": APP["client_id"]})
        assert r.status_code == 404


async def test_revoking_a_scope_stops_current_tokens_and_next_refresh_drops_it(client):
    first = await tokens(client)
    assert await api_status(client, first["access_token"]) == 200
    r = await change(client, "update", keep=["account_information"])
    assert r.status_code == 200 and "Your changes are saved." in r.text
    assert await api_status(client, first["access_token"]) == 401
    r = await refresh(client, first["refresh_token"])
    assert r.status_code == 200 and r.json()["scope"] == "account_information"
    second = r.json()
    assert await api_status(client, second["access_token"]) == 200
    assert await api_status(client, second["access_token"],
                            "/v1/PhoneChat/MadeBookingDetails?BookingID=1") == 403
    perms = (await client.get("/v1/Account/GetPermissions",
                              headers=bearer(second["access_token"]))).json()["Permissions"]
    assert {p["Permission"] for p in perms if p["Status"] == "granted"} == {"account_information"}


async def test_revoking_an_app_entirely_ends_its_tokens_and_refreshes(client):
    first = await tokens(client)
    r = await change(client, "revoke")
    assert r.status_code == 200 and 'id="no-apps"' in r.text
    assert await api_status(client, first["access_token"]) == 401
    r = await refresh(client, first["refresh_token"])
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


async def test_apps_page_forms_need_the_csrf_token(client):
    first = await tokens(client)
    r = await client.post("/OAuth/Apps", data={"action": "revoke",
                                               "client_id": APP["client_id"]})
    assert r.status_code == 403
    assert await api_status(client, first["access_token"]) == 200


async def test_logout_ends_the_login_session(client):
    await tokens(client)
    page = await client.get("/OAuth/Apps")
    r = await client.post("/OAuth/Apps", data={"csrf_token": csrf(page), "action": "logout"})
    assert "You are logged out." in r.text
    assert 'name="password"' in (await client.get("/OAuth/Apps")).text


async def revoke(client, token: str, hint: str | None = None, **over: str) -> httpx.Response:
    data = {"token": token, "client_id": APP["client_id"], "client_secret": APP["client_secret"]}
    if hint:
        data["token_type_hint"] = hint
    data.update(over)
    return await client.post("/OAuth/revoke", data=data)


async def test_rfc7009_revoking_an_access_token(client):
    first = await tokens(client)
    r = await revoke(client, first["access_token"], "access_token")
    assert r.status_code == 200
    assert await api_status(client, first["access_token"]) == 401
    assert (await refresh(client, first["refresh_token"])).status_code == 200


async def test_rfc7009_revoking_a_refresh_token_revokes_its_chain(client):
    first = await tokens(client)
    second = (await refresh(client, first["refresh_token"])).json()
    assert (await revoke(client, second["refresh_token"])).status_code == 200
    assert (await refresh(client, second["refresh_token"])).json()["error"] == "invalid_grant"
    assert await api_status(client, second["access_token"]) == 401


async def test_rfc7009_unknown_token_is_fine_and_other_clients_tokens_untouched(client, db,
                                                                                clock):
    first = await tokens(client)
    assert (await revoke(client, "no-such-token")).status_code == 200
    other_id, other_secret = await service.create_app(db, clock.now(), "Other",
                                                      APP["redirect_uri"])
    r = await revoke(client, first["access_token"], client_id=other_id,
                     client_secret=other_secret)
    assert r.status_code == 200
    assert await api_status(client, first["access_token"]) == 200


async def test_rfc7009_needs_client_authentication(client):
    first = await tokens(client)
    r = await revoke(client, first["access_token"], client_secret="wrong")
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    assert await api_status(client, first["access_token"]) == 200


async def test_consent_accumulates_in_the_users_grant(client):
    await tokens(client, scope="account_information")
    await tokens(client, scope="account_credits_history")
    page = (await client.get("/OAuth/Apps")).text
    ticked = re.findall(r'name="scope" value="([a-z_]+)"', page)
    assert ticked == ["account_information", "account_credits_history"]
