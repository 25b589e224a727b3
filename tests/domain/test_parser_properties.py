"""Property tests of everything that reads client input (issue 9, section 2): the query
string, JSON and XML bodies, and every field validator of every route (numbers, dates, IDs,
texts). Whatever arrives gives a value, a FieldError/Invalid (400 with ModelState) or an
HttpError (a documented 4xx), never another exception, and each judgement takes under 50 ms.
The runs are deterministic (derandomize) with a bounded number of examples."""

from __future__ import annotations

import gc
import json
import time
from typing import Any
from xml.etree import ElementTree as ET

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phonechat.api.contracts import ERROR, INVALID
from phonechat.api.factory import build_routes
from phonechat.api.http import HttpError, Request
from phonechat.api.inputs import INVALID as UNPARSED
from phonechat.api.representation import to_json, to_xml
from phonechat.clock import FrozenClock
from phonechat.domain.errors import Invalid
from phonechat.domain.validation import FieldError, credits_amount, day, entity_id, wall_clock
from tests.conftest import START

BUDGET = 0.05  # seconds per judgement
PROPERTY = settings(derandomize=True, max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ROUTES = [r for methods in build_routes(sandbox=True).table.values() for r in methods.values()]
INPUTS = sorted({r.input for r in ROUTES if r.input is not None}, key=lambda i: i.name)
CANCEL = next(i for i in INPUTS if i.name == "CancelMadeBooking")
FIELDS = sorted({(f.name, f.check) for i in INPUTS for f in i.fields},
                key=lambda f: (f[0], id(f[1])))


def _judged_quickly(judge: Any, *args: Any) -> Any:
    """judge(*args): its value, or the documented error; timed in CPU time (the work done,
    not the waits of a machine shared with other jobs), with the cyclic garbage collector
    paused (a collection of the test process's whole heap is not the judge's cost)."""
    gc.disable()
    started = time.thread_time()
    try:
        result: Any = judge(*args)
    except (FieldError, Invalid, HttpError) as exc:
        result = exc
    finally:
        elapsed = time.thread_time() - started
        gc.enable()
    assert elapsed < BUDGET, f"{judge} took {elapsed * 1000:.1f} ms on {args!r:.200}"
    return result


def _writable(exc: Any) -> None:
    """An error's body can be written in JSON and in XML, well-formed."""
    if isinstance(exc, FieldError):
        exc = Invalid({"Field": [str(exc)]})
    if isinstance(exc, Invalid):
        values = {"Message": exc.message, "ModelState": exc.errors}
        orjson.loads(to_json(INVALID, values))
        ET.fromstring(to_xml(INVALID, values))
        assert all(len(m) < 400 for ms in exc.errors.values() for m in ms)


# Text that looks like what the validators expect, and what is near it.
NUMBERISH = st.from_regex(r"\A[ +\-]{0,3}[0-9²٣.eE+\-_ ]{0,30}\Z")
DATEISH = st.from_regex(
    r"\A[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)?"
    r"([+\-][0-9]{2}:?[0-9]{2}|Z)?\Z")
TEXT = st.one_of(st.text(max_size=60), NUMBERISH, DATEISH,
                 st.text(st.characters(codec="utf-8"), min_size=1000, max_size=3000))
SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=10**300, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True), TEXT)
JSONISH = st.recursive(SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=5), inner, max_size=5)),
    max_leaves=10)


@PROPERTY
@given(field=st.sampled_from(FIELDS), raw=JSONISH)
def test_every_field_validator_gives_a_value_or_a_field_error(field, raw) -> None:
    name, check = field
    result = _judged_quickly(check, name, raw)
    if isinstance(result, FieldError):
        assert name in str(result)
        _writable(result)


@PROPERTY
@given(input_=st.sampled_from(INPUTS),
       raw=st.dictionaries(st.sampled_from(["BookingID", "bookingid", "Reason", "Credits",
                                            "SessionDate", "AcceptBy", "Duration", "Method",
                                            "StartDate", "OrderBy", "PageNumber", "BookingIDs",
                                            "UserID", "Now", "Clock", "x"]),
                           JSONISH, max_size=8))
def test_every_route_input_binds_or_reports_every_field(input_, raw) -> None:
    result = _judged_quickly(input_.bind, raw)
    if input_.partial:  # CreateBooking: the field messages are handed on, not raised
        assert not isinstance(result, Invalid)
        invalid = result.pop(UNPARSED)
        assert set(invalid) <= {f.name for f in input_.fields}
        assert all(result[name] is None for name in invalid)
        _writable(Invalid(invalid)) if invalid else None
    if isinstance(result, Invalid):
        assert set(result.errors) <= {f.name for f in input_.fields}
        _writable(result)
    else:
        assert set(result) == {f.name for f in input_.fields}


def _request(body: bytes, content_type: str, query: bytes = b"") -> Request:
    class App:
        clock = FrozenClock(START)
        db = None

    scope = {"method": "POST", "path": "/x", "query_string": query, "headers": []}
    return Request(scope, {b"content-type": content_type.encode()}, body, "id", App())


@PROPERTY
@given(body=st.one_of(st.binary(max_size=300), JSONISH.map(lambda v: json.dumps(v).encode()),
                      st.text(max_size=200).map(str.encode)),
       content_type=st.sampled_from(["application/json", "text/json; charset=utf-8",
                                     "application/xml", "text/xml", "text/plain", ""]))
def test_a_body_parses_to_fields_or_a_documented_error(body, content_type) -> None:
    result = _judged_quickly(_request(body, content_type).body_fields, CANCEL)
    if isinstance(result, HttpError):
        assert result.status in (400, 415)
        ET.fromstring(to_xml(ERROR, {"Message": result.message}))
        orjson.loads(to_json(ERROR, {"Message": result.message}))
    else:
        assert isinstance(result, dict)


XML_CHILD = st.tuples(st.sampled_from(["BookingID", "Reason", "Credits", "a:int"]),
                      st.text(max_size=40))


@PROPERTY
@given(children=st.lists(XML_CHILD, max_size=5), root=st.sampled_from(["CancelMadeBooking", "X"]))
def test_an_xml_body_reads_back_its_children(children, root) -> None:
    from xml.sax.saxutils import escape

    inner = "".join(f"<{n}>{escape(v)}</{n}>" for n, v in children)
    body = f'<{root} xmlns:a="urn:a">{inner}</{root}>'.encode("utf-8", "surrogatepass")
    result = _judged_quickly(_request(body, "application/xml").body_fields, CANCEL)
    assert isinstance(result, (dict, HttpError))


@PROPERTY
@given(query=st.binary(max_size=300))
def test_any_query_string_parses(query) -> None:
    result = _judged_quickly(_request(b"", "", query).query)
    assert isinstance(result, dict)


# Targeted: numbers, dates and IDs, where the 500s and the 22-second answer were.


@PROPERTY
@given(raw=st.one_of(NUMBERISH, st.from_regex(r"\A-?[0-9]{0,3}(\.[0-9]{0,6})?[eE][+\-]?[0-9]{1,7}\Z")))
def test_credits_never_take_long_whatever_the_exponent(raw) -> None:
    result = _judged_quickly(credits_amount, "Credits", raw)
    assert isinstance(result, (int, FieldError))
    if isinstance(result, int):
        assert 0 <= result <= 10**13


@PROPERTY
@given(raw=st.one_of(DATEISH, st.text(max_size=30)))
def test_dates_are_naive_wall_clock_times_or_refused(raw) -> None:
    for reader in (wall_clock, day):
        result = _judged_quickly(reader, "SessionDate", raw)
        if not isinstance(result, FieldError):
            assert result.tzinfo is None and 1900 <= result.year <= 9998


@PROPERTY
@given(raw=st.one_of(NUMBERISH, st.integers(), st.floats()))
def test_ids_are_in_range_or_refused(raw) -> None:
    result = _judged_quickly(entity_id, "BookingID", raw)
    assert isinstance(result, FieldError) or 1 <= result <= 2_147_483_647
