"""Field rules for API input, with ASP.NET-style messages that name the field.

Each validator takes the field name and the raw value (a query-string or XML string,
or any JSON value) and returns the clean value or raises FieldError.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
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
