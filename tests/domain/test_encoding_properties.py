"""Properties of the encoders over many values: whatever text validation lets in, both
encodings carry back exactly; every valid ID survives every way of sending it."""

from __future__ import annotations

import json
from xml.dom import minidom

from hypothesis import given
from hypothesis import strategies as st

from phonechat.api.representation import DC, INT, STR, Contract, Member, to_json, to_xml
from phonechat.domain.validation import INT32_MAX, FieldError, entity_id, reason

C = Contract("Thing", DC + "T", [Member("Text", STR), Member("ID", INT)])

# Any text but the characters validation refuses; CR is left out because every XML parser
# normalises it to LF on reading (as .NET's writer did on writing).
ALLOWED = st.text(st.characters(blacklist_categories=("Cs",),
                                blacklist_characters="\r\ufffe\uffff"
                                + "".join(chr(c) for c in range(32) if c not in (9, 10))),
                  min_size=1, max_size=200)


@given(ALLOWED)
def test_any_accepted_text_round_trips_through_xml_and_json(text) -> None:
    try:
        reason("Reason", text)
    except FieldError:
        return  # blank or too long: never stored
    doc = minidom.parseString(to_xml(C, {"Text": text, "ID": 1}))
    node = doc.getElementsByTagName("Text")[0]
    assert "".join(n.data for n in node.childNodes) == text
    assert json.loads(to_json(C, {"Text": text, "ID": 1}))["Text"] == text


@given(st.text(max_size=50))
def test_validation_never_lets_through_what_xml_cannot_carry(text) -> None:
    try:
        clean = reason("Reason", text)
    except FieldError:
        return
    minidom.parseString(to_xml(C, {"Text": clean, "ID": 1}))  # parses: nothing unwritable


@given(st.integers(min_value=1, max_value=INT32_MAX))
def test_every_valid_id_is_accepted_however_sent(n) -> None:
    for raw in (n, str(n), f" {n} ", f"+{n}", float(n) if n < 2**53 else n):
        assert entity_id("BookingID", raw) == n


@given(st.one_of(st.integers(max_value=0), st.integers(min_value=INT32_MAX + 1)))
def test_every_out_of_range_id_is_refused(n) -> None:
    for raw in (n, str(n)):
        try:
            entity_id("BookingID", raw)
        except FieldError as exc:
            assert "must be between 1 and 2147483647" in str(exc)
        else:
            raise AssertionError(n)


@given(st.text(max_size=20))
def test_id_validation_never_crashes(text) -> None:
    try:
        entity_id("BookingID", text)
    except FieldError:
        pass
