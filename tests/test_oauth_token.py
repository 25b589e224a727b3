"""The token endpoint: code exchange, PKCE, client authentication, refresh rotation and
chain revocation, lifetimes, and the RFC 6749 error bodies."""

from __future__ import annotations

import base64
from datetime import timedelta
from urllib.parse import quote

from phonechat.domain.access import token_hash
from phonechat.oauth import service
from phonechat.store import oauth as oauth_store

from .conftest import START
from .oauth_flow import (APP, bearer, exchange, get_code, pkce_pair, query, refresh,
                         tokens)


async def api_status(client, access_token: str, path: str = "/v1/Account/VerifyCredentials") -> int:
    return (await client.get(path, headers=bearer(access_token))).status_code


async def test_code_exchange_answers_bearer_tokens_not_to_be_cached(client, db):
    r = await exchange(client, await get_code(client))
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store" and r.headers["pragma"] == "no-cache"
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["access_token"] and body["refresh_token"]
    me = await client.get("/v1/Account/VerifyCredentials", headers=bearer(body["access_token"]))
    assert me.json()["UserID"] == 100
    details = await client.get("/v1/PhoneChat/MadeBookingDetails?BookingID=1",
                               headers=bearer(body["access_token"]))
    assert details.status_code == 200 and details.json()["BookingID"] == 1
    async with db.connection() as conn:  # only hashes are stored
        assert await oauth_store.refresh(conn, body["refresh_token"]) is None
        assert await oauth_store.refresh(conn, token_hash(body["refresh_token"])) is not None


async def test_get_permissions_shows_what_the_token_was_granted(client):
    body = await tokens(client, scope="account_information")
    r = await client.get("/v1/Account/GetPermissions", headers=bearer(body["access_token"]))
    assert r.json() == {"Permissions": [{"Permission": "account_information", "Status": "granted"}]}
    assert await api_status(client, body["access_token"],
                            "/v1/PhoneChat/MadeBookingDetails?BookingID=1") == 403


async def test_client_may_authenticate_with_http_basic(client):
    code = await get_code(client)
    creds = f"{quote(APP['client_id'])}:{quote(APP['client_secret'])}"
    r = await client.post("/OAuth/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": APP["redirect_uri"]},
        headers={"Authorization": "Basic " + base64.b64encode(creds.encode()).decode()})
    assert r.status_code == 200 and r.json()["access_token"]


async def test_wrong_client_secret_is_invalid_client(client):
    code = await get_code(client)
    r = await exchange(client, code, client_secret="not-the-secret")
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = await exchange(client, code, client_secret=None)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    assert (await exchange(client, code)).status_code == 200  # the code was not spent


async def test_reused_code_is_refused_and_revokes_the_tokens_it_issued(client):
    code = await get_code(client)
    first = (await exchange(client, code)).json()
    r = await exchange(client, code)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert await api_status(client, first["access_token"]) == 401
    assert (await refresh(client, first["refresh_token"])).json()["error"] == "invalid_grant"


async def test_expired_code_is_refused(client, clock):
    code = await get_code(client)
    clock.set(START + timedelta(seconds=301))
    r = await exchange(client, code)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


async def test_code_bound_to_redirect_uri_and_client(client, db, clock):
    code = await get_code(client)
    r = await exchange(client, code, redirect_uri="http://127.0.0.1:8765/other")
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    other_id, other_secret = await service.create_app(db, clock.now(), "Other",
                                                      APP["redirect_uri"])
    r = await exchange(client, code, client_id=other_id, client_secret=other_secret)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


async def test_pkce_s256_verifier_accepted(client):
    verifier, challenge = pkce_pair()
    code = await get_code(client, code_challenge=challenge, code_challenge_method="S256")
    assert (await exchange(client, code, code_verifier=verifier)).status_code == 200


async def test_pkce_mismatched_verifier_refused(client):
    verifier, challenge = pkce_pair()
    code = await get_code(client, code_challenge=challenge, code_challenge_method="S256")
    r = await exchange(client, code, code_verifier=verifier + "x")
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


async def test_pkce_verifier_required_once_challenge_was_sent(client):
    _, challenge = pkce_pair()
    code = await get_code(client, code_challenge=challenge, code_challenge_method="S256")
    r = await exchange(client, code)
    assert r.status_code == 400 and r.json()["error"] in ("invalid_request", "invalid_grant")


async def test_pkce_plain_method_is_not_accepted(client):
    r = await client.get("/OAuth/Authorize?" + "&".join([
        "response_type=code", f"client_id={APP['client_id']}",
        f"redirect_uri={quote(APP['redirect_uri'], safe='')}", "state=xyz",
        "code_challenge=" + "a" * 43, "code_challenge_method=plain"]))
    assert r.status_code == 302 and query(r.headers["location"])["error"] == ["invalid_request"]


async def test_refresh_rotates_the_refresh_token(client):
    first = await tokens(client)
    r = await refresh(client, first["refresh_token"])
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert await api_status(client, second["access_token"]) == 200
    third = await refresh(client, second["refresh_token"])
    assert third.status_code == 200


async def test_reused_refresh_token_revokes_the_whole_chain(client):
    first = await tokens(client)
    second = (await refresh(client, first["refresh_token"])).json()
    r = await refresh(client, first["refresh_token"])  # the old link, again
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert (await refresh(client, second["refresh_token"])).json()["error"] == "invalid_grant"
    assert await api_status(client, first["access_token"]) == 401
    assert await api_status(client, second["access_token"]) == 401


async def test_expired_refresh_token_gets_401_refresh_token_has_expired(client, clock):
    first = await tokens(client)
    clock.set(START + timedelta(days=14, seconds=1))
    r = await refresh(client, first["refresh_token"])
    assert r.status_code == 401 and r.json() == {"error": "refresh_token_has_expired"}
    assert r.headers["cache-control"] == "no-store"


async def test_refresh_token_lives_fourteen_days(client, clock):
    first = await tokens(client)
    clock.set(START + timedelta(days=14, seconds=-1))
    assert (await refresh(client, first["refresh_token"])).status_code == 200


async def test_access_token_expires_after_its_lifetime(client, clock):
    first = await tokens(client)
    clock.set(START + timedelta(seconds=3599))
    assert await api_status(client, first["access_token"]) == 200
    clock.set(START + timedelta(seconds=3600))
    assert await api_status(client, first["access_token"]) == 401


async def test_refresh_token_of_another_client_is_refused(client, db, clock):
    first = await tokens(client)
    other_id, other_secret = await service.create_app(db, clock.now(), "Other",
                                                      APP["redirect_uri"])
    r = await refresh(client, first["refresh_token"], client_id=other_id,
                      client_secret=other_secret)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert (await refresh(client, first["refresh_token"])).status_code == 200


async def test_refresh_cannot_widen_scope(client):
    first = await tokens(client, scope="account_information")
    r = await refresh(client, first["refresh_token"], scope="account_phonechat_bookings")
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"


async def test_unsupported_grant_type_and_missing_parameters_get_rfc6749_errors(client):
    r = await client.post("/OAuth/token", data={"grant_type": "password", "username": "x",
                                                "password": "y"})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = await exchange(client, None)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


async def test_token_endpoint_takes_only_form_encoded_posts(client):
    r = await client.post("/OAuth/token", json={"grant_type": "authorization_code"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    r = await client.get("/OAuth/token")
    assert r.status_code == 405


async def test_rotated_secret_replaces_the_old_one(client, db):
    code = await get_code(client)
    new_secret = await service.rotate_secret(db, APP["client_id"])
    assert (await exchange(client, code)).status_code == 401
    assert (await exchange(client, code, client_secret=new_secret)).status_code == 200


async def test_disabled_app_tokens_stop_working_and_it_gets_no_new_ones(client, db):
    first = await tokens(client)
    assert await api_status(client, first["access_token"]) == 200
    await service.set_disabled(db, APP["client_id"], True)
    assert await api_status(client, first["access_token"]) == 401
    r = await refresh(client, first["refresh_token"])
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    await service.set_disabled(db, APP["client_id"], False)
    assert await api_status(client, first["access_token"]) == 200
