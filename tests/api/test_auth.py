"""Authentication and scopes: every way a token can fail, and what the account
endpoints tell about a token."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from phonechat import sandbox
from phonechat.domain.access import token_hash
from phonechat.store.db import Query
from phonechat.store.tables import access_tokens as t
from tests.conftest import USERS, bearer

DETAILS = "/v1/PhoneChat/MadeBookingDetails?BookingID=1"
DENIED = {"Message": "Authorization has been denied for this request."}
MANIFEST = sandbox.manifest()


def _assert_401(r, xml: bool = False, reason: str | None = None) -> None:
    """The original's body; RFC 6750's challenge, with invalid_token when a token was sent."""
    assert r.status_code == 401
    if reason is None:
        assert r.headers["www-authenticate"] == "Bearer"
    else:
        assert r.headers["www-authenticate"] == \
            f'Bearer error="invalid_token", error_description="{reason}"'
    if xml:
        assert r.text == "<Error><Message>Authorization has been denied for this request.</Message></Error>"
    else:
        assert r.json() == DENIED


async def test_no_authorization_header_is_401(client) -> None:
    _assert_401(await client.get(DETAILS))


UNKNOWN = "The access token is not known."
EXPIRED = "The access token expired."


@pytest.mark.parametrize("value,reason", [
    ("Basic c2FuZGJveC1jbGllbnQ6eA==", None),  # wrong scheme
    ("Basic sandbox-client", None),  # a valid token under the wrong scheme
    ("Bearer", None),  # no token
    ("Bearer ", None),  # empty token
    ("Bearer    ", None),
    ("sandbox-client", None),  # no scheme at all
    ("Bearer not-a-token", UNKNOWN),  # unknown
    ("Bearer sandbox-client-with-a-tail", UNKNOWN),
    (f"Bearer {MANIFEST['tokens']['client_expired']}", EXPIRED),  # expired
    ("", None),
], ids=["basic", "basic-valid-token", "scheme-only", "empty", "blank", "no-scheme",
        "unknown", "near-miss", "expired", "empty-header"])
async def test_bad_authorization_is_401_with_www_authenticate(client, value, reason) -> None:
    _assert_401(await client.get(DETAILS, headers={"Authorization": value}), reason=reason)


async def test_401_is_negotiated_as_xml(client) -> None:
    r = await client.get(DETAILS, headers={"Accept": "application/xml"})
    _assert_401(r, xml=True)
    assert r.headers["content-type"] == "application/xml; charset=utf-8"


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
async def test_bearer_scheme_is_case_insensitive(client, scheme) -> None:
    token = USERS["client"]["AccessToken"]
    r = await client.get(DETAILS, headers={"Authorization": f"{scheme} {token}"})
    assert r.status_code == 200


async def test_token_without_phonechat_scope_is_403_naming_the_scope(client) -> None:
    token = MANIFEST["tokens"]["client_without_phonechat_scope"]
    r = await client.get(DETAILS, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403
    assert r.json() == {"Message": "This request needs the scope 'account_phonechat_bookings', "
                                   "which the access token was not granted."}
    assert r.headers["www-authenticate"] == \
        'Bearer error="insufficient_scope", scope="account_phonechat_bookings"'
    r = await client.post("/v1/PhoneChat/CancelMadeBooking",
                          headers={"Authorization": f"Bearer {token}"},
                          json={"BookingID": 3, "Reason": "x"})
    assert r.status_code == 403


async def test_scope_is_checked_before_input(client) -> None:
    """A token without the scope learns nothing, not even that its input was bad."""
    token = MANIFEST["tokens"]["client_without_phonechat_scope"]
    r = await client.get("/v1/PhoneChat/MadeBookingDetails?BookingID=abc",
                         headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403


async def test_auth_is_checked_before_input(client) -> None:
    r = await client.get("/v1/PhoneChat/MadeBookingDetails?BookingID=abc")
    assert r.status_code == 401
    r = await client.post("/v1/PhoneChat/CancelMadeBooking", content=b"{not json",
                          headers={"Content-Type": "application/json"})
    assert r.status_code == 401


async def test_verify_credentials_still_needs_a_valid_token(client) -> None:
    _assert_401(await client.get("/v1/Account/VerifyCredentials"))
    expired = MANIFEST["tokens"]["client_expired"]
    _assert_401(await client.get("/v1/Account/VerifyCredentials",
                                 headers={"Authorization": f"Bearer {expired}"}), reason=EXPIRED)


async def test_revoked_token_is_401(client, db) -> None:
    revoke = Query(t.update().where(t.c.token_hash == sa.bindparam("h"))
                   .values(revoked_at=sa.bindparam("at")))
    async with db.transaction() as tx:
        await tx.execute(revoke, h=token_hash(USERS["client"]["AccessToken"]),
                         at=datetime(2018, 1, 1))
    _assert_401(await client.get(DETAILS, headers=bearer("client")),
                reason="The access token was revoked.")


async def test_token_expiring_is_judged_by_the_service_clock(client, clock) -> None:
    """The sandbox tokens expire ten years after seeding: move the clock past that."""
    clock.set(clock.now().replace(year=clock.now().year + 11))
    _assert_401(await client.get(DETAILS, headers=bearer("client")), reason=EXPIRED)
