"""Field rules for API input, with ASP.NET-style messages that name the field.

Each validator takes the field name and the raw value (a query-string or XML string,
or any JSON value) and returns the clean value or raises FieldError.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

INT32_MAX = 2_147_483_647
MAX_REASON_LENGTH = 500  # CancelledReason / RejectedReason; documented in the API reference
MAX_NUMBER_LENGTH = 40  # characters of a number sent as text; longer is "not valid", unread
SHOWN_LENGTH = 40  # characters of a value a message quotes

# ASCII digits only ("²" or "٣" are not numbers here), one optional sign.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_ASCII_DIGITS = frozenset("0123456789")
# At most 6 exponent digits: Decimal itself refuses exponents past its limits.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,6})?")
# Characters XML 1.0 cannot carry (C0 controls but tab, CR, LF; lone surrogates; U+FFFE/F).
# Text holding one could never be answered in XML, and PostgreSQL refuses NUL: refused.
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class FieldError(ValueError):
    """One field's problem; the message names the field."""


Validator = Callable[[str, Any], Any]


# --- what each validator accepts, as JSON Schema (the OpenAPI document reads `.schema`) ---
# A schema may be wider than what its validator accepts, never narrower: a fuzzer sends
# values outside it and expects a 400 (docs/openapi.md). Patterns are read as Python's `re`
# reads them (schemathesis does): `\s` is what str.strip() strips; digits are [0-9].

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
_INTEGER_TEXT = {"type": "string", "pattern": rf"^{_WS}[+-]?[0-9]+{_WS}$"}
# Characters XML 1.0 cannot carry, as a JSON Schema pattern (see _NOT_XML_CHAR).
_XML_TEXT = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]*$"


def _int_schema(low: int | None = None, high: int | None = None) -> dict[str, Any]:
    """A JSON integer in range (5.0 counts, as in JSON Schema), or its digits as text."""
    bounds = {k: v for k, v in (("minimum", low), ("maximum", high)) if v is not None}
    return {"anyOf": [{"type": "integer", **bounds}, _INTEGER_TEXT]}


@accepts(_int_schema())
def integer(name: str, raw: Any) -> int:
    """The one reading of a whole number, for every integer field: a JSON integer, a JSON
    number without a fraction (`3.0`), or text of at most 40 characters that is ASCII
    digits with one optional sign, spaces around allowed. Anything else: FieldError."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, float) and raw.is_integer():  # inf and nan are not
        return int(raw)
    if isinstance(raw, str):
        if raw.isascii() and raw.isdigit() and len(raw) <= MAX_NUMBER_LENGTH:
            return int(raw)  # the usual `5`: ASCII digits only, nothing for the pattern to do
        s = raw.strip()
        if len(s) <= MAX_NUMBER_LENGTH and _INTEGER.fullmatch(s):
            return int(s)
    raise FieldError(f"The value '{_shown(raw)}' is not valid for {name}.")


@accepts(_int_schema(1, INT32_MAX))
def entity_id(name: str, raw: Any) -> int:
    """An ID: a whole number from 1 to 2,147,483,647 (the original's int)."""
    value = integer(name, raw)
    if not 1 <= value <= INT32_MAX:
        raise FieldError(f"The field {name} must be between 1 and {INT32_MAX}.")
    return value


def _shown(raw: Any) -> str:
    """The offending value as the message quotes it: a JSON array or object as JSON,
    `true`/`false` for a boolean; cut to 40 characters; characters XML (or UTF-8) cannot
    carry replaced by U+FFFD, so that any error body can be written as JSON and XML."""
    if isinstance(raw, bool):
        s = "true" if raw else "false"
    elif isinstance(raw, int) and raw.bit_length() > 256:  # str() of a huge int is slow
        s = f"{'-' if raw < 0 else ''}a number of {raw.bit_length()} bits"
    elif isinstance(raw, (list, dict)):
        try:
            s = json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
        except (ValueError, TypeError):  # e.g. a huge int inside
            s = "[...]" if isinstance(raw, list) else "{...}"
    else:
        s = str(raw)
    if len(s) > SHOWN_LENGTH:
        s = s[:SHOWN_LENGTH] + "..."
    return clean_text(s)


def clean_text(s: str) -> str:
    """`s` with every character XML 1.0 cannot carry replaced by U+FFFD (the
    representation edge calls this on any text it writes that was not checked)."""
    return s if s.isprintable() or not _NOT_XML_CHAR.search(s) else _NOT_XML_CHAR.sub("\ufffd", s)


def _refuse_unwritable(name: str, raw: str) -> None:
    if raw.isprintable():  # no control character, surrogate or non-character: nothing to find
        return
    bad = _NOT_XML_CHAR.search(raw)
    if bad:
        raise FieldError(f"The field {name} contains a control character "
                         f"(U+{ord(bad.group()):04X}), which is not allowed.")


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
        _refuse_unwritable(name, raw)
        return raw

    return check


reason = text(MAX_REASON_LENGTH)


# --- the lifecycle's fields (CreateBooking, lists, settings) ----------------------------

MAX_COMMENTS_LENGTH = 1000
MAX_SKYPE_NAME_LENGTH = 100


# Every date the API reads is a wall-clock time in the service's zone (PHONECHAT_TIMEZONE)
# with no UTC offset: one with an offset or `Z` is refused, not converted (docs/wire.md).
# Years 1900-9998 only: a session's end, its settlement and any deadline stay datetimes.
_DATE = r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
_DAY = re.compile(_DATE)
_DATE_TIME = re.compile(_DATE + r"[ T]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?")
MIN_YEAR, MAX_YEAR = 1900, 9998
MAX_DATE_LENGTH = 40  # characters, spaces around included; longer is "not valid", unread


def _date(pattern: re.Pattern[str], raw: Any) -> datetime | None:
    if not isinstance(raw, str) or len(raw) > MAX_DATE_LENGTH:
        return None
    m = pattern.fullmatch(raw.strip())
    if m is None:
        return None
    parts = [int(p) for p in m.groups()[:6] if p is not None]
    fraction = m.groups()[6] if len(m.groups()) > 6 else None
    if not MIN_YEAR <= parts[0] <= MAX_YEAR:
        return None
    try:
        return datetime(*parts, microsecond=int(fraction.ljust(6, "0")) if fraction else 0)
    except ValueError:  # 2018-02-30, 25:00
        return None


@accepts({"type": "string",
          "pattern": rf"^{_WS}[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[ T][0-9]{{2}}:[0-9]{{2}}"
                     rf"(:[0-9]{{2}}(\.[0-9]{{1,6}})?)?{_WS}$",
          "examples": ["2018-01-22 21:30"]})
def wall_clock(name: str, raw: Any) -> datetime:
    """`YYYY-MM-DD HH:MM` (seconds, a fraction and the ISO `T` form accepted), wall-clock
    time in the service's zone; no UTC offset."""
    value = _date(_DATE_TIME, raw)
    if value is None:
        raise FieldError(f"The value '{_shown(raw)}' is not valid for {name}: expected a date "
                         "and time like 2018-01-22 21:30 (the service's time, no UTC offset, "
                         f"years {MIN_YEAR}-{MAX_YEAR}).")
    return value


@accepts({"type": "string", "pattern": rf"^{_WS}[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}{_WS}$",
          "examples": ["2018-01-22"]})
def day(name: str, raw: Any) -> datetime:
    """`yyyy-mm-dd`: the start of that day."""
    value = _date(_DAY, raw)
    if value is None:
        raise FieldError(f"The value '{_shown(raw)}' is not valid for {name}: expected a date "
                         f"like 2018-01-22 (years {MIN_YEAR}-{MAX_YEAR}).")
    return value


@accepts_from(lambda low, high=INT32_MAX: _int_schema(low, high))
def whole_number(low: int, high: int = INT32_MAX) -> Validator:
    """A whole number from `low` to `high`."""

    def check(name: str, raw: Any) -> int:
        value = integer(name, raw)
        if not low <= value <= high:
            raise FieldError(f"The field {name} must be between {low} and {high}.")
        return value

    return check


@accepts({"anyOf": [
    {"type": "number", "minimum": 0, "maximum": 10**9},
    {"type": "string",
     "pattern": rf"^{_WS}[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{{1,6}})?{_WS}$"}]})
def credits_amount(name: str, raw: Any) -> int:
    """A positive number of credits with at most 4 decimal places, as units."""
    from .credits import MAX_CREDITS_UNITS, UNITS_PER_CREDIT, NotAnAmount, to_units

    not_valid = FieldError(f"The value '{_shown(raw)}' is not valid for {name}: a number of "
                           "credits with at most 4 decimal places is expected.")
    out_of_range = FieldError(
        f"The field {name} must be between 0 and {MAX_CREDITS_UNITS // UNITS_PER_CREDIT}.")
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise not_valid
    if isinstance(raw, int):
        units = raw * UNITS_PER_CREDIT
        if not 0 <= units <= MAX_CREDITS_UNITS:
            raise out_of_range
        return units
    # The size is bounded before any arithmetic: "1E+999990" is short, but its value has a
    # million digits (Decimal would take seconds to scale it).
    s = raw.strip() if isinstance(raw, str) else repr(raw)
    if len(s) > MAX_NUMBER_LENGTH or not _DECIMAL.fullmatch(s):
        raise not_valid
    d = Decimal(s)
    if d and d.adjusted() > 12:  # beyond any amount allowed (10^9 credits)
        raise out_of_range
    if d and d.adjusted() < -12:  # far below 0.0001: surely more than 4 decimals
        raise not_valid
    try:
        units = to_units(d)
    except NotAnAmount:
        raise not_valid from None
    if not 0 <= units <= MAX_CREDITS_UNITS:
        raise out_of_range
    return units


def client_phone_number(name: str, raw: Any) -> str:
    """CreateBooking's PhoneNumber (Method 1): "10 or 11 numbers" (published), or in the
    international form the settings use (digits with a leading + and the country code:
    then 11 to 15 digits, E.164's most). Spaces, dashes and brackets between the digits are
    dropped; the + is kept."""
    s = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
    international = s.startswith("+")
    rest = s[1:] if international else s
    digits = "".join(ch for ch in rest if ch.isascii() and ch.isdigit())
    lengths = range(11, 16) if international else (10, 11)
    if (not rest or any(not ((ch.isascii() and ch.isdigit()) or ch in " -()") for ch in rest)
            or len(digits) not in lengths):
        raise FieldError(f"The field {name} must be a phone number of 10 or 11 digits, or "
                         "+ with the country code and 11 to 15 digits.")
    return ("+" if international else "") + digits


client_phone_number.schema = {  # type: ignore[attr-defined]
    "type": ["string", "integer"],
    "description": "10 or 11 digits, or + and 11 to 15 digits; spaces, dashes, brackets "
                   "allowed between them",
}


method = whole_number(1, 3)


def _any_case(word: str) -> str:
    """A pattern matching `word` in any letter case (JSON Schema patterns have no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


@accepts_from(lambda *choices: {
    "type": "string", "pattern": rf"^{_WS}({'|'.join(map(_any_case, choices))}){_WS}$",
    "examples": list(choices)})
def one_of(*choices: str) -> Validator:
    def check(name: str, raw: Any) -> str:
        # ASCII only: str.lower() also folds the Kelvin sign into a "k".
        v = raw.strip().lower() if isinstance(raw, str) and raw.isascii() else None
        if v not in choices:
            raise FieldError(f"The value '{_shown(raw)}' is not valid for {name}: expected one of "
                             f"{', '.join(choices)}.")
        return v

    return check


@accepts({"anyOf": [
    {"type": "integer", "minimum": 1, "maximum": INT32_MAX},
    {"type": "string", "pattern": r"^[\s,+\-0-9]*[0-9][\s,+\-0-9]*$"},
    {"type": "array", "minItems": 1,
     "items": {"anyOf": [*_int_schema(1, INT32_MAX)["anyOf"], {"type": "string"}]}}]})
def id_list(name: str, raw: Any) -> list[int]:
    """`"100,101,102"` (or a JSON array): the IDs, in order, without duplicates."""
    items = raw if isinstance(raw, list) else raw.split(",") if isinstance(raw, str) else [raw]
    ids: dict[int, None] = {}  # in order, without duplicates
    for item in items:
        if isinstance(item, str) and not item.strip():
            continue
        ids[entity_id(name, item)] = None
        if len(ids) > 100:
            raise FieldError(f"The field {name} may list at most 100 IDs.")
    if not ids:
        raise FieldError(f"The {name} field is required.")
    return list(ids)


@accepts({"anyOf": [
    {"type": "integer", "minimum": 1, "maximum": 3},
    {"type": "string", "pattern": r"^[\s,+\-0-9]*$"},
    {"type": "array", "items": _int_schema(1, 3)}]})
def method_list(name: str, raw: Any) -> list[int]:
    """Methods: `[1, 3]`, `"1,3"` or XML's `<a:int>` items; an empty list means none."""
    return sorted({method(name, x) for x in _listed(raw)})


@accepts({"anyOf": [{"type": "boolean"}, {"enum": [0, 1]}, {
    "type": "string", "pattern": rf"^{_WS}([tT][rR][uU][eE]|[fF][aA][lL][sS][eE]|0|1){_WS}$"}]})
def boolean(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    v = raw.strip().lower() if isinstance(raw, str) else raw if isinstance(raw, int) else None
    if v in ("true", "1", 1):
        return True
    if v in ("false", "0", 0):
        return False
    raise FieldError(f"The value '{_shown(raw)}' is not valid for {name}: true or false is "
                     "expected.")


@accepts_from(lambda max_length: {"type": "string", "maxLength": max_length,
                                   "pattern": _XML_TEXT})
def optional_text(max_length: int) -> Validator:
    """Free text of at most `max_length` characters (blank allowed)."""

    def check(name: str, raw: Any) -> str:
        if not isinstance(raw, str):
            raise FieldError(
                f"The value '{_shown(raw)}' is not valid for {name}: a string is expected.")
        if len(raw) > max_length:
            raise FieldError(
                f"The field {name} must be a string with a maximum length of {max_length}.")
        _refuse_unwritable(name, raw)
        return raw

    return check


skype_name = text(MAX_SKYPE_NAME_LENGTH)
comments = optional_text(MAX_COMMENTS_LENGTH)


# --- PhoneChat settings (GetSettings / SaveSettings) --------------------------------------


class Elements:
    """The raw value of an XML element that has child elements (`<Methods><a:int>1</a:int>
    </Methods>`, `<DirectChat><DirectChatOnly>true</DirectChatOnly></DirectChat>`): its
    children as (local name, raw value) pairs, in document order. JSON gives a list or an
    object instead; the validators below take either."""

    __slots__ = ("children",)

    def __init__(self, children: list[tuple[str, Any]]) -> None:
        self.children = children

    def values(self) -> list[Any]:
        return [v for _, v in self.children]

    def mapping(self) -> dict[str, Any]:
        return dict(self.children)

    def __str__(self) -> str:
        return "".join(f"<{k}>{v}</{k}>" for k, v in self.children)


def _listed(raw: Any) -> list[Any]:
    if isinstance(raw, Elements):
        return raw.values()
    if isinstance(raw, list):
        return raw
    if isinstance(raw, str):
        return [x for x in raw.split(",") if x.strip()]
    return [raw]


_INTERNATIONAL_NUMBER = re.compile(r"\+?[1-9][0-9]{6,14}")


def international_phone_number(name: str, raw: Any) -> str:
    """PhoneChatNumber, as the original publishes it: only digits with an optional leading
    `+`, starting with the country code (so never with 0); 7 to 15 digits (E.164). Kept as
    sent."""
    s = raw.strip() if isinstance(raw, str) else ""
    if not _INTERNATIONAL_NUMBER.fullmatch(s):
        raise FieldError(f"The field {name} must be a phone number with its country code: only "
                         "digits with an optional leading +, e.g. +447700900123.")
    return s


international_phone_number.schema = {  # type: ignore[attr-defined]
    "type": "string", "pattern": "^\\s*\\+?[1-9][0-9]{6,14}\\s*$"}


def direct_chat_settings(name: str, raw: Any) -> dict[str, Any]:
    """aws:DirectChatSettings (reconstructed: its one member is the "DirectChat Only" option
    that CreateBooking's and GetUserBookingRequirements' prerequisites name)."""
    if isinstance(raw, Elements):
        raw = raw.mapping()
    if not isinstance(raw, dict):
        raise FieldError(f"The value '{_shown(raw)}' is not valid for {name}: an object "
                         "(aws:DirectChatSettings) is expected.")
    lowered = {str(k).lower(): v for k, v in raw.items()}
    only = lowered.get("directchatonly")
    if only is None or only == "":
        raise FieldError(f"The {name}.DirectChatOnly field is required.")
    return {"DirectChatOnly": boolean(f"{name}.DirectChatOnly", only)}


direct_chat_settings.schema = {  # type: ignore[attr-defined]
    "type": "object", "required": ["DirectChatOnly"],
    "properties": {"DirectChatOnly": {"type": "boolean"}}}
