"""Issue 9, section 3: each class of bad input the fuzzing found answers a 4xx in the
documented format, naming the field, quickly, with nothing written (SQLite and PostgreSQL).

Each test names the class; the inputs are the issue's, plus neighbours of the same class.
"""

from __future__ import annotations

import time
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from tests.conftest import START, bearer
from tests.lifecycle_helpers import CANDIDATE, books_balance, get, post

NEW = {"BookUserID": CANDIDATE, "SessionDate": "2018-01-25 20:00", "Duration": 10,
       "Method": 2, "Credits": 6, "AcceptBy": "2018-01-24 20:00", "Comments": "Hello"}
FAST = 0.1  # seconds: "in under 100 ms" (issue 9, Done when)


async def _timed(call: Any) -> Any:
    """The answer, having taken under FAST seconds of this process's CPU time (the app runs
    in-process: its work is measured, not the waits of a machine shared with other jobs)."""
    started = time.process_time()
    r = await call
    elapsed = time.process_time() - started
    assert elapsed < FAST, f"took {elapsed * 1000:.0f} ms"
    return r


def _field_refused(r: Any, field: str, words: str = "") -> str:
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["Message"] == "The request is invalid."
    assert list(body["ModelState"]) == [field], body
    message = body["ModelState"][field][0]
    assert field in message and words in message, message
    return message


async def _made_listing(client: Any) -> list[int]:
    return [b["BookingID"] for b in (await get(client, "client", "MadeBookings")).json()["Bookings"]]


# --- 1. numbers: one integer parser for every integer field ----------------------------


@pytest.mark.parametrize("query, field", [
    ("PageNumber=%C2%B2", "PageNumber"), ("PageNumber=%2B-1", "PageNumber"),
    ("BookingsPerPage=--3", "BookingsPerPage"), ("BookingsPerPage=%D9%A3", "BookingsPerPage"),
    ("PageNumber=1_0", "PageNumber"), ("PageNumber=" + "9" * 5000, "PageNumber"),
])
async def test_numbers_in_the_query_string(client, query, field) -> None:
    r = await _timed(client.get(f"/v1/PhoneChat/MadeBookings?{query}", headers=bearer("client")))
    _field_refused(r, field, "is not valid for")


@pytest.mark.parametrize("field, value", [
    ("Duration", "+-10"), ("Duration", "²"), ("Method", "--2"), ("Method", " 2 2"),
    ("BookUserID", "1e3"), ("Duration", "9" * 5000),
])
async def test_numbers_in_a_json_body(client, db, field, value) -> None:
    before = await _made_listing(client)
    r = await _timed(post(client, "client", "CreateBooking", {**NEW, field: value}))
    _field_refused(r, field, "is not valid for")
    assert await _made_listing(client) == before


async def test_id_list_items_take_the_same_parser(client) -> None:
    r = await post(client, "client", "DeleteMadeBookings", {"BookingIDs": "5,+-8"})
    _field_refused(r, "BookingIDs", "'+-8'")
    r = await post(client, "client", "DeleteMadeBookings", {"BookingIDs": list(range(1, 5000))})
    _field_refused(r, "BookingIDs", "at most 100 IDs")


# --- 2. huge decimals: the size is bounded before any arithmetic -----------------------


@pytest.mark.parametrize("credits", ["1E+999990", "1E+600000", "-1E+999990", "1" * 41,
                                     "1E-999990", "1e400", "NaN", "Infinity", "٣",
                                     # found by the fuzzer: an exponent past Decimal's own limit
                                     "\t621157E155931624080666490565376"])
async def test_huge_credits_to_accept_answer_quickly(client, db, credits) -> None:
    r = await _timed(post(client, "candidate", "AcceptReceivedBooking",
                          {"BookingID": 3, "Credits": credits}))
    _field_refused(r, "Credits")
    details = await get(client, "candidate", "ReceivedBookingDetails", BookingID=3)
    assert details.json()["Status"] == "Pending"
    await books_balance(db)


@pytest.mark.parametrize("credits", ["1E+999990", "1E+600000", 1e300])
async def test_huge_credits_to_create_answer_quickly(client, credits) -> None:
    before = await _made_listing(client)
    r = await _timed(post(client, "client", "CreateBooking", {**NEW, "Credits": credits}))
    assert "Credits" in r.json()["ModelState"] and r.status_code == 400
    assert await _made_listing(client) == before


@pytest.mark.parametrize("body", [
    b'{"BookingID": 3, "Credits": 1e999999}',
    b'{"BookingID": 3, "Credits": 1' + b"0" * 100_000 + b"}",
    b'{"BookingID": 3, "Credits": -1' + b"0" * 100_000 + b"}",
])
async def test_huge_numbers_in_the_raw_json_body(client, body) -> None:
    r = await _timed(client.post("/v1/PhoneChat/AcceptReceivedBooking", content=body,
                                 headers={**bearer("candidate"),
                                          "Content-Type": "application/json"}))
    assert r.status_code in (400, 413), r.text
    assert r.json()["Message"].startswith(("The request body is not valid JSON",
                                           "The request body is larger"))


async def test_a_huge_literal_within_the_body_limit_is_refused_fast(client) -> None:
    literal = b"1" + b"0" * 60_000  # under the 64 KiB limit
    body = b'{"BookingID": 3, "Credits": ' + literal + b"}"
    r = await _timed(client.post("/v1/PhoneChat/AcceptReceivedBooking", content=body,
                                 headers={**bearer("candidate"),
                                          "Content-Type": "application/json"}))
    assert r.status_code == 400
    assert r.json()["Message"].startswith("The request body is not valid JSON")


# --- 3. dates: no UTC offsets, and a bounded range -----------------------------------------


@pytest.mark.parametrize("field", ["SessionDate", "AcceptBy"])
@pytest.mark.parametrize("value", [
    "2018-01-25T10:00:00-05:00", "2018-01-25T10:00:00-0500", "2018-01-25T10:00:00+01:00",
    "2018-01-25T10:00:00Z", "2018-01-25T10:00-05", "２０１８-01-25 10:00",
])
async def test_a_date_with_an_offset_is_refused(client, field, value) -> None:
    before = await _made_listing(client)
    r = await _timed(post(client, "client", "CreateBooking", {**NEW, field: value}))
    message = _field_refused(r, field, "no UTC offset")
    assert value[:40] in message or value.startswith("２")
    assert await _made_listing(client) == before


async def test_the_last_representable_dates_are_refused_not_overflowed(client) -> None:
    r = await _timed(post(client, "client", "CreateBooking",
                          {**NEW, "SessionDate": "9999-12-31 23:59", "AcceptBy": "9999-12-30 23:59",
                           "Duration": 900, "Credits": 450}))
    assert r.status_code == 400, r.text
    assert set(r.json()["ModelState"]) == {"SessionDate", "AcceptBy"}
    r = await post(client, "client", "CreateBooking",
                   {**NEW, "SessionDate": "9998-12-31 23:59", "AcceptBy": "9998-12-30 23:59",
                    "Duration": 900, "Credits": 450})
    assert r.status_code == 200, r.text  # the last allowed year works end to end


@pytest.mark.parametrize("value", ["2018-01-21T00:00:00-05:00", "2018-01-21-05:00", "0001-01-01",
                                   "9999-12-31"])
async def test_start_date_takes_the_same_reading(client, value) -> None:
    r = await _timed(client.get("/v1/PhoneChat/MadeBookings", params={"StartDate": value},
                                headers=bearer("client")))
    _field_refused(r, "StartDate", "is not valid for StartDate")


@pytest.mark.parametrize("value", ["2018-01-22T18:24:11-05:00", "2018-01-22T18:24:11Z",
                                   "9999-12-31T23:59:59"])
async def test_the_sandbox_clock_refuses_an_offset_and_does_not_move(client, clock, value) -> None:
    r = await _timed(client.post("/v1/Sandbox/Clock", json={"Now": value}))
    _field_refused(r, "Now", "no UTC offset")
    assert clock.now() == START


async def test_the_sandbox_clock_takes_a_plain_wall_clock_time(client, clock) -> None:
    r = await client.post("/v1/Sandbox/Clock", json={"Now": "2018-01-22 18:24:11.5"})
    assert r.status_code == 200 and r.json() == {"Now": "2018-01-22T18:24:11.5"}


# --- 4. characters XML cannot carry ---------------------------------------------------------


def _well_formed_xml_error(r: Any, status: int) -> ET.Element:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/xml")
    return ET.fromstring(r.content)  # raises if not well-formed


@pytest.mark.parametrize("value", ["%01", "%00", "%EF%BF%BF", "%ED%A0%80", "a%0Bb"])
async def test_an_xml_error_echoing_a_bad_character_is_well_formed(client, value) -> None:
    r = await client.get(f"/v1/PhoneChat/MadeBookings?StartDate={value}",
                         headers={**bearer("client"), "Accept": "application/xml"})
    root = _well_formed_xml_error(r, 400)
    assert "StartDate" in root.find("ModelState/StartDate").text


@pytest.mark.parametrize("path", ["/v1/PhoneChat/Made%00Bookings", "/v1/%EF%BF%BF", "/%01"])
async def test_a_404_for_a_path_with_a_bad_character_is_well_formed(client, path) -> None:
    r = await client.get(path, headers={"Accept": "application/xml"})
    root = _well_formed_xml_error(r, 404)
    assert root.find("Message").text.startswith("No HTTP resource was found")


async def test_a_404_quotes_a_long_uri_cut_short(client) -> None:
    r = await client.get("/" + "x" * 5000)
    assert r.status_code == 404 and len(r.content) < 400


@pytest.mark.parametrize("value", ["\uffff", "\x00", "\ud800", "a\ufffeb"])
@pytest.mark.parametrize("accept", ["application/json", "application/xml"])
async def test_a_bad_character_in_a_json_field_is_echoed_safely(client, value, accept) -> None:
    body = ('{"BookingID": "%s", "Reason": "x"}' % value.encode("unicode_escape").decode()
            .replace("\\x", "\\u00")).encode()
    r = await client.post("/v1/PhoneChat/CancelMadeBooking", content=body,
                          headers={**bearer("client"), "Content-Type": "application/json",
                                   "Accept": accept})
    assert r.status_code == 400, r.text
    if value == "\ud800":  # orjson refuses a lone surrogate: the body is not valid JSON
        message = (ET.fromstring(r.content).find("Message").text if accept == "application/xml"
                   else r.json()["Message"])
        assert message.startswith("The request body is not valid JSON")
    elif accept == "application/xml":
        root = ET.fromstring(r.content)
        assert "\ufffd" in root.find("ModelState/BookingID").text
    else:
        assert "\ufffd" in r.json()["ModelState"]["BookingID"][0]


@pytest.mark.parametrize("field", ["Comments", "SkypeName"])
@pytest.mark.parametrize("value", ["a\x00b", "\uffff", "x\x1f"])
async def test_text_that_reaches_the_database_is_checked_at_the_edge(client, db, field, value) -> None:
    before = await _made_listing(client)
    change = {field: value} | ({"Method": 3} if field == "SkypeName" else {})
    r = await _timed(post(client, "client", "CreateBooking", {**NEW, **change}))
    _field_refused(r, field, "control character")
    assert await _made_listing(client) == before


# --- 7. error texts quote at most 40 characters of a value ---------------------------------


@pytest.mark.parametrize("field", ["StartDate", "OrderBy", "PageNumber", "BookingsPerPage"])
async def test_a_long_query_value_is_quoted_cut_short(client, field) -> None:
    r = await client.get("/v1/PhoneChat/MadeBookings", params={field: "z" * 3000},
                         headers=bearer("client"))
    message = _field_refused(r, field)
    assert "'" + "z" * 40 + "...'" in message
    assert len(r.content) < 400


async def test_three_long_values_give_a_small_body(client) -> None:
    r = await client.get("/v1/PhoneChat/MadeBookings",
                         params={"StartDate": "a" * 3000, "OrderBy": "b" * 3000,
                                 "PageNumber": "c" * 3000}, headers=bearer("client"))
    assert r.status_code == 400 and len(r.content) < 800
    assert set(r.json()["ModelState"]) == {"StartDate", "OrderBy", "PageNumber"}


@pytest.mark.parametrize("field", ["SessionDate", "AcceptBy", "Duration", "Method", "Credits",
                                   "BookUserID", "PhoneNumber"])
async def test_a_long_body_value_is_quoted_cut_short(client, field) -> None:
    # PhoneNumber is read only with Method 1 (otherwise it is not used, so not judged).
    method = {"Method": 1} if field == "PhoneNumber" else {}
    r = await post(client, "client", "CreateBooking", {**NEW, **method, field: "7" * 3000 + "x"})
    assert r.status_code == 400
    assert all(len(m) < 250 for m in r.json()["ModelState"][field])


# --- CreateBooking reports every problem at once, an unparsable Credits included ----------


@pytest.mark.parametrize("credits", ["abc", "1E+999990", "8.12345", None])
async def test_create_booking_reports_every_problem_with_a_bad_credits(client, credits) -> None:
    body = {**NEW, "Credits": credits, "SessionDate": "2017-01-01 10:00", "Duration": 2,
            "BookUserID": "x"}
    r = await post(client, "client", "CreateBooking", body)
    assert r.status_code == 400, r.text
    state = r.json()["ModelState"]
    assert set(state) == {"Credits", "SessionDate", "Duration", "BookUserID", "AcceptBy"}
    assert all(len(messages) == 1 for messages in state.values()), state
    assert state["SessionDate"] == ["The field SessionDate must be in the future."]
    assert state["BookUserID"] == ["The value 'x' is not valid for BookUserID."]


# --- an XML body's root holds fields, not a value (found by the fuzzer) -------------------


async def test_an_xml_root_with_text_instead_of_fields_is_refused(client) -> None:
    r = await client.post("/v1/PhoneChat/CancelMadeBooking",
                          content=b"<CancelMadeBooking>true</CancelMadeBooking>",
                          headers={**bearer("client"), "Content-Type": "text/xml"})
    assert r.status_code == 400
    assert r.json()["Message"] == ("The request body's <CancelMadeBooking> must hold its "
                                   "fields as child elements, not text.")


@pytest.mark.parametrize("body", [b"", b"<SandboxReset></SandboxReset>"])
async def test_an_input_of_optional_fields_only_takes_json(client, body) -> None:
    # Sandbox Reset: in XML an empty object and an empty string are the same element.
    r = await client.post("/v1/Sandbox/Reset", content=body, headers={"Content-Type": "text/xml"})
    assert r.status_code == 415
    assert r.json()["Message"].endswith("Send application/json or text/json.")
    doc = (await client.get("/openapi.json")).json()
    assert set(doc["paths"]["/v1/Sandbox/Reset"]["post"]["requestBody"]["content"]) == {
        "application/json", "text/json"}


async def test_an_empty_body_declared_as_xml_is_refused(client) -> None:
    r = await client.post("/v1/PhoneChat/CancelMadeBooking", content=b"",
                          headers={**bearer("client"), "Content-Type": "text/xml"})
    assert r.status_code == 400
    assert r.json()["Message"] == "The request body is not well-formed XML: it is empty."
    # With no media type, or JSON, an empty body is no fields (the README's Reset).
    assert (await client.post("/v1/Sandbox/Reset")).status_code == 200


@pytest.mark.parametrize("declaration", ['<?xml version="1.0" encoding="EBCDIC"?>',
                                         '<?xml version="1.0" encoding="x-no-such"?>'])
async def test_an_xml_body_in_an_unknown_encoding_is_refused(client, declaration) -> None:
    body = f"{declaration}<CancelMadeBooking><BookingID>2</BookingID></CancelMadeBooking>"
    r = await client.post("/v1/PhoneChat/CancelMadeBooking", content=body.encode(),
                          headers={**bearer("client"), "Content-Type": "application/xml"})
    assert r.status_code == 400
    assert r.json()["Message"] == ("The request body is not well-formed XML: its declared "
                                   "encoding is not known.")
