"""Errors of the wire itself: routes, verbs, media types, bodies that do not parse or are
unsafe or too large, and the unexpected failure (500 without a stack trace, logged with
the request id the response carries)."""

from __future__ import annotations

import logging

import pytest

from phonechat.services import lifecycle as made
from tests.api.test_cancel import snapshot
from tests.conftest import bearer

CANCEL = "/v1/PhoneChat/CancelMadeBooking"
XML = {"Content-Type": "application/xml", "Accept": "application/json"}
UNSAFE = "The request body's XML may not contain a DOCTYPE, entity declarations or external references."


async def test_unknown_route_is_404_with_the_absolute_uri(client) -> None:
    r = await client.get("/v1/PhoneChat/NoSuchThing?BookingID=1&x=%20y")
    assert r.status_code == 404
    assert r.json() == {"Message": "No HTTP resource was found that matches the request URI "
                                   "'http://testserver/v1/PhoneChat/NoSuchThing?BookingID=1&x=%20y'."}


async def test_unknown_route_needs_no_token_to_be_404(client) -> None:
    r = await client.post("/nothing/here", headers=bearer("client"))
    assert r.status_code == 404
    assert r.json()["Message"].endswith("'http://testserver/nothing/here'.")


@pytest.mark.parametrize("method,path,allow", [
    ("POST", "/v1/PhoneChat/MadeBookingDetails", "GET, HEAD, OPTIONS"),
    ("GET", CANCEL, "OPTIONS, POST"),
    ("PUT", CANCEL, "OPTIONS, POST"),
    ("DELETE", "/v1/Groups/PhoneChat/MadeBookingDetails", "GET, HEAD, OPTIONS"),
])
async def test_wrong_verb_is_405_with_allow(client, method, path, allow) -> None:
    r = await client.request(method, path, headers=bearer("client"))
    assert r.status_code == 405
    assert r.headers["allow"] == allow
    assert r.json() == {"Message": f"The requested resource does not support http method '{method}'."}


@pytest.mark.parametrize("path", [
    "/v1/phonechat/madebookingdetails", "/V1/PHONECHAT/MADEBOOKINGDETAILS",
    "/v1/PhoneChat/MadeBookingDetails/", "/v1/pHoNeChAt/MaDeBoOkInGdEtAiLs",
])
async def test_routes_are_case_insensitive(client, path) -> None:
    r = await client.get(f"{path}?BookingID=1", headers=bearer("client"))
    assert r.status_code == 200


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded",
                                   "multipart/form-data; boundary=x", None])
async def test_unsupported_body_type_is_415(client, db, ctype) -> None:
    before = await snapshot(db, 3)
    headers = bearer("client") | ({"Content-Type": ctype} if ctype else {})
    r = await client.post(CANCEL, headers=headers, content=b"BookingID=3&Reason=x")
    assert r.status_code == 415
    shown = (ctype or "(none)").split(";")[0]
    assert r.json() == {"Message": f"The request entity's media type '{shown}' is not supported "
                                   "for this resource. Send application/json, text/json, "
                                   "application/xml or text/xml."}
    assert await snapshot(db, 3) == before


async def test_json_with_charset_parameter_is_accepted(client) -> None:
    r = await client.post(CANCEL, headers=bearer("client") | {"Content-Type": "application/json; charset=utf-8"},
                          content=b'{"BookingID": 3, "Reason": "x"}')
    assert r.status_code == 200
    r = await client.post(CANCEL, headers=bearer("client") | {"Content-Type": "TEXT/JSON"},
                          content=b'{"BookingID": 4, "Reason": "x"}')
    assert r.status_code == 200


@pytest.mark.parametrize("body", [b'{"BookingID": 3, "Reason": "x"', b"{BookingID: 3}",
                                  b"\xff\xfe{}", b'{"BookingID": 3,}', b"nul"])
async def test_malformed_json_is_400_saying_so(client, db, body) -> None:
    before = await snapshot(db, 3)
    r = await client.post(CANCEL, headers=bearer("client") | {"Content-Type": "application/json"},
                          content=body)
    assert r.status_code == 400
    assert r.json()["Message"].startswith("The request body is not valid JSON")
    assert await snapshot(db, 3) == before


@pytest.mark.parametrize("body", [b'[{"BookingID": 3, "Reason": "x"}]', b"3", b'"x"', b"null", b"true"])
async def test_json_body_that_is_not_an_object_is_400(client, db, body) -> None:
    before = await snapshot(db, 3)
    r = await client.post(CANCEL, headers=bearer("client") | {"Content-Type": "application/json"},
                          content=body)
    assert r.status_code == 400
    assert r.json() == {"Message": "The request body must be a JSON object."}
    assert await snapshot(db, 3) == before


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<CancelMadeBooking><BookingID>3</BookingID><Reason>&lol4;</Reason></CancelMadeBooking>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CancelMadeBooking><BookingID>3</BookingID><Reason>&xxe;</Reason></CancelMadeBooking>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE CancelMadeBooking SYSTEM "http://127.0.0.1:1/evil.dtd">
<CancelMadeBooking><BookingID>3</BookingID><Reason>x</Reason></CancelMadeBooking>"""

PLAIN_DOCTYPE = b"""<!DOCTYPE CancelMadeBooking>
<CancelMadeBooking><BookingID>3</BookingID><Reason>x</Reason></CancelMadeBooking>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PLAIN_DOCTYPE],
                         ids=["billion-laughs", "external-entity", "external-dtd", "doctype"])
async def test_unsafe_xml_is_400_and_changes_nothing(client, db, body) -> None:
    before = await snapshot(db, 3)
    r = await client.post(CANCEL, headers=bearer("client") | XML, content=body)
    assert r.status_code == 400
    assert r.json() == {"Message": UNSAFE}
    assert await snapshot(db, 3) == before


@pytest.mark.parametrize("body", [b"<CancelMadeBooking><BookingID>3</BookingID>",
                                  b"not xml at all", b"<a></b>"])
async def test_malformed_xml_is_400_saying_so(client, db, body) -> None:
    before = await snapshot(db, 3)
    r = await client.post(CANCEL, headers=bearer("client") | XML, content=body)
    assert r.status_code == 400
    assert r.json()["Message"].startswith("The request body is not well-formed XML")
    assert await snapshot(db, 3) == before


async def test_xml_with_wrong_root_element_is_400(client, db) -> None:
    before = await snapshot(db, 3)
    r = await client.post(CANCEL, headers=bearer("client") | XML,
                          content=b"<MadeBookingDetails><BookingID>3</BookingID><Reason>x</Reason></MadeBookingDetails>")
    assert r.status_code == 400
    assert r.json() == {"Message": "The request body's XML root element must be <CancelMadeBooking>."}
    assert await snapshot(db, 3) == before


async def test_body_over_64_kib_is_413(client, db) -> None:
    before = await snapshot(db, 3)
    body = b'{"BookingID": 3, "Reason": "' + b"x" * (64 * 1024) + b'"}'
    r = await client.post(CANCEL, headers=bearer("client") | {"Content-Type": "application/json"},
                          content=body)
    assert r.status_code == 413
    assert r.json() == {"Message": "The request body is larger than 65536 bytes."}
    assert await snapshot(db, 3) == before


async def test_streamed_body_over_64_kib_is_413(client) -> None:
    async def chunks():
        for _ in range(20):
            yield b" " * 4096

    r = await client.post(CANCEL, headers=bearer("client") | {"Content-Type": "application/json"},
                          content=chunks())
    assert r.status_code == 413


async def test_body_of_exactly_64_kib_is_read(client) -> None:
    head = b'{"BookingID": 3, "Reason": "x"}'
    body = head + b" " * (64 * 1024 - len(head))
    r = await client.post(CANCEL, headers=bearer("client") | {"Content-Type": "application/json"},
                          content=body)
    assert r.status_code == 200


async def test_unexpected_failure_is_500_without_details_and_logged_with_request_id(
        client, monkeypatch, caplog) -> None:
    async def boom(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(made, "made_booking_details", boom)
    with caplog.at_level(logging.ERROR, logger="phonechat.api"):
        r = await client.get("/v1/PhoneChat/MadeBookingDetails?BookingID=1", headers=bearer("client"))
    assert r.status_code == 500
    assert r.json() == {"Message": "An error has occurred."}
    assert b"secret" not in r.content and b"Traceback" not in r.content
    request_id = r.headers["x-request-id"]
    assert request_id
    logged = [rec for rec in caplog.records if getattr(rec, "fields", {}).get("request_id") == request_id]
    assert len(logged) == 1
    assert logged[0].exc_info is not None and "secret internal detail" in str(logged[0].exc_info[1])
    assert logged[0].fields["path"] == "/v1/PhoneChat/MadeBookingDetails"


async def test_500_is_negotiated_too(client, monkeypatch) -> None:
    async def boom(*args, **kwargs):
        raise KeyError("x")

    monkeypatch.setattr(made, "cancel_made_booking", boom)
    r = await client.post(CANCEL, headers=bearer("client") | {"Accept": "application/xml"},
                          json={"BookingID": 3, "Reason": "x"})
    assert r.status_code == 500
    assert r.text == "<Error><Message>An error has occurred.</Message></Error>"


async def test_every_response_carries_a_request_id_and_a_sane_one_is_kept(client) -> None:
    r = await client.get("/v1/PhoneChat/MadeBookingDetails?BookingID=1",
                         headers=bearer("client") | {"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = await client.get("/nope", headers={"X-Request-ID": "bad id\twith<junk>"})
    assert r.headers["x-request-id"] != "bad id\twith<junk>"
    assert len(r.headers["x-request-id"]) == 16


async def test_content_length_matches_the_body(client) -> None:
    r = await client.get("/v1/PhoneChat/MadeBookingDetails?BookingID=1", headers=bearer("client"))
    assert int(r.headers["content-length"]) == len(r.content)


async def test_json_body_with_a_utf8_byte_order_mark_is_accepted(client) -> None:
    r = await client.post(CANCEL, headers=bearer("client") | {"Content-Type": "application/json"},
                          content=b'\xef\xbb\xbf{"BookingID": 3, "Reason": "x"}')
    assert r.status_code == 200


async def test_failure_while_rendering_is_still_a_logged_500(client, monkeypatch, caplog) -> None:
    """A value the encoder cannot write (a bug) must not escape as a bare server error."""
    real = made.made_booking_details

    async def broken_view(*args, **kwargs):
        view = await real(*args, **kwargs)
        view["Candidate"] = object()  # not a mapping: the encoder fails on it
        return view

    monkeypatch.setattr(made, "made_booking_details", broken_view)
    with caplog.at_level(logging.ERROR, logger="phonechat.api"):
        r = await client.get("/v1/PhoneChat/MadeBookingDetails?BookingID=1", headers=bearer("client"))
    assert r.status_code == 500
    assert r.json() == {"Message": "An error has occurred."}
    assert any(getattr(rec, "fields", {}).get("request_id") == r.headers["x-request-id"]
               for rec in caplog.records)


async def test_database_unavailable_is_503_with_retry_after(client, monkeypatch) -> None:
    from phonechat.store.db import DatabaseUnavailable

    async def down(*args, **kwargs):
        raise DatabaseUnavailable("connection refused")

    monkeypatch.setattr(made, "made_booking_details", down)
    r = await client.get("/v1/PhoneChat/MadeBookingDetails?BookingID=1", headers=bearer("client"))
    assert r.status_code == 503
    assert r.headers["retry-after"] == "1"
    assert r.json() == {"Message": "The service is temporarily unavailable. Try again shortly."}
