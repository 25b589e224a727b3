"""Every value a route's validator accepts is inside that validator's `.schema`: the OpenAPI
document may be wider than the validators, never narrower (a fuzzer sends values outside
it and expects them refused). A validator that starts accepting more fails here until its
schema says so."""

from __future__ import annotations

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phonechat.api.factory import build_routes
from phonechat.domain.validation import FieldError

# Characters the validators care about, so that accepted values come up often.
_CHARS = "0123456789+-., :Te_()\t\n\x0b\x0c\r\u00a0\u00b2\u0663abcfilnrstuxyzATF"
RAW = st.one_of(
    st.integers(min_value=-2**40, max_value=2**40), st.floats(allow_nan=False),
    st.booleans(), st.text(alphabet=_CHARS, max_size=24),
    st.from_regex(r"\A\s*[+-]?\d{1,4}([-.]\d\d?){0,2}([ T]\d\d:\d\d(:\d\d)?)?\s*\Z"),
    st.lists(st.one_of(st.integers(-5, 200), st.text(alphabet="0123 ,+-", max_size=4)),
             max_size=4),
)


def _fields() -> dict[str, object]:
    found: dict[str, object] = {}
    for methods in build_routes(sandbox=True, metrics=True).table.values():
        for route in methods.values():
            for f in route.input.fields if route.input else ():
                found.setdefault(f"{route.input.name}.{f.name}", f.check)
    return found


FIELDS = _fields()


@pytest.mark.parametrize("where", sorted(FIELDS))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=RAW)
def test_what_a_validator_accepts_is_inside_its_schema(where: str, raw: object) -> None:
    check = FIELDS[where]
    try:
        check(where.split(".")[-1], raw)  # type: ignore[operator]
    except FieldError:
        return
    except (ValueError, OverflowError, ArithmeticError):
        return  # a crash, not an acceptance: the parsers' own property tests judge those
    jsonschema.validate(raw, check.schema)  # type: ignore[attr-defined]
