"""Content negotiation end to end: wire-format.md's table, errors negotiated alike, the
request body's type when there is no Accept, and X-CaseType."""

from __future__ import annotations

import pytest

from tests.conftest import bearer
from tests.wire import send

DETAILS = "/v1/PhoneChat/MadeBookingDetails?BookingID=1"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

TABLE = [
    (None, "application/json; charset=utf-8"),
    ("*/*", "application/json; charset=utf-8"),
    ("application/xml", "application/xml; charset=utf-8"),
    ("text/xml", "text/xml; charset=utf-8"),
    ("application/json", "application/json; charset=utf-8"),
    ("text/json", "text/json; charset=utf-8"),
    ("application/xml, application/json", "application/json; charset=utf-8"),
    ("application/json;q=0.5, application/xml", "application/xml; charset=utf-8"),
    (BROWSER, "application/xml; charset=utf-8"),
    ("text/html", "application/json; charset=utf-8"),  # nothing matches: JSON, never 406
    ("application/xml;q=0", "application/json; charset=utf-8"),
    ("", "application/json; charset=utf-8"),
]


@pytest.mark.parametrize("accept,content_type", TABLE)
async def test_negotiation_table_on_a_success(client, accept, content_type) -> None:
    r = await send(client, "GET", DETAILS, accept=accept, headers=bearer("client"))
    assert r.status_code == 200
    assert r.headers["content-type"] == content_type
    if "xml" in content_type:
        assert r.text.startswith("<MadeBooking ")
    else:
        assert r.json()["BookingID"] == 1


@pytest.mark.parametrize("accept,content_type", TABLE)
async def test_negotiation_table_on_errors(client, accept, content_type) -> None:
    """401, 404 and 400 are negotiated exactly like a success."""
    for url, headers, status in (
        (DETAILS, {}, 401),
        ("/v1/PhoneChat/MadeBookingDetails?BookingID=424242", bearer("client"), 404),
        ("/v1/PhoneChat/MadeBookingDetails?BookingID=abc", bearer("client"), 400),
        ("/v1/Nope", {}, 404),
    ):
        r = await send(client, "GET", url, accept=accept, headers=headers)
        assert r.status_code == status
        assert r.headers["content-type"] == content_type
        assert r.text.startswith("<Error><Message>" if "xml" in content_type else '{"Message":')


async def test_xml_errors_have_no_namespace_and_model_state_children(client) -> None:
    r = await client.get("/v1/PhoneChat/CancelMadeBooking", headers={"Accept": "application/xml"})
    assert r.status_code == 405
    assert r.text == ("<Error><Message>The requested resource does not support http method "
                      "'GET'.</Message></Error>")
    r = await client.post("/v1/PhoneChat/CancelMadeBooking",
                          headers=bearer("client") | {"Accept": "application/xml"},
                          json={"BookingID": "abc", "Reason": "x" * 501})
    assert r.status_code == 400
    assert r.text == (
        "<Error><Message>The request is invalid.</Message><ModelState>"
        "<BookingID>The value 'abc' is not valid for BookingID.</BookingID>"
        "<Reason>The field Reason must be a string with a maximum length of 500.</Reason>"
        "</ModelState></Error>")


async def test_xml_body_without_accept_answers_xml(client) -> None:
    body = "<CancelMadeBooking><BookingID>3</BookingID><Reason>Busy</Reason></CancelMadeBooking>"
    for ctype in ("application/xml", "text/xml"):
        r = await send(client, "POST", "/v1/PhoneChat/CancelMadeBooking", accept=None,
                       headers=bearer("client") | {"Content-Type": ctype}, content=body)
        assert r.headers["content-type"] == f"{ctype}; charset=utf-8"
        assert r.text.startswith("<MadeBooking ") or r.text.startswith("<Error>")


async def test_xml_body_with_accept_json_answers_json(client) -> None:
    body = "<CancelMadeBooking><BookingID>3</BookingID><Reason>Busy</Reason></CancelMadeBooking>"
    r = await send(client, "POST", "/v1/PhoneChat/CancelMadeBooking", accept="application/json",
                   headers=bearer("client") | {"Content-Type": "application/xml"}, content=body)
    assert r.status_code == 200
    assert r.json()["Status"] == "Cancelled"


async def test_json_body_without_accept_answers_json(client) -> None:
    r = await send(client, "POST", "/v1/PhoneChat/CancelMadeBooking", accept=None,
                   headers=bearer("client"), json={"BookingID": 3, "Reason": "Busy"})
    assert r.headers["content-type"] == "application/json; charset=utf-8"


async def test_camelcase_header_renames_every_json_property(client) -> None:
    r = await client.get(DETAILS, headers=bearer("client") | {"X-CaseType": "camelcase"})
    body = r.json()
    assert list(body)[:3] == ["bookingID", "duration", "credits"]
    assert "BookingID" not in body
    assert list(body["candidate"]) == ["userID", "nickname", "phoneNumber", "skypeName", "total",
                                       "positive", "neutral", "negative", "ratings", "disputes"]
    assert body["actionClient"] == "You need to carry out the session"


@pytest.mark.parametrize("value", ["CamelCase", "CAMELCASE"])
async def test_camelcase_header_value_is_case_insensitive(client, value) -> None:
    r = await client.get(DETAILS, headers=bearer("client") | {"X-CaseType": value})
    assert "bookingID" in r.json()


@pytest.mark.parametrize("value", ["pascalcase", "camel", "snake_case", ""])
async def test_any_other_casetype_is_pascalcase(client, value) -> None:
    r = await client.get(DETAILS, headers=bearer("client") | {"X-CaseType": value})
    assert list(r.json())[0] == "BookingID"


async def test_camelcase_does_not_affect_xml(client) -> None:
    plain = await client.get(DETAILS, headers=bearer("client") | {"Accept": "application/xml"})
    camel = await client.get(DETAILS, headers=bearer("client") | {"Accept": "application/xml",
                                                                 "X-CaseType": "camelcase"})
    assert camel.content == plain.content


async def test_camelcase_applies_to_errors_and_model_state(client) -> None:
    r = await client.get("/v1/PhoneChat/MadeBookingDetails?BookingID=0",
                         headers=bearer("client") | {"X-CaseType": "camelcase"})
    assert r.json() == {"message": "The request is invalid.",
                        "modelState": {"bookingID": ["The field BookingID must be between 1 "
                                                     "and 2147483647."]}}
