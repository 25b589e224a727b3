"""What the RFCs beside RFC 6749 expect: public clients (RFC 8252), introspection
(RFC 7662), server metadata (RFC 8414) and a revocation answer that parses as JSON."""

from __future__ import annotations

import base64
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from phonechat.domain.access import SCOPES
from phonechat.oauth import service

from .conftest import START
from .oauth_flow import (APP, authorize_url, bearer, exchange, get_code, pkce_pair, query,
                         refresh, tokens)

NATIVE_URI = "http://127.0.0.1/callback"


@pytest.fixture
async def native_app(db, clock) -> str:
    client_id, secret = await service.create_app(db, clock.now(), "Native App", NATIVE_URI,
                                                 public=True)
    assert secret is None
    return client_id


async def native_tokens(client, client_id: str,
                        redirect_uri: str = "http://127.0.0.1:49152/callback"):
    verifier, challenge = pkce_pair()
    code = await get_code(client, client_id=client_id, redirect_uri=redirect_uri,
                          code_challenge=challenge, code_challenge_method="S256")
    return await exchange(client, code, client_id=client_id, client_secret=None,
                          redirect_uri=redirect_uri, code_verifier=verifier)


async def test_public_client_gets_tokens_with_pkce_and_its_client_id_alone(client, native_app):
    r = await native_tokens(client, native_app)
    assert r.status_code == 200, r.text
    me = await client.get("/v1/Account/VerifyCredentials", headers=bearer(r.json()["access_token"]))
    assert me.json()["Nickname"] == "BookingUser"


async def test_public_client_may_name_itself_as_the_basic_user_with_no_password(
        client, native_app):
    """What requests-oauthlib sends by default for a client without a secret."""
    verifier, challenge = pkce_pair()
    code = await get_code(client, client_id=native_app, redirect_uri=NATIVE_URI,
                          code_challenge=challenge, code_challenge_method="S256")
    basic = base64.b64encode(f"{native_app}:".encode()).decode()
    r = await client.post("/OAuth/token", headers={"Authorization": f"Basic {basic}"}, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": NATIVE_URI,
        "code_verifier": verifier})
    assert r.status_code == 200, r.text


async def test_public_client_is_refused_without_pkce(client, native_app):
    r = await client.get(authorize_url(client_id=native_app, redirect_uri=NATIVE_URI))
    assert r.status_code == 302
    q = query(r.headers["location"])
    assert q["error"] == ["invalid_request"] and q["state"] == ["xyz"] and "code" not in q


async def test_public_client_exchange_without_the_verifier_is_refused(client, native_app):
    _, challenge = pkce_pair()
    code = await get_code(client, client_id=native_app, redirect_uri=NATIVE_URI,
                          code_challenge=challenge, code_challenge_method="S256")
    r = await exchange(client, code, client_id=native_app, client_secret=None,
                       redirect_uri=NATIVE_URI)
    assert r.status_code == 400 and r.json()["error"] in ("invalid_request", "invalid_grant")


async def test_public_client_may_not_use_the_implicit_flow(client, native_app):
    r = await client.get(f"/OAuth/Authorize?response_type=token&client_id={native_app}"
                         f"&redirect_uri={NATIVE_URI}&state=xyz")
    assert r.status_code == 302 and "error=unauthorized_client" in r.headers["location"]


async def test_public_client_refresh_tokens_rotate_and_a_reused_one_revokes_the_chain(
        client, native_app):
    first = (await native_tokens(client, native_app)).json()
    r = await refresh(client, first["refresh_token"], client_id=native_app, client_secret=None)
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    again = await refresh(client, first["refresh_token"], client_id=native_app,
                          client_secret=None)
    assert again.json()["error"] == "invalid_grant"
    me = await client.get("/v1/Account/VerifyCredentials", headers=bearer(second["access_token"]))
    assert me.status_code == 401


async def test_confidential_client_still_needs_its_secret(client):
    code = await get_code(client)
    r = await exchange(client, code, client_secret=None)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


async def test_public_client_has_no_secret_to_rotate(db, native_app):
    assert await service.rotate_secret(db, native_app) is None


@pytest.mark.parametrize("uri,allowed", [
    ("http://127.0.0.1:49152/callback", True),
    ("http://127.0.0.1:1/callback", True),
    ("http://127.0.0.1/callback", True),
    ("http://127.0.0.1:49152/other", False),
    ("http://127.0.0.1:49152/callback?x=1", False),
    ("http://localhost:49152/callback", False),
    ("https://127.0.0.1:49152/callback", False),
    ("http://user@127.0.0.1:49152/callback", False),
    ("http://127.0.0.1:port/callback", False),
])
async def test_loopback_redirect_uri_may_use_any_port(client, native_app, uri, allowed):
    _, challenge = pkce_pair()
    r = await client.get(f"/OAuth/Authorize?response_type=code&client_id={native_app}"
                         f"&redirect_uri={uri.replace('?', '%3F').replace('=', '%3D')}"
                         f"&state=xyz&code_challenge={challenge}&code_challenge_method=S256")
    assert (r.status_code == 200) is allowed, (r.status_code, r.headers.get("location"))


async def test_non_loopback_redirect_uri_must_match_exactly_port_included(client, db, clock):
    client_id, _ = await service.create_app(db, clock.now(), "Web", "http://app.example:8080/cb")
    r = await client.get(f"/OAuth/Authorize?response_type=code&client_id={client_id}"
                         "&redirect_uri=http://app.example:9090/cb")
    assert r.status_code == 400 and "location" not in r.headers


async def test_revocation_answers_json_that_parses(client):
    first = await tokens(client)
    r = await client.post("/OAuth/revoke", data={
        "token": first["access_token"], "client_id": APP["client_id"],
        "client_secret": APP["client_secret"]})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.json() == {}


async def test_metadata_describes_the_server(client):
    r = await client.get("/.well-known/oauth-authorization-server")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    m = r.json()
    assert m["issuer"] == "http://testserver"
    assert m["authorization_endpoint"] == "http://testserver/OAuth/Authorize"
    assert m["token_endpoint"] == "http://testserver/OAuth/token"
    assert m["revocation_endpoint"] == "http://testserver/OAuth/revoke"
    assert m["introspection_endpoint"] == "http://testserver/OAuth/introspect"
    assert m["scopes_supported"] == list(SCOPES)
    assert m["response_types_supported"] == ["code", "token"]
    assert m["grant_types_supported"] == ["authorization_code", "implicit", "refresh_token"]
    assert m["code_challenge_methods_supported"] == ["S256"]
    assert set(m["token_endpoint_auth_methods_supported"]) == {
        "client_secret_post", "client_secret_basic", "none"}


async def introspect(client, token: str, **over):
    data = {"token": token, "client_id": APP["client_id"], "client_secret": APP["client_secret"]}
    data.update(over)
    return await client.post("/OAuth/introspect", data={k: v for k, v in data.items() if v})


async def test_introspection_of_an_active_access_token(client, settings):
    first = await tokens(client, scope="account_information")
    r = await introspect(client, first["access_token"])
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    expires = (START + timedelta(seconds=3600)).replace(tzinfo=ZoneInfo(settings.timezone))
    assert r.json() == {"active": True, "scope": "account_information",
                        "client_id": APP["client_id"], "username": "BookingUser",
                        "exp": int(expires.timestamp()), "token_type": "bearer"}


async def test_introspection_of_a_refresh_token_and_of_spent_ones(client):
    first = await tokens(client)
    r = await introspect(client, first["refresh_token"], token_type_hint="refresh_token")
    assert r.json()["active"] is True and r.json()["username"] == "BookingUser"
    assert "token_type" not in r.json()
    await refresh(client, first["refresh_token"])
    assert (await introspect(client, first["refresh_token"])).json() == {"active": False}


async def test_introspection_says_inactive_for_unknown_expired_revoked_and_others_tokens(
        client, db, clock):
    first = await tokens(client)
    assert (await introspect(client, "no-such-token")).json() == {"active": False}
    other_id, other_secret = await service.create_app(db, clock.now(), "Other",
                                                      APP["redirect_uri"])
    r = await introspect(client, first["access_token"], client_id=other_id,
                         client_secret=other_secret)
    assert r.json() == {"active": False}
    clock.set(START + timedelta(seconds=3600))
    assert (await introspect(client, first["access_token"])).json() == {"active": False}


async def test_introspection_needs_client_authentication(client):
    first = await tokens(client)
    r = await introspect(client, first["access_token"], client_secret="wrong")
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = await client.post("/OAuth/introspect", data={"token": first["access_token"]})
    assert r.status_code == 401
