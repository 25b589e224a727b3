"""The wire encodings' building blocks: camelCase names, dates, credits, negotiation,
and the DataContract XML writer's rules for lists (ArrayOf) and list members."""

from __future__ import annotations

from datetime import datetime

import pytest

from phonechat.api.contracts import ERROR, INVALID, PERMISSIONS
from phonechat.api.negotiation import negotiate
from phonechat.api.representation import (
    DC, INT, LIST, OBJECT, STR, Contract, Member, camel_case, credits_json, credits_xml,
    format_date, to_json, to_xml,
)

XSI = "http://www.w3.org/2001/XMLSchema-instance"


@pytest.mark.parametrize("name,camel", [
    ("BookingID", "bookingID"), ("UserID", "userID"), ("ID", "id"), ("Candidate", "candidate"),
    ("URLValue", "urlValue"), ("ActionClient", "actionClient"), ("A", "a"), ("", ""),
    ("bookingID", "bookingID"), ("IsGroupManager", "isGroupManager"), ("ModelState", "modelState"),
    ("1ABC", "1ABC"),
])
def test_camel_case_as_json_net(name, camel) -> None:
    assert camel_case(name) == camel


@pytest.mark.parametrize("d,text", [
    (datetime(2018, 1, 22), "2018-01-22T00:00:00"),
    (datetime(2018, 1, 21, 12, 48, 13, 412_000), "2018-01-21T12:48:13.412"),
    (datetime(2018, 1, 21, 12, 48, 13, 400_000), "2018-01-21T12:48:13.4"),
    (datetime(2018, 1, 21, 12, 48, 13, 1), "2018-01-21T12:48:13.000001"),
    (datetime(2018, 1, 21, 12, 48, 13, 120_300), "2018-01-21T12:48:13.1203"),
])
def test_format_date(d, text) -> None:
    assert format_date(d) == text
    # The generated JSON encoders inline the same expression, mappings and typed views alike.
    from types import SimpleNamespace

    from phonechat.api.representation import DATE, Contract, Member

    c = Contract("Dated", None, [Member("When", DATE)])
    assert to_json(c, {"When": d}) == to_json(c, SimpleNamespace(when=d)) == (
        b'{"When":"%s"}' % text.encode())


@pytest.mark.parametrize("units,json_value,xml_text", [
    (80_000, 8, "8.0000"), (85_000, 8.5, "8.5000"), (1, 0.0001, "0.0001"), (0, 0, "0.0000"),
    (125_000, 12.5, "12.5000"), (-5_000, -0.5, "-0.5000"), (-80_000, -8, "-8.0000"),
    (10**13, 10**9, "1000000000.0000"),
])
def test_credits_encodings(units, json_value, xml_text) -> None:
    assert credits_json(units) == json_value
    assert type(credits_json(units)) is type(json_value)
    assert credits_xml(units) == xml_text


def test_credits_json_numbers_on_the_wire() -> None:
    c = Contract("X", DC + "X", [Member("Credits", "credits")])
    assert to_json(c, {"Credits": 80_000}) == b'{"Credits":8}'
    assert to_json(c, {"Credits": 85_000}) == b'{"Credits":8.5}'


JSON_TYPE, XML_TYPE = "application/json; charset=utf-8", "application/xml; charset=utf-8"


@pytest.mark.parametrize("accept,body,answer", [
    (None, None, ("json", JSON_TYPE)),
    ("", None, ("json", JSON_TYPE)),
    ("*/*", None, ("json", JSON_TYPE)),
    ("application/xml", None, ("xml", XML_TYPE)),
    ("text/xml", None, ("xml", "text/xml; charset=utf-8")),
    ("text/json", None, ("json", "text/json; charset=utf-8")),
    ("application/xml, application/json", None, ("json", JSON_TYPE)),
    ("application/json, application/xml", None, ("json", JSON_TYPE)),
    ("application/json;q=0.5, application/xml", None, ("xml", XML_TYPE)),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None, ("xml", XML_TYPE)),
    ("text/html", None, ("json", JSON_TYPE)),
    ("application/*", None, ("json", JSON_TYPE)),
    ("text/*", None, ("json", "text/json; charset=utf-8")),
    ("application/xml;q=0", None, ("json", JSON_TYPE)),
    ("application/xml;q=abc", None, ("json", JSON_TYPE)),
    ("*/*;q=0.1, text/xml;q=0.2", None, ("xml", "text/xml; charset=utf-8")),
    ("application/xml;q=0.8, */*", None, ("json", JSON_TYPE)),
    ("APPLICATION/XML", None, ("xml", XML_TYPE)),
    ("garbage", None, ("json", JSON_TYPE)),
    (None, "application/xml", ("xml", XML_TYPE)),
    (None, "text/xml; charset=utf-8", ("xml", "text/xml; charset=utf-8")),
    (None, "application/json", ("json", JSON_TYPE)),
    (None, "text/plain", ("json", JSON_TYPE)),
    ("*/*", "application/xml", ("json", JSON_TYPE)),  # an Accept, even */*, decides
    ("application/json", "application/xml", ("json", JSON_TYPE)),
])
def test_negotiate_table(accept, body, answer) -> None:
    assert negotiate(accept, body) == answer


# --- the XML writer: lists ---------------------------------------------------------------

NS = DC + "API.Models.Test"
OTHER = DC + "API.Models.Other"
ITEM = Contract("Item", NS, [Member("Name", STR), Member("ID", INT)])
FOREIGN_ITEM = Contract("Thing", OTHER, [Member("Name", STR)])
PAGE = Contract("Page", NS, [Member("Items", LIST, ITEM), Member("PageNumber", INT)])
FOREIGN_PAGE = Contract("Holder", NS, [Member("Things", LIST, FOREIGN_ITEM)])
HEAD = f'xmlns:i="{XSI}" xmlns="{NS}"'


def test_list_of_contract_is_array_of_in_its_namespace() -> None:
    xml = to_xml(ITEM, [{"Name": "a", "ID": 1}, {"Name": None, "ID": 2}]).decode()
    assert xml == (f"<ArrayOfItem {HEAD}><Item><ID>1</ID><Name>a</Name></Item>"
                   f'<Item><ID>2</ID><Name i:nil="true" /></Item></ArrayOfItem>')


def test_empty_list_is_a_self_closed_array_of() -> None:
    assert to_xml(ITEM, []).decode() == f"<ArrayOfItem {HEAD} />"
    assert to_json(ITEM, []) == b"[]"


def test_json_list_keeps_member_order() -> None:
    assert to_json(ITEM, [{"Name": "a", "ID": 1}]) == b'[{"Name":"a","ID":1}]'


def test_list_member_writes_one_element_per_item_named_after_the_contract() -> None:
    xml = to_xml(PAGE, {"Items": [{"Name": "a", "ID": 1}], "PageNumber": 1}).decode()
    assert xml == (f"<Page {HEAD}><Items><Item><ID>1</ID><Name>a</Name></Item></Items>"
                   "<PageNumber>1</PageNumber></Page>")


def test_empty_and_null_list_members() -> None:
    assert to_xml(PAGE, {"Items": [], "PageNumber": 1}).decode() == \
        f"<Page {HEAD}><Items /><PageNumber>1</PageNumber></Page>"
    assert to_xml(PAGE, {"Items": None, "PageNumber": 1}).decode() == \
        f'<Page {HEAD}><Items i:nil="true" /><PageNumber>1</PageNumber></Page>'
    assert to_json(PAGE, {"Items": [], "PageNumber": 1}) == b'{"Items":[],"PageNumber":1}'


def test_list_member_of_a_foreign_namespace_declares_a_depth_prefix() -> None:
    xml = to_xml(FOREIGN_PAGE, {"Things": [{"Name": "a"}]}).decode()
    assert xml == (f'<Holder {HEAD}><Things xmlns:d4p1="{OTHER}"><d4p1:Thing>'
                   "<d4p1:Name>a</d4p1:Name></d4p1:Thing></Things></Holder>")
    assert to_xml(FOREIGN_PAGE, {"Things": []}).decode() == \
        f'<Holder {HEAD}><Things xmlns:d4p1="{OTHER}" /></Holder>'


def test_nested_object_prefix_follows_depth() -> None:
    """The sample's Candidate (depth 2) says d4p1; the same type one level deeper, d5p1."""
    user = Contract("User", OTHER, [Member("Name", STR)])
    booking = Contract("Booking", NS, [Member("User", OBJECT, user)])
    xml = to_xml(booking, [{"User": {"Name": "n"}}]).decode()
    assert xml == (f'<ArrayOfBooking {HEAD}><Booking><User xmlns:d5p1="{OTHER}">'
                   "<d5p1:Name>n</d5p1:Name></User></Booking></ArrayOfBooking>")


def test_empty_string_is_a_self_closed_element_and_text_is_escaped() -> None:
    assert to_xml(ITEM, {"Name": "", "ID": 1}).decode() == \
        f"<Item {HEAD}><ID>1</ID><Name /></Item>"
    assert to_xml(ITEM, {"Name": "a&b<c>d\"e'", "ID": 1}).decode() == \
        f"<Item {HEAD}><ID>1</ID><Name>a&amp;b&lt;c&gt;d\"e'</Name></Item>"


def test_error_bodies_have_no_namespace() -> None:
    assert to_xml(ERROR, {"Message": "a<b"}) == b"<Error><Message>a&lt;b</Message></Error>"
    assert to_xml(INVALID, {"Message": "m", "ModelState": {"A": ["x.", "y."], "B": ["z."]}}) == \
        b"<Error><Message>m</Message><ModelState><A>x. y.</A><B>z.</B></ModelState></Error>"
    assert to_json(INVALID, {"Message": "m", "ModelState": {"BookingID": ["x."]}}, camel=True) == \
        b'{"message":"m","modelState":{"bookingID":["x."]}}'


def test_permissions_list_items_share_the_account_namespace() -> None:
    xml = to_xml(PERMISSIONS, {"Permissions": [{"Permission": "p", "Status": "granted"}]}).decode()
    assert "<Permissions><Permission><Permission>p</Permission><Status>granted</Status>" \
           "</Permission></Permissions>" in xml
    assert "xmlns:d" not in xml


def _sample_values(c, rng):
    from datetime import datetime as dt

    out = {}
    for m in c.members:
        if rng.random() < 0.2:
            out[m.name] = None
        elif m.kind == "object":
            out[m.name] = _sample_values(m.of, rng)
        elif m.kind == "date":
            out[m.name] = dt(2018, 1, 2, 3, 4, 5, rng.choice([0, 412000]))
        elif m.kind == "credits":
            out[m.name] = rng.choice([80000, 85000, -5, 0])
        elif m.kind == "bool":
            out[m.name] = rng.random() < 0.5
        elif m.kind == "int":
            out[m.name] = rng.randint(-5, 1000)
        else:
            out[m.name] = rng.choice(["", "a<b&c>", "plain", "x\x00y"])
    return out


def test_the_generated_xml_writers_write_what_the_general_writer_writes() -> None:
    # Every contract of one object with a generated writer (scalars and nested objects),
    # over nulls, empty strings, text to escape or clean, dates with and without fractions.
    import random

    from phonechat.api import contracts
    from phonechat.api.representation import BARE_CREDITS, XSI, Contract, _xml_writer, _XmlWriter

    from types import SimpleNamespace

    from phonechat.api.representation import snake_case

    def typed(c: Contract, values: dict) -> SimpleNamespace:  # the same, as a typed view
        return SimpleNamespace(**{snake_case(m.name): (
            typed(m.of, values[m.name]) if m.of is not None and isinstance(values[m.name], dict)
            else values[m.name]) for m in c.members})

    checked = 0
    for c in vars(contracts).values():
        if (not isinstance(c, Contract) or c is BARE_CREDITS or c.namespace is None
                or _xml_writer(c, False) is None):
            continue
        rng = random.Random(c.name)
        for _ in range(200):
            values = _sample_values(c, rng)
            w = _XmlWriter()
            w.out.append(f'<{c.name} xmlns:i="{XSI}" xmlns="{c.namespace}">')
            w.members(c, values, c.namespace, {}, 1)
            w.out.append(f"</{c.name}>")
            assert to_xml(c, values) == "".join(w.out).encode()
            assert to_xml(c, typed(c, values)) == "".join(w.out).encode()
            assert to_json(c, typed(c, values)) == to_json(c, values)
        checked += 1
    assert checked >= 5  # MadeBooking, ReceivedBooking, the account answers, ...
