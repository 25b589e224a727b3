"""The two published samples, reproduced exactly (JSON with key order; XML element by
element with namespaces, prefixes, order and nils), on whichever database the suite runs."""

from __future__ import annotations

from datetime import datetime

from tests.conftest import bearer
from tests.wire import (
    XSI, assert_shown_elements, cancel_sample_json, cancel_sample_xml, compact_xml,
    details_sample_json, details_sample_xml, json_pairs, xml_tree,
)

CANCELLED_AT = datetime(2018, 1, 22, 18, 24, 11)
NS_BOOKINGS = "http://schemas.datacontract.org/2004/07/API.Models.PhoneChat.Bookings"
NS_MADE = NS_BOOKINGS + ".Made"
NS_PROFILE = "http://schemas.datacontract.org/2004/07/API.Models.Profile"


async def _details(client, accept: str | None = None):
    headers = bearer("client") | ({"Accept": accept} if accept else {})
    return await client.get("/v1/PhoneChat/MadeBookingDetails?BookingID=1", headers=headers)


async def _cancel(client, clock, accept: str | None = None):
    clock.set(CANCELLED_AT)
    headers = bearer("client") | ({"Accept": accept} if accept else {})
    return await client.post("/v1/PhoneChat/CancelMadeBooking", headers=headers,
                             json={"BookingID": 2, "Reason": "I've had something come up"})


async def test_details_json_is_the_sample_with_key_order(client) -> None:
    r = await _details(client)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    assert json_pairs(r.content) == json_pairs(details_sample_json())


async def test_details_json_is_compact_utf8(client) -> None:
    r = await _details(client)
    assert b"\n" not in r.content and b": " not in r.content and b", " not in r.content[:40]
    assert r.content.startswith(b'{"BookingID":1,"Duration":15,"Credits":8,"Status":"Confirmed"')


async def test_details_xml_string_is_the_sample_without_whitespace(client) -> None:
    r = await _details(client, "application/xml")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/xml; charset=utf-8"
    assert not r.content.startswith(b"<?xml") and not r.content.startswith(b"\xef\xbb\xbf")
    assert r.content.decode() == compact_xml(details_sample_xml())


async def test_details_xml_tree_matches_namespaces_prefixes_order_and_nils(client) -> None:
    r = await _details(client, "application/xml")
    tree = xml_tree(r.content)
    assert tree == xml_tree(details_sample_xml())
    # And what that equality covers, spelled out.
    ns, prefix, name, decls, _, children = tree
    assert (ns, prefix, name) == (NS_MADE, None, "MadeBooking")
    assert decls == (("xmlns:i", XSI), ("xmlns", NS_MADE))
    candidate = next(c for c in children if c[2] == "Candidate")
    assert candidate[3] == (("xmlns:d4p1", NS_BOOKINGS),)
    own = [c for c in candidate[5] if c[0] == NS_BOOKINGS]
    assert [(c[1], c[2]) for c in own] == [("d4p1", "Nickname"), ("d4p1", "PhoneNumber"),
                                           ("d4p1", "SkypeName"), ("d4p1", "UserID")]
    ratings = [c for c in candidate[5] if c[0] == NS_PROFILE]
    assert [c[2] for c in ratings] == ["Disputes", "Negative", "Neutral", "Positive",
                                       "Ratings", "Total"]
    assert all(c[3] == (("xmlns", NS_PROFILE),) for c in ratings)
    nil = next(c for c in children if c[2] == "CancelledBy")
    assert nil[4] == ((XSI, "i", "nil", "true"),) and nil[5] == ""
    assert b'<CancelledBy i:nil="true" />' in r.content


async def test_cancel_json_is_the_sample_but_last_updated(client, clock) -> None:
    r = await _cancel(client, clock)
    assert r.status_code == 200, r.text
    expected = json_pairs(cancel_sample_json())
    actual = json_pairs(r.content)
    assert [k for k, _ in actual] == [k for k, _ in expected]
    # LastUpdated is the moment of the cancel (the page shows the value from before it).
    assert dict(actual)["LastUpdated"] == "2018-01-22T18:24:11"
    assert dict(actual)["CancelledDate"] == "2018-01-22T18:24:11"
    # BookingID: both pages use ID 1 as their example; the sandbox holds both samples, so
    # the cancel sample's booking is BookingID 2 (manifest key sample_cancel).
    assert dict(actual)["BookingID"] == 2
    excepted = ("LastUpdated", "BookingID")
    assert ([(k, v) for k, v in actual if k not in excepted]
            == [(k, v) for k, v in expected if k not in excepted])


async def test_cancel_xml_has_every_element_the_page_shows(client, clock) -> None:
    r = await _cancel(client, clock, "application/xml")
    assert r.status_code == 200, r.text
    assert_shown_elements(xml_tree(cancel_sample_xml()), xml_tree(r.content))
    text = r.content.decode()
    assert "<Comments>Hi, I had a great time last weekend, I want to do it again tonight!</Comments>" in text
    assert "<CancelledReason>I've had something come up</CancelledReason>" in text
    assert "<CancelledBy>BookingUser</CancelledBy>" in text
    assert "<LastUpdated>2018-01-22T18:24:11</LastUpdated>" in text


async def test_cancel_sample_is_then_what_details_shows(client, clock) -> None:
    cancelled = await _cancel(client, clock)
    r = await client.get("/v1/PhoneChat/MadeBookingDetails?BookingID=2", headers=bearer("client"))
    assert json_pairs(r.content) == json_pairs(cancelled.content)


def test_sample_repairs_touch_only_the_named_typos() -> None:
    """The repaired blocks parse, and differ from the page only by the documented edits."""
    assert json_pairs(details_sample_json())
    assert len(json_pairs(cancel_sample_json())) == 20
    assert xml_tree(details_sample_xml())[2] == "MadeBooking"
    assert xml_tree(cancel_sample_xml())[2] == "MadeBooking"
