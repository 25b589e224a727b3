"""VerifyCredentials and GetPermissions follow the token's scopes; the original's whole
scope catalogue can be asked for through the real OAuth flow."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from phonechat import sandbox
from phonechat.domain.access import SCOPES, SERVED, token_hash
from phonechat.store import accounts
from tests.conftest import START, USERS, bearer
from tests.oauth_flow import authorize_url, log_in, tokens
from tests.oauth_flow import bearer as oauth_bearer

VERIFY = "/v1/account/verifyCredentials"  # as the page spells it
PERMISSIONS = "/v1/Account/GetPermissions"
NS_ACCOUNT = "http://schemas.datacontract.org/2004/07/API.Models.Account"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PUBLISHED = ["userid", "nickname", "profile_about", "account_information",
             "account_phonechat_bookings", "account_credits_history", "account_escort_bookings",
             "account_communications", "profile_hotlist", "profile_blacklist",
             "profile_services", "profile_gallery", "account_webcam_bookings"]


async def _token(db: Any, role: str, scopes: str) -> dict[str, str]:
    name = f"test-{role}-{scopes.replace(' ', '+') or 'none'}"
    async with db.transaction() as tx:
        await accounts.insert_token(tx, token_hash=token_hash(name), user_id=USERS[role]["UserID"],
                                    scopes=scopes, expires_at=START + timedelta(days=1), at=START)
    return {"Authorization": f"bearer {name}"}


# --- the catalogue ----------------------------------------------------------------------


def test_the_catalogue_holds_every_published_scope_name() -> None:
    assert set(SCOPES) == set(PUBLISHED)
    assert list(SCOPES)[:3] == ["userid", "nickname", "profile_about"]  # GetPermissions' sample
    assert SERVED < set(SCOPES)


def test_sandbox_user_tokens_carry_every_scope_and_one_lacks_phonechat() -> None:
    assert sandbox.ALL_SCOPES.split() == list(SCOPES)
    assert sandbox.TOKEN_WITHOUT_PHONECHAT in sandbox.manifest()["tokens"].values()


async def test_an_original_client_asking_userid_nickname_phonechat_gets_a_token(client) -> None:
    body = await tokens(client, scope="userid nickname account_phonechat_bookings")
    headers = oauth_bearer(body["access_token"])
    r = await client.get(PERMISSIONS, headers=headers)
    assert r.status_code == 200
    assert r.json() == {"Permissions": [
        {"Permission": "userid", "Status": "granted"},
        {"Permission": "nickname", "Status": "granted"},
        {"Permission": "account_phonechat_bookings", "Status": "granted"},
    ]}
    r = await client.get("/v1/PhoneChat/MadeBookingDetails?BookingID=1", headers=headers)
    assert r.status_code == 200
    r = await client.get(VERIFY, headers=headers)
    assert r.json() == {"UserID": 100, "Nickname": "BookingUser"}
    r = await client.get("/v1/CreditHistory/GetCurrentCreditBalance", headers=headers)
    assert r.status_code == 403


async def test_scopes_we_do_not_serve_may_be_granted_and_the_consent_page_says_so(client) -> None:
    url = authorize_url(scope="profile_gallery account_phonechat_bookings")
    page = await log_in(client, url)
    page = await client.get(url)
    assert page.status_code == 200
    gallery = page.text.split('data-scope="profile_gallery"')[1].split("</li>")[0]
    phonechat = page.text.split('data-scope="account_phonechat_bookings"')[1].split("</li>")[0]
    assert "not used by this service" in gallery and "not used" not in phonechat
    body = await tokens(client, scope="profile_gallery")
    r = await client.get(PERMISSIONS, headers=oauth_bearer(body["access_token"]))
    assert r.json() == {"Permissions": [{"Permission": "profile_gallery", "Status": "granted"}]}


async def test_no_scope_asked_grants_the_whole_catalogue(client) -> None:
    body = await tokens(client, scope=None)
    r = await client.get(PERMISSIONS, headers=oauth_bearer(body["access_token"]))
    assert [p["Permission"] for p in r.json()["Permissions"]] == list(SCOPES)


# --- GetPermissions ---------------------------------------------------------------------


async def test_get_permissions_lists_only_what_was_granted(client) -> None:
    r = await client.get(PERMISSIONS, headers=bearer("client"))
    assert r.json() == {"Permissions": [{"Permission": s, "Status": "granted"} for s in SCOPES]}
    token = sandbox.TOKEN_WITHOUT_PHONECHAT
    r = await client.get(PERMISSIONS, headers={"Authorization": f"Bearer {token}"})
    assert [p["Permission"] for p in r.json()["Permissions"]] == [
        s for s in SCOPES if s != "account_phonechat_bookings"]
    assert {p["Status"] for p in r.json()["Permissions"]} == {"granted"}


async def test_get_permissions_in_xml(client, db) -> None:
    headers = await _token(db, "client", "nickname userid")
    r = await client.get(PERMISSIONS, headers=headers | {"Accept": "text/xml"})
    assert r.headers["content-type"] == "text/xml; charset=utf-8"
    items = "".join(f"<Permission><Permission>{s}</Permission><Status>granted</Status></Permission>"
                    for s in ("userid", "nickname"))
    assert r.text == (f'<Permissions xmlns:i="{XSI}" xmlns="{NS_ACCOUNT}">'
                      f'<Permissions>{items}</Permissions></Permissions>')


# --- VerifyCredentials ------------------------------------------------------------------


async def test_verify_credentials_with_every_scope_in_the_published_order(client) -> None:
    r = await client.get(VERIFY, headers=bearer("manager"))
    assert r.status_code == 200
    assert list(r.json().items()) == [
        ("UserID", 300), ("EmailAddress", "groupmanager@example.com"), ("IsAgeVerified", True),
        ("GroupID", 10), ("GroupName", "Demo Agency"), ("IsGroupManager", True),
        ("UserTypeID", 1), ("UserType", "Offering Services"), ("Nickname", "GroupManager"),
    ]
    r = await client.get(VERIFY, headers=bearer("member"))
    assert (r.json()["GroupID"], r.json()["IsGroupManager"]) == (10, False)
    r = await client.get(VERIFY, headers=bearer("outsider"))
    assert r.json() == {"UserID": 400, "EmailAddress": None, "IsAgeVerified": False,
                        "GroupID": None, "GroupName": None, "IsGroupManager": False,
                        "UserTypeID": 2, "UserType": "Seeking Services", "Nickname": "Outsider"}


async def test_verify_credentials_in_xml_is_alphabetical_with_nil_for_no_group(client) -> None:
    r = await client.get(VERIFY, headers=bearer("client") | {"Accept": "application/xml"})
    assert r.text == (
        f'<VerifyCredentials xmlns:i="{XSI}" xmlns="{NS_ACCOUNT}">'
        '<EmailAddress>bookinguser@example.com</EmailAddress><GroupID i:nil="true" />'
        '<GroupName i:nil="true" /><IsAgeVerified>true</IsAgeVerified>'
        '<IsGroupManager>false</IsGroupManager><Nickname>BookingUser</Nickname>'
        '<UserID>100</UserID><UserType>Seeking Services</UserType><UserTypeID>2</UserTypeID>'
        '</VerifyCredentials>')


@pytest.mark.parametrize(("scopes", "members"), [
    ("", ["UserID"]),
    ("userid", ["UserID"]),
    ("account_phonechat_bookings", ["UserID"]),
    ("nickname", ["UserID", "Nickname"]),
    ("account_information", ["UserID", "EmailAddress", "IsAgeVerified", "GroupID", "GroupName",
                             "IsGroupManager", "UserTypeID", "UserType"]),
])
async def test_members_without_their_scope_are_left_out(client, db, scopes, members) -> None:
    headers = await _token(db, "client", scopes)
    r = await client.get(VERIFY, headers=headers)
    assert r.status_code == 200 and list(r.json()) == members
    xml = (await client.get(VERIFY, headers=headers | {"Accept": "text/xml"})).text
    assert [m for m in sorted(members) if f"<{m}>" in xml or f"<{m} " in xml] == sorted(members)
    assert xml.count("</") + xml.count("/>") == len(members) + 1  # nothing else in it


async def test_a_missing_scope_on_a_served_endpoint_is_403_not_an_empty_answer(client, db) -> None:
    headers = await _token(db, "client", "userid nickname")
    r = await client.get("/v1/PhoneChat/MadeBookings", headers=headers)
    assert r.status_code == 403 and "account_phonechat_bookings" in r.json()["Message"]
