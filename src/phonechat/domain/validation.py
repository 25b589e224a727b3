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


def day(name: str, raw: Any) -> datetime:
    """`yyyy-mm-dd`: the start of that day."""
    if isinstance(raw, str) and len(raw.strip()) == 10:
        try:
            return datetime.strptime(raw.strip(), "%Y-%m-%d")
        except ValueError:
            pass
    raise FieldError(f"The value '{raw}' is not valid for {name}: expected a date like "
                     "2018-01-22.")


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


def phone_number(name: str, raw: Any) -> str:
    """10 or 11 digits (spaces, dashes and brackets allowed around them); digits kept."""
    s = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
    digits = "".join(ch for ch in s if ch.isdigit())
    if not s or any(not (ch.isdigit() or ch in " -()") for ch in s) or len(digits) not in (10, 11):
        raise FieldError(f"The field {name} must be a phone number of 10 or 11 digits.")
    return digits


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


def one_of(*choices: str) -> Validator:
    def check(name: str, raw: Any) -> str:
        v = str(raw).strip().lower()
        if v not in choices:
            raise FieldError(f"The value '{raw}' is not valid for {name}: expected one of "
                             f"{', '.join(choices)}.")
        return v

    return check


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


def method_list(name: str, raw: Any) -> list[int]:
    """Methods: `[1, 3]`, `"1,3"` or XML's `<a:int>` items; an empty list means none."""
    return sorted({method(name, x) for x in _listed(raw)})


def boolean(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    v = str(raw).strip().lower()
    if v in ("true", "1"):
        return True
    if v in ("false", "0"):
        return False
    raise FieldError(f"The value '{raw}' is not valid for {name}: true or false is expected.")


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
    return raw if isinstance(raw, list) else [x for x in str(raw).split(",") if x.strip()]


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
