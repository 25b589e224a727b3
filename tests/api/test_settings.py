"""GetSettings, SaveSettings and GetUserBookingRequirements in the original's shape: the
published members in the published order (JSON and XML), original-shaped requests,
replace vs merge, XML read back, refusals naming the field, and two first saves at once.

Seed: the candidate takes Methods 1-3 at 0.5 (+447700900123, booked.user); the member
offers DirectChat only; the outsider has never saved settings."""

from __future__ import annotations

import asyncio
from xml.etree import ElementTree as ET

import pytest
import sqlalchemy as sa

from phonechat.store.db import Query
from phonechat.store.tables import phonechat_settings
from tests.conftest import USERS, bearer
from tests.lifecycle_helpers import CANDIDATE, get, post

NS = "{http://schemas.datacontract.org/2004/07/API.Models.PhoneChat.Settings}"
NS_BOOKINGS = "{http://schemas.datacontract.org/2004/07/API.Models.PhoneChat.Bookings}"
ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
XML = {"Accept": "application/xml"}
ORIGINAL_MEMBERS = ["OfferDirectChat", "DirectChat", "PhoneChatNumber", "ShowPhoneChatNumber",
                    "PhoneChatPPM"]
EXTENSIONS = ["TakesBookings", "Methods", "SkypeName"]
# The done-when body: an existing client of the original, as it saves today.
ORIGINAL_BODY = {"OfferDirectChat": False, "PhoneChatNumber": "+447700900123",
                 "PhoneChatPPM": 1.5}
MEMBER, MANAGER, OUTSIDER = (USERS[r]["UserID"] for r in ("member", "manager", "outsider"))
NEW_BOOKING = {"SessionDate": "2018-01-25 20:00", "Duration": 10, "Method": 1,
               "PhoneNumber": "07700900456", "Credits": 6, "AcceptBy": "2018-01-24 20:00"}


def _children(xml: bytes) -> list[str]:
    return [c.tag.removeprefix(NS).removeprefix(NS_BOOKINGS) for c in ET.fromstring(xml)]


async def _xml_post(client, role: str, op: str, body: bytes):
    return await client.post(f"/v1/PhoneChat/{op}", content=body, headers={
        **bearer(role), "Content-Type": "application/xml"})


# --- GetSettings ---------------------------------------------------------------------------


async def test_get_settings_has_the_original_members_in_order_then_the_extensions(client):
    r = await get(client, "candidate", "GetSettings")
    assert r.status_code == 200
    assert list(r.json()) == ORIGINAL_MEMBERS + EXTENSIONS
    r = await get(client, "member", "GetSettings")
    assert r.json()["DirectChat"] == {"DirectChatOnly": True}


async def test_get_settings_in_xml_is_a_data_contract_in_ordinal_order(client):
    r = await client.get("/v1/PhoneChat/GetSettings", headers={**bearer("candidate"), **XML})
    root = ET.fromstring(r.content)
    assert root.tag == f"{NS}PhoneChatSettings"
    assert _children(r.content) == sorted(ORIGINAL_MEMBERS + EXTENSIONS)
    assert '<DirectChat i:nil="true" />' in r.text
    assert "<PhoneChatNumber>+447700900123</PhoneChatNumber>" in r.text
    assert "<PhoneChatPPM>0.5000</PhoneChatPPM>" in r.text
    assert "<ShowPhoneChatNumber>false</ShowPhoneChatNumber>" in r.text
    # a member of the root is at depth 2: its prefix is d4p1, as the sample's Candidate's
    assert (f'<Methods xmlns:d4p1="{ARRAYS}"><d4p1:int>1</d4p1:int><d4p1:int>2</d4p1:int>'
            "<d4p1:int>3</d4p1:int></Methods>") in r.text
    r = await client.get("/v1/PhoneChat/GetSettings", headers={**bearer("member"), **XML})
    assert "<DirectChat><DirectChatOnly>true</DirectChatOnly></DirectChat>" in r.text


async def test_never_saved_settings_have_no_price_and_self_closed_empty_methods(client):
    r = await get(client, "outsider", "GetSettings")
    assert r.json() == {"OfferDirectChat": False, "DirectChat": None, "PhoneChatNumber": None,
                        "ShowPhoneChatNumber": False, "PhoneChatPPM": None,
                        "TakesBookings": False, "Methods": [], "SkypeName": None}
    r = await client.get("/v1/PhoneChat/GetSettings", headers={**bearer("outsider"), **XML})
    assert '<PhoneChatPPM i:nil="true" />' in r.text
    assert f'<Methods xmlns:d4p1="{ARRAYS}" />' in r.text


# --- SaveSettings --------------------------------------------------------------------------


async def test_an_original_shaped_save_is_answered_and_read_back(client):
    r = await post(client, "candidate", "SaveSettings", ORIGINAL_BODY)
    assert r.status_code == 200, r.text
    assert list(r.json()) == ORIGINAL_MEMBERS + EXTENSIONS
    seen = (await get(client, "candidate", "GetSettings")).json()
    assert seen == r.json()
    assert {k: seen[k] for k in ORIGINAL_BODY} == ORIGINAL_BODY
    assert seen["DirectChat"] is None and seen["ShowPhoneChatNumber"] is False


async def test_save_replaces_the_original_members_and_keeps_omitted_extensions(client):
    r = await post(client, "candidate", "SaveSettings", {"OfferDirectChat": True,
                                                         "DirectChat": {"DirectChatOnly": False},
                                                         "PhoneChatPPM": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["PhoneChatNumber"] is None  # omitted: none (the original's member, replaced)
    assert body["DirectChat"] == {"DirectChatOnly": False} and body["PhoneChatPPM"] == 2
    # the extensions were not sent: kept as they were
    assert (body["TakesBookings"], body["Methods"], body["SkypeName"]) == (True, [1, 2, 3],
                                                                           "booked.user")
    # Method 2 needs the number the client calls: no longer available
    r = await get(client, "client", "GetUserBookingRequirements", BookUserID=CANDIDATE)
    assert [m["Available"] for m in r.json()["Methods"]] == [True, False, True]


async def test_a_first_save_without_extensions_takes_phone_bookings(client):
    r = await post(client, "outsider", "SaveSettings", ORIGINAL_BODY)
    assert r.status_code == 200, r.text
    assert (r.json()["TakesBookings"], r.json()["Methods"]) == (True, [1, 2])
    r = await get(client, "client", "GetUserBookingRequirements", BookUserID=OUTSIDER)
    assert r.json()["PhoneChatPPM"] == 1.5
    assert [m["Available"] for m in r.json()["Methods"]] == [True, True, False]
    r = await post(client, "client", "CreateBooking", {**NEW_BOOKING, "BookUserID": OUTSIDER,
                                                       "Credits": 15})
    assert r.status_code == 200, r.text


async def test_extensions_can_be_changed(client):
    r = await post(client, "candidate", "SaveSettings", {
        **ORIGINAL_BODY, "TakesBookings": False, "Methods": [3], "SkypeName": "new.name"})
    assert r.status_code == 200, r.text
    assert (r.json()["TakesBookings"], r.json()["Methods"], r.json()["SkypeName"]) == (
        False, [3], "new.name")
    r = await get(client, "client", "GetUserBookingRequirements", BookUserID=CANDIDATE)
    assert r.status_code == 400  # no longer takes bookings


async def test_the_group_variant_saves_a_members_settings(client):
    r = await client.post("/v1/Groups/PhoneChat/SaveSettings", headers=bearer("manager"),
                          json={**ORIGINAL_BODY, "UserID": MEMBER})
    assert r.status_code == 200, r.text
    r = await client.get(f"/v1/Groups/PhoneChat/GetSettings?UserID={MEMBER}",
                         headers=bearer("manager"))
    assert r.json()["PhoneChatNumber"] == "+447700900123" and r.json()["DirectChat"] is None


@pytest.mark.parametrize("change, field, words", [
    ({"OfferDirectChat": None}, "OfferDirectChat", "is required"),
    ({"OfferDirectChat": "maybe"}, "OfferDirectChat", "true or false"),
    ({"PhoneChatPPM": None}, "PhoneChatPPM", "is required"),
    ({"PhoneChatPPM": "cheap"}, "PhoneChatPPM", "not valid for PhoneChatPPM"),
    ({"PhoneChatPPM": 0}, "PhoneChatPPM", "more than 0"),
    ({"PhoneChatPPM": "1.00001"}, "PhoneChatPPM", "4 decimal places"),
    ({"PhoneChatNumber": "07700900123"}, "PhoneChatNumber", "country code"),
    ({"PhoneChatNumber": "+44 7700 900123"}, "PhoneChatNumber", "country code"),
    ({"PhoneChatNumber": "+4477009001234567"}, "PhoneChatNumber", "country code"),
    ({"PhoneChatNumber": 447700900123}, "PhoneChatNumber", "country code"),
    ({"OfferDirectChat": True}, "DirectChat", "required when OfferDirectChat is true"),
    ({"DirectChat": {"DirectChatOnly": True}}, "DirectChat", "only be given when"),
    ({"OfferDirectChat": True, "DirectChat": "yes"}, "DirectChat", "an object"),
    ({"OfferDirectChat": True, "DirectChat": {}}, "DirectChat",
     "DirectChat.DirectChatOnly field is required"),
    ({"OfferDirectChat": True, "DirectChat": {"DirectChatOnly": 7}}, "DirectChat",
     "DirectChat.DirectChatOnly"),
    ({"Methods": [4]}, "Methods", "between 1 and 3"),
    ({"TakesBookings": True, "Methods": []}, "Methods", "At least one Method"),
    ({"PhoneChatNumber": None, "Methods": [2]}, "PhoneChatNumber", "Methods includes 2"),
    ({"SkypeName": "x" * 101}, "SkypeName", "maximum length of 100"),
])
async def test_save_settings_refuses_bad_input_naming_the_field(client, change, field, words):
    before = (await get(client, "candidate", "GetSettings")).json()
    r = await post(client, "candidate", "SaveSettings", {**ORIGINAL_BODY, **change})
    assert r.status_code == 400, r.text
    messages = r.json()["ModelState"][field]
    assert any(words in m for m in messages), messages
    assert (await get(client, "candidate", "GetSettings")).json() == before


async def test_a_refused_first_save_leaves_no_row(client, db):
    r = await post(client, "outsider", "SaveSettings", {**ORIGINAL_BODY, "Methods": [3]})
    assert r.status_code == 400 and "SkypeName" in r.json()["ModelState"]
    assert (await get(client, "outsider", "GetSettings")).json()["PhoneChatPPM"] is None
    async with db.connection() as conn:
        assert await conn.fetchval(Query(sa.select(sa.func.count()).select_from(
            phonechat_settings).where(phonechat_settings.c.user_id == OUTSIDER))) == 0


# --- XML: SaveSettings reads what GetSettings writes --------------------------------------


@pytest.mark.parametrize("role", ["candidate", "member"])
async def test_save_settings_takes_back_the_xml_get_settings_wrote(client, role):
    before = (await get(client, role, "GetSettings")).json()
    written = await client.get("/v1/PhoneChat/GetSettings", headers={**bearer(role), **XML})
    r = await _xml_post(client, role, "SaveSettings", written.content)
    assert r.status_code == 200, r.text
    assert (await get(client, role, "GetSettings")).json() == before


async def test_save_settings_in_xml_with_its_own_root_and_list_members(client):
    body = (f'<SaveSettings xmlns:a="{ARRAYS}"><OfferDirectChat>true</OfferDirectChat>'
            "<DirectChat><DirectChatOnly>false</DirectChatOnly></DirectChat>"
            "<PhoneChatNumber>447700900999</PhoneChatNumber><PhoneChatPPM>0.75</PhoneChatPPM>"
            "<Methods><a:int>1</a:int><a:int>3</a:int></Methods></SaveSettings>").encode()
    r = await _xml_post(client, "candidate", "SaveSettings", body)
    assert r.status_code == 200, r.text
    seen = (await get(client, "candidate", "GetSettings")).json()
    assert seen["DirectChat"] == {"DirectChatOnly": False} and seen["Methods"] == [1, 3]
    assert seen["PhoneChatNumber"] == "447700900999" and seen["PhoneChatPPM"] == 0.75


@pytest.mark.parametrize("inner, field", [
    ("<Methods><a:int>9</a:int></Methods>", "Methods"),
    ("<Methods><a:int><deeper>1</deeper></a:int></Methods>", "Methods"),
    ("<DirectChat><Other>1</Other></DirectChat>", "DirectChat"),
    ("<PhoneChatNumber><x>1</x></PhoneChatNumber>", "PhoneChatNumber"),
])
async def test_bad_xml_members_are_refused_naming_the_field(client, inner, field):
    body = (f'<SaveSettings xmlns:a="{ARRAYS}"><OfferDirectChat>true</OfferDirectChat>'
            f"<PhoneChatPPM>1</PhoneChatPPM>{inner}</SaveSettings>").encode()
    r = await _xml_post(client, "candidate", "SaveSettings", body)
    assert r.status_code == 400 and field in r.json()["ModelState"], r.text


async def test_deeply_nested_xml_is_a_clean_400(client):
    body = (b"<SaveSettings><Methods>" + b"<a>" * 5000 + b"1" + b"</a>" * 5000
            + b"</Methods></SaveSettings>")
    r = await _xml_post(client, "candidate", "SaveSettings", body)
    assert r.status_code == 400


# --- GetUserBookingRequirements ---------------------------------------------------------


async def test_requirements_list_every_method_with_its_availability(client):
    r = await get(client, "client", "GetUserBookingRequirements", BookUserID=CANDIDATE)
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["PhoneChatPPM", "Methods"]
    assert body["PhoneChatPPM"] == 0.5
    assert [list(m) for m in body["Methods"]] == [["Method", "Description", "Available"]] * 3
    assert [(m["Method"], m["Available"]) for m in body["Methods"]] == [
        (1, True), (2, True), (3, True)]
    assert body["Methods"][0]["Description"] == "The client is called by the booked user"


async def test_requirements_in_xml(client):
    r = await client.get(f"/v1/PhoneChat/GetUserBookingRequirements?BookUserID={CANDIDATE}",
                         headers={**bearer("client"), **XML})
    root = ET.fromstring(r.content)
    assert root.tag == f"{NS_BOOKINGS}UserBookingRequirements"
    assert _children(r.content) == ["Methods", "PhoneChatPPM"]
    methods = root.find(f"{NS_BOOKINGS}Methods")
    assert [m.tag for m in methods] == [f"{NS_BOOKINGS}PhoneChatMethod"] * 3
    assert [c.tag.removeprefix(NS_BOOKINGS) for c in methods[0]] == [
        "Available", "Description", "Method"]
    assert "<PhoneChatPPM>0.5000</PhoneChatPPM>" in r.text


async def test_requirements_price_is_null_when_never_set(client, db):
    async with db.transaction() as tx:
        await tx.execute(Query(phonechat_settings.update().where(
            phonechat_settings.c.user_id == CANDIDATE).values(price_per_minute=None)))
    r = await get(client, "client", "GetUserBookingRequirements", BookUserID=CANDIDATE)
    assert r.json()["PhoneChatPPM"] is None
    r = await client.get(f"/v1/PhoneChat/GetUserBookingRequirements?BookUserID={CANDIDATE}",
                         headers={**bearer("client"), **XML})
    assert '<PhoneChatPPM i:nil="true" />' in r.text
    # no price: no lower limit on Credits
    r = await post(client, "client", "CreateBooking", {**NEW_BOOKING, "BookUserID": CANDIDATE,
                                                       "Credits": "0.01"})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("user, words", [
    (OUTSIDER, "does not take PhoneChat bookings"),  # never saved settings
    (999999, "does not take PhoneChat bookings"),  # no such user: the same answer
    (MEMBER, "DirectChat calls only"),
])
async def test_requirements_and_create_booking_refuse_the_same_users(client, user, words):
    r = await get(client, "client", "GetUserBookingRequirements", BookUserID=user)
    assert r.status_code == 400
    assert r.json()["Message"] == "The request is invalid."
    assert words in r.json()["ModelState"]["BookUserID"][0]
    r = await post(client, "client", "CreateBooking", {**NEW_BOOKING, "BookUserID": user})
    assert r.status_code == 400 and words in r.json()["ModelState"]["BookUserID"][0]


async def test_direct_chat_without_the_only_option_stays_bookable(client):
    r = await post(client, "candidate", "SaveSettings", {
        **ORIGINAL_BODY, "OfferDirectChat": True, "DirectChat": {"DirectChatOnly": False}})
    assert r.status_code == 200, r.text
    r = await get(client, "client", "GetUserBookingRequirements", BookUserID=CANDIDATE)
    assert r.status_code == 200
    r = await post(client, "candidate", "SaveSettings", {
        **ORIGINAL_BODY, "OfferDirectChat": True, "DirectChat": {"DirectChatOnly": True}})
    r = await get(client, "client", "GetUserBookingRequirements", BookUserID=CANDIDATE)
    assert r.status_code == 400 and "DirectChat calls only" in r.text


async def test_requirements_need_a_book_user_id(client):
    r = await get(client, "client", "GetUserBookingRequirements", BookUserID="abc")
    assert r.status_code == 400
    assert r.json()["ModelState"] == {"BookUserID": ["The value 'abc' is not valid for BookUserID."]}


# --- two first saves at once --------------------------------------------------------------


async def test_two_first_saves_at_once_never_fail(client, db):
    """The member and their manager save the member's settings at the same moment, with
    no row yet (issue 9: 91 of 100 trials answered 500 on PostgreSQL). Both are answered
    200; the row is one of the two saves, whole."""
    delete = Query(phonechat_settings.delete().where(phonechat_settings.c.user_id == MEMBER))
    for trial in range(20):
        async with db.transaction() as tx:
            await tx.execute(delete)
        member = post(client, "member", "SaveSettings", {**ORIGINAL_BODY, "PhoneChatPPM": 1})
        manager = client.post("/v1/Groups/PhoneChat/SaveSettings", headers=bearer("manager"),
                              json={**ORIGINAL_BODY, "PhoneChatPPM": 2, "UserID": MEMBER})
        answers = await asyncio.gather(member, manager)
        assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
        seen = (await get(client, "member", "GetSettings")).json()
        assert seen in [a.json() for a in answers], trial
