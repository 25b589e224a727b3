"""Binding request input (query string, JSON or XML body) to declared fields.

Field names match without regard to case, as ASP.NET's model binding did. All problems
are collected and raised together as one Invalid (400 with ModelState).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..domain.errors import Invalid
from ..domain.validation import FieldError, Validator, with_schema


@dataclass(frozen=True)
class Field:
    name: str
    check: Validator
    required: bool = True
    # (other field, value): the field is used only when the other field (declared before
    # it) has that value; otherwise whatever was sent is ignored and the field is None.
    used_when: tuple[str, Any] | None = None


@dataclass(frozen=True)
class Input:
    """An operation's input: its name (the XML body's root element) and fields."""

    name: str
    fields: tuple[Field, ...]
    # Other root elements an XML body may have: the contract the service answers with,
    # where a client may post back what it read (SaveSettings takes GetSettings' XML).
    xml_roots: tuple[str, ...] = ()
    # Takes an XML body too. An operation whose every field is optional takes JSON only: in
    # XML its empty object and an empty string are both `<Root></Root>`, so no schema could
    # tell a client (or a fuzzer) which one it sent.
    xml: bool = True
    # The operation checks its own rules even when some fields are invalid, to report every
    # problem at once: bind then leaves a bad field None and hands its messages on under
    # INVALID instead of raising (CreateBooking).
    partial: bool = False

    def __post_init__(self) -> None:
        # Each field with the lowered name it is found by, worked out once (bind runs on
        # every request).
        object.__setattr__(self, "_by_key", tuple((f, f.name.lower()) for f in self.fields))

    def bind(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        lowered = {k.lower(): v for k, v in raw.items()}
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for f, key in self._by_key:  # type: ignore[attr-defined]
            if f.used_when is not None and values.get(f.used_when[0]) != f.used_when[1]:
                values[f.name] = None
                continue
            v = lowered.get(key)
            if v is None or v == "":
                if f.required:
                    errors[f.name] = [f"The {f.name} field is required."]
                values[f.name] = None
                continue
            try:
                values[f.name] = f.check(f.name, v)
            except FieldError as exc:
                errors[f.name] = [str(exc)]
                values[f.name] = None
        if self.partial:
            values[INVALID] = errors
        elif errors:
            raise Invalid(errors)
        return values


INVALID = "(invalid)"  # the key of a partial binding's field messages


def read_by_handler(schema: dict[str, Any] | None = None) -> Validator:
    """A field that a RawDoc describes and its handler reads itself (oauthlib reads the
    OAuth parameters): never bound here, so it carries only its schema."""
    def unread(name: str, raw: Any) -> Any:
        return raw

    return with_schema(unread, schema or {"type": "string"})
