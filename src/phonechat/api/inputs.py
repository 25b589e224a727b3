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


@dataclass(frozen=True)
class Input:
    """An operation's input: its name (the XML body's root element) and fields."""

    name: str
    fields: tuple[Field, ...]

    def bind(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        lowered = {k.lower(): v for k, v in raw.items()}
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for f in self.fields:
            v = lowered.get(f.name.lower())
            if v is None or v == "":
                if f.required:
                    errors[f.name] = [f"The {f.name} field is required."]
                else:
                    values[f.name] = None
                continue
            try:
                values[f.name] = f.check(f.name, v)
            except FieldError as exc:
                errors[f.name] = [str(exc)]
        if errors:
            raise Invalid(errors)
        return values


def read_by_handler(schema: dict[str, Any] | None = None) -> Validator:
    """A field that a RawDoc describes and its handler reads itself (oauthlib reads the
    OAuth parameters): never bound here, so it carries only its schema."""
    def unread(name: str, raw: Any) -> Any:
        return raw

    return with_schema(unread, schema or {"type": "string"})
