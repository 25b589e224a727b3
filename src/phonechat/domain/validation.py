"""Field rules for API input, with ASP.NET-style messages that name the field.

Each validator takes the field name and the raw value (a query-string or XML string,
or any JSON value) and returns the clean value or raises FieldError.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

INT32_MAX = 2_147_483_647
MAX_REASON_LENGTH = 500  # CancelledReason / RejectedReason; documented in the API reference


_INTEGER = re.compile(r"[+-]?[0-9]+")  # ASCII digits only: "²" or "٣" are not numbers here
# Characters XML 1.0 cannot carry (C0 controls but tab, CR, LF; lone surrogates; U+FFFE/F).
# Text holding one could never be answered in XML, and PostgreSQL refuses NUL: refused.
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class FieldError(ValueError):
    """One field's problem; the message names the field."""


Validator = Callable[[str, Any], Any]


# --- what each validator accepts, as JSON Schema (the OpenAPI document reads `.schema`) ---
# A schema may be wider than what its validator accepts, never narrower: a fuzzer sends
# values outside it and expects a 400 (docs/openapi.md).

def with_schema(check: Validator, schema: dict[str, Any]) -> Validator:
    """`check`, carrying the JSON Schema of the raw values it accepts as `check.schema`."""
    check.schema = schema  # type: ignore[attr-defined]
    return check


def accepts(schema: dict[str, Any]) -> Callable[[Validator], Validator]:
    """Decorator form of with_schema for a validator defined with `def`."""
    return lambda check: with_schema(check, schema)


def accepts_from(schema_of: Callable[..., dict[str, Any]]) -> Callable[[Any], Any]:
    """For a validator factory: each validator it makes carries `schema_of(*its args)`."""
    def decorate(factory: Callable[..., Validator]) -> Callable[..., Validator]:
        def make(*args: Any) -> Validator:
            return with_schema(factory(*args), schema_of(*args))
        make.__name__, make.__doc__ = factory.__name__, factory.__doc__
        return make
    return decorate


_WS = r"\s*"
# Digits as `str.isdigit`, `int` and strptime read them (Python's \d: any decimal digit).
_INTEGER_TEXT = {"type": "string", "pattern": rf"^{_WS}[+-]*\d+{_WS}$"}
# Characters XML 1.0 cannot carry, as a JSON Schema pattern (see _NOT_XML_CHAR).
_XML_TEXT = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]*$"


def _int_schema(low: int, high: int) -> dict[str, Any]:
    """A JSON integer in range (5.0 counts, as in JSON Schema), or its digits as text."""
    return {"anyOf": [{"type": "integer", "minimum": low, "maximum": high}, _INTEGER_TEXT]}


@accepts(_int_schema(1, INT32_MAX))
def entity_id(name: str, raw: Any) -> int:
    """An ID: a whole number from 1 to 2,147,483,647 (the original's int)."""
    if isinstance(raw, bool):
        raise FieldError(f"The value '{str(raw).lower()}' is not valid for {name}.")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _INTEGER.fullmatch(raw.strip()):
        value = int(raw.strip())
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    else:
        raise FieldError(f"The value '{_shown(raw)}' is not valid for {name}.")
    if not 1 <= value <= INT32_MAX:
        raise FieldError(f"The field {name} must be between 1 and {INT32_MAX}.")
    return value


def _shown(raw: Any) -> str:
    """The offending value as the message quotes it: a JSON array or object as JSON;
    cut short, so that messages stay small."""
    s = (json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
         if isinstance(raw, (list, dict)) else str(raw))
    return s if len(s) <= 40 else s[:40] + "..."


@accepts_from(lambda max_length: {"type": "string", "minLength": 1,
                                   "maxLength": max_length, "pattern": _XML_TEXT})
def text(max_length: int) -> Validator:
    """A non-blank string of at most `max_length` characters."""

    def check(name: str, raw: Any) -> str:
        if not isinstance(raw, str):
            raise FieldError(
                f"The value '{_shown(raw)}' is not valid for {name}: a string is expected.")
        if not raw.strip():
            raise FieldError(f"The {name} field is required.")
        if len(raw) > max_length:
            raise FieldError(
                f"The field {name} must be a string with a maximum length of {max_length}.")
        bad = _NOT_XML_CHAR.search(raw)
        if bad:
            raise FieldError(f"The field {name} contains a control character "
                             f"(U+{ord(bad.group()):04X}), which is not allowed.")
        return raw

    return check


reason = text(MAX_REASON_LENGTH)


# --- the lifecycle's fields (CreateBooking, lists, settings) ----------------------------

MAX_COMMENTS_LENGTH = 1000
MAX_SKYPE_NAME_LENGTH = 100


@accepts({"type": "string", "pattern": rf"^{_WS}\d{{4}}-\d\d-\d\d[ T]\d\d:\d\d",
          "examples": ["2018-01-22 21:30"]})
def wall_clock(name: str, raw: Any) -> datetime:
    """`YYYY-MM-DD HH:MM` (seconds and the ISO `T` form accepted), wall-clock time."""
    if isinstance(raw, str):
        s = raw.strip()
        if len(s) >= 16 and s[10] in " T" and "+" not in s[10:] and not s.endswith("Z"):
            try:
                return datetime.fromisoformat(s.replace(" ", "T", 1))
            except ValueError:
                pass
    raise FieldError(f"The value '{raw}' is not valid for {name}: expected a date and time "
                     "like 2018-01-22 21:30.")


@accepts({"type": "string", "pattern": rf"^{_WS}\d{{4}}-[ \d]?\d-[ \d]?\d{_WS}$",
          "format": "date"})
def day(name: str, raw: Any) -> datetime:
    """`yyyy-mm-dd`: the start of that day."""
    if isinstance(raw, str) and len(raw.strip()) == 10:
        try:
            return datetime.strptime(raw.strip(), "%Y-%m-%d")
        except ValueError:
            pass
    raise FieldError(f"The value '{raw}' is not valid for {name}: expected a date like "
                     "2018-01-22.")


@accepts_from(lambda low, high=INT32_MAX: _int_schema(low, high))
def whole_number(low: int, high: int = INT32_MAX) -> Validator:
    """A whole number from `low` to `high`."""

    def check(name: str, raw: Any) -> int:
        if isinstance(raw, bool):
            raise FieldError(f"The value '{str(raw).lower()}' is not valid for {name}.")
        if isinstance(raw, int):
            value = raw
        elif isinstance(raw, float) and raw.is_integer():
            value = int(raw)
        elif isinstance(raw, str) and raw.strip().lstrip("+-").isdigit():
            value = int(raw.strip())
        else:
            raise FieldError(f"The value '{raw}' is not valid for {name}.")
        if not low <= value <= high:
            raise FieldError(f"The field {name} must be between {low} and {high}.")
        return value

    return check


@accepts({"anyOf": [
    {"type": "number", "minimum": 0, "maximum": 10**9},
    {"type": "string", "pattern": rf"^{_WS}[+-]?[\d_.]*\d[\d_.]*([eE][+-]?[\d_]+)?{_WS}$"}]})
def credits_amount(name: str, raw: Any) -> int:
    """A positive number of credits with at most 4 decimal places, as units."""
    from .credits import MAX_CREDITS_UNITS, NotAnAmount, to_units

    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise FieldError(f"The value '{raw}' is not valid for {name}.")
    try:
        units = to_units(str(raw).strip())
    except NotAnAmount:
        raise FieldError(f"The value '{raw}' is not valid for {name}: a number of credits "
                         "with at most 4 decimal places is expected.") from None
    if not 0 <= units <= MAX_CREDITS_UNITS:
        raise FieldError(f"The field {name} must be between 0 and {MAX_CREDITS_UNITS // 10_000}.")
    return units


@accepts({"anyOf": [{"type": "integer"},
                   {"type": "string", "pattern": rf"^{_WS}[\d \-()]*\d[\d \-()]*{_WS}$"}]})
def phone_number(name: str, raw: Any) -> str:
    """10 or 11 digits (spaces, dashes and brackets allowed around them); digits kept."""
    s = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
    digits = "".join(ch for ch in s if ch.isdigit())
    if not s or any(not (ch.isdigit() or ch in " -()") for ch in s) or len(digits) not in (10, 11):
        raise FieldError(f"The field {name} must be a phone number of 10 or 11 digits.")
    return digits


method = whole_number(1, 3)


def _any_case(word: str) -> str:
    """A pattern matching `word` in any letter case (JSON Schema patterns have no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


@accepts_from(lambda *choices: {
    "type": "string", "pattern": rf"^{_WS}({'|'.join(map(_any_case, choices))}){_WS}$",
    "examples": list(choices)})
def one_of(*choices: str) -> Validator:
    def check(name: str, raw: Any) -> str:
        v = str(raw).strip().lower()
        if v not in choices:
            raise FieldError(f"The value '{raw}' is not valid for {name}: expected one of "
                             f"{', '.join(choices)}.")
        return v

    return check


@accepts({"anyOf": [
    {"type": "integer", "minimum": 1, "maximum": INT32_MAX},
    {"type": "string", "pattern": r"^[\s,+\-\d]*\d[\s,+\-\d]*$"},
    {"type": "array", "minItems": 1,
     "items": {"anyOf": [*_int_schema(1, INT32_MAX)["anyOf"], {"type": "string"}]}}]})
def id_list(name: str, raw: Any) -> list[int]:
    """`"100,101,102"` (or a JSON array): the IDs, in order, without duplicates."""
    items = raw if isinstance(raw, list) else str(raw).split(",")
    ids: list[int] = []
    for item in items:
        if isinstance(item, str) and not item.strip():
            continue
        value = entity_id(name, item.strip() if isinstance(item, str) else item)
        if value not in ids:
            ids.append(value)
    if not ids:
        raise FieldError(f"The {name} field is required.")
    if len(ids) > 100:
        raise FieldError(f"The field {name} may list at most 100 IDs.")
    return ids


@accepts({"anyOf": [
    {"type": "integer", "minimum": 1, "maximum": 3},
    {"type": "string", "pattern": r"^[\s,+\-\d]*$"},
    {"type": "array", "items": _int_schema(1, 3)}]})
def method_list(name: str, raw: Any) -> list[int]:
    """Methods: `[1, 3]` or `"1,3"`; an empty list means none."""
    items = raw if isinstance(raw, list) else [x for x in str(raw).split(",") if x.strip()]
    return sorted({method(name, x) for x in items})


@accepts({"anyOf": [{"type": "boolean"}, {"enum": [0, 1]}, {
    "type": "string", "pattern": rf"^{_WS}([tT][rR][uU][eE]|[fF][aA][lL][sS][eE]|0|1){_WS}$"}]})
def boolean(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    v = str(raw).strip().lower()
    if v in ("true", "1"):
        return True
    if v in ("false", "0"):
        return False
    raise FieldError(f"The value '{raw}' is not valid for {name}: true or false is expected.")


@accepts_from(lambda max_length: {"type": "string", "maxLength": max_length})
def optional_text(max_length: int) -> Validator:
    """Free text of at most `max_length` characters (blank allowed)."""

    def check(name: str, raw: Any) -> str:
        if not isinstance(raw, str):
            raise FieldError(f"The value '{raw}' is not valid for {name}: a string is expected.")
        if len(raw) > max_length:
            raise FieldError(
                f"The field {name} must be a string with a maximum length of {max_length}.")
        return raw

    return check


skype_name = text(MAX_SKYPE_NAME_LENGTH)
comments = optional_text(MAX_COMMENTS_LENGTH)
