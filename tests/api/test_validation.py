"""Input validation: every bad BookingID and Reason is a 400 with ModelState naming the
field, in the query string, in a JSON body and in an XML body; nothing is changed."""

from __future__ import annotations

import pytest

from tests.api.test_cancel import snapshot
from tests.conftest import bearer

DETAILS = "/v1/PhoneChat/MadeBookingDetails"
CANCEL = "/v1/PhoneChat/CancelMadeBooking"
RANGE = "The field BookingID must be between 1 and 2147483647."
REQUIRED = "The BookingID field is required."


def _invalid(**fields: list[str]) -> dict:
    return {"Message": "The request is invalid.", "ModelState": fields}


QUERY_CASES = [
    ("", REQUIRED),  # no BookingID at all
    ("BookingID=", REQUIRED),
    ("BookingID=abc", "The value 'abc' is not valid for BookingID."),
    ("BookingID=-1", RANGE),
    ("BookingID=0", RANGE),
    ("BookingID=99999999999", RANGE),
    ("BookingID=2147483648", RANGE),
    ("BookingID=1.5", "The value '1.5' is not valid for BookingID."),
    ("BookingID=--5", "The value '--5' is not valid for BookingID."),
    ("BookingID=%C2%B2", "The value '²' is not valid for BookingID."),  # a superscript two
    ("BookingID=%D9%A3", "The value '٣' is not valid for BookingID."),  # an Arabic-Indic three
    ("BookingID=0x1", "The value '0x1' is not valid for BookingID."),
]


@pytest.mark.parametrize("query,message", QUERY_CASES)
async def test_bad_booking_id_in_query_is_400_naming_the_field(client, query, message) -> None:
    r = await client.get(f"{DETAILS}?{query}", headers=bearer("client"))
    assert r.status_code == 400
    assert r.json() == _invalid(BookingID=[message])


async def test_booking_id_at_the_int32_limit_is_valid_input(client) -> None:
    r = await client.get(f"{DETAILS}?BookingID=2147483647", headers=bearer("client"))
    assert r.status_code == 404


@pytest.mark.parametrize("value", ["1", " 1 ", "+1", "001"])
async def test_booking_id_as_digits_with_sign_or_spaces_is_accepted(client, value) -> None:
    r = await client.get(DETAILS, params={"BookingID": value}, headers=bearer("client"))
    assert r.status_code == 200


JSON_CASES = [
    ({"Reason": "x"}, REQUIRED),
    ({"BookingID": None, "Reason": "x"}, REQUIRED),
    ({"BookingID": "", "Reason": "x"}, REQUIRED),
    ({"BookingID": "abc", "Reason": "x"}, "The value 'abc' is not valid for BookingID."),
    ({"BookingID": -3, "Reason": "x"}, RANGE),
    ({"BookingID": "-3", "Reason": "x"}, RANGE),
    ({"BookingID": 0, "Reason": "x"}, RANGE),
    ({"BookingID": "0", "Reason": "x"}, RANGE),
    ({"BookingID": 99999999999, "Reason": "x"}, RANGE),
    ({"BookingID": "99999999999", "Reason": "x"}, RANGE),
    ({"BookingID": 1.5, "Reason": "x"}, "The value '1.5' is not valid for BookingID."),
    ({"BookingID": True, "Reason": "x"}, "The value 'true' is not valid for BookingID."),
    ({"BookingID": False, "Reason": "x"}, "The value 'false' is not valid for BookingID."),
    ({"BookingID": [3], "Reason": "x"}, "The value '[3]' is not valid for BookingID."),
    ({"BookingID": {"id": 3}, "Reason": "x"}, 'The value \'{"id":3}\' is not valid for BookingID.'),
]


@pytest.mark.parametrize("body,message", JSON_CASES)
async def test_bad_booking_id_in_json_body_is_400_and_changes_nothing(client, db, body, message) -> None:
    before = await snapshot(db, 3)
    r = await client.post(CANCEL, headers=bearer("client"), json=body)
    assert r.status_code == 400
    assert r.json() == _invalid(BookingID=[message])
    assert await snapshot(db, 3) == before


@pytest.mark.parametrize("value", [3, "3", 3.0])
async def test_booking_id_as_number_string_or_whole_float_is_accepted(client, value) -> None:
    r = await client.post(CANCEL, headers=bearer("client"), json={"BookingID": value, "Reason": "x"})
    assert r.status_code == 200
    assert r.json()["BookingID"] == 3


@pytest.mark.parametrize("reason,message", [
    (None, "The Reason field is required."),
    ("", "The Reason field is required."),
    ("   \t\n ", "The Reason field is required."),
    ("x" * 501, "The field Reason must be a string with a maximum length of 500."),
    (42, "The value '42' is not valid for Reason: a string is expected."),
    (["a"], 'The value \'["a"]\' is not valid for Reason: a string is expected.'),
    ("nul\x00byte", "The field Reason contains a control character (U+0000), which is not allowed."),
    ("bell\x07", "The field Reason contains a control character (U+0007), which is not allowed."),
])
async def test_bad_reason_is_400_and_changes_nothing(client, db, reason, message) -> None:
    before = await snapshot(db, 3)
    body = {"BookingID": 3} | ({} if reason is None else {"Reason": reason})
    r = await client.post(CANCEL, headers=bearer("client"), json=body)
    assert r.status_code == 400
    assert r.json() == _invalid(Reason=[message])
    assert await snapshot(db, 3) == before


async def test_reason_of_exactly_500_characters_is_accepted_and_stored(client, db) -> None:
    reason = "é" * 250 + "x" * 249 + "!"  # 500 characters (non-ASCII counts as one)
    r = await client.post(CANCEL, headers=bearer("client"), json={"BookingID": 3, "Reason": reason})
    assert r.status_code == 200, r.text
    assert r.json()["CancelledReason"] == reason
    assert (await snapshot(db, 3))["booking"]["cancelled_reason"] == reason


async def test_reason_keeps_tabs_and_newlines_and_non_ascii(client) -> None:
    reason = "Line one\nLine\ttwo — ünïcödé ☎ <&>"
    r = await client.post(CANCEL, headers=bearer("client") | {"Accept": "application/xml"},
                          json={"BookingID": 3, "Reason": reason})
    assert r.status_code == 200
    assert "<CancelledReason>Line one\nLine\ttwo — ünïcödé ☎ &lt;&amp;&gt;</CancelledReason>" in r.text
    r = await client.get(f"{DETAILS}?BookingID=3", headers=bearer("client"))
    assert r.json()["CancelledReason"] == reason
    assert "ünïcödé ☎".encode() in r.content  # UTF-8, not \\u escapes


async def test_several_bad_fields_are_reported_together(client) -> None:
    r = await client.post(CANCEL, headers=bearer("client"), json={"BookingID": "abc", "Reason": ""})
    assert r.status_code == 400
    assert r.json() == _invalid(BookingID=["The value 'abc' is not valid for BookingID."],
                                Reason=["The Reason field is required."])
    r = await client.post(CANCEL, headers=bearer("client"), json={})
    assert r.json() == _invalid(BookingID=[REQUIRED], Reason=["The Reason field is required."])


async def test_empty_body_reports_every_required_field(client) -> None:
    r = await client.post(CANCEL, headers=bearer("client") | {"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json() == _invalid(BookingID=[REQUIRED], Reason=["The Reason field is required."])


async def test_json_property_names_match_without_regard_to_case(client) -> None:
    r = await client.post(CANCEL, headers=bearer("client"), json={"bookingid": 3, "REASON": "x"})
    assert r.status_code == 200


async def test_unknown_json_properties_are_ignored(client) -> None:
    r = await client.post(CANCEL, headers=bearer("client"),
                          json={"BookingID": 3, "Reason": "x", "Status": "Confirmed"})
    assert r.status_code == 200
    assert r.json()["Status"] == "Cancelled"


@pytest.mark.parametrize("xml,fields", [
    ("<CancelMadeBooking><Reason>x</Reason></CancelMadeBooking>", {"BookingID": [REQUIRED]}),
    ("<CancelMadeBooking><BookingID>abc</BookingID><Reason>x</Reason></CancelMadeBooking>",
     {"BookingID": ["The value 'abc' is not valid for BookingID."]}),
    ("<CancelMadeBooking><BookingID>0</BookingID><Reason /></CancelMadeBooking>",
     {"BookingID": [RANGE], "Reason": ["The Reason field is required."]}),
    ('<CancelMadeBooking xmlns:i="http://www.w3.org/2001/XMLSchema-instance">'
     '<BookingID i:nil="true" /><Reason>x</Reason></CancelMadeBooking>', {"BookingID": [REQUIRED]}),
])
async def test_bad_fields_in_xml_body_are_400_model_state(client, xml, fields) -> None:
    r = await client.post(CANCEL, headers=bearer("client") | {"Content-Type": "application/xml",
                                                             "Accept": "application/json"},
                          content=xml)
    assert r.status_code == 400
    assert r.json() == _invalid(**fields)


async def test_xml_body_in_a_namespace_with_any_case_names_is_accepted(client) -> None:
    xml = ('<cancelmadebooking xmlns="http://schemas.datacontract.org/2004/07/API.Models">'
           '<bookingid> 3 </bookingid><reason>Busy</reason></cancelmadebooking>')
    r = await client.post(CANCEL, headers=bearer("client") | {"Content-Type": "text/xml",
                                                             "Accept": "application/json"},
                          content=xml)
    assert r.status_code == 200, r.text
    assert r.json()["CancelledReason"] == "Busy"


async def test_repeated_names_the_last_wins(client) -> None:
    r = await client.get(f"{DETAILS}?BookingID=abc&BookingID=1", headers=bearer("client"))
    assert r.status_code == 200
    r = await client.post(CANCEL, headers=bearer("client") | {"Content-Type": "application/json"},
                          content=b'{"BookingID": "abc", "bookingid": 3, "Reason": "x"}')
    assert r.status_code == 200 and r.json()["BookingID"] == 3
