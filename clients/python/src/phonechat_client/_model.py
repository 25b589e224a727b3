"""What the generated models and operations are made of: typed members read from the wire."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

T = TypeVar("T", bound="Model")


def member(wire: str, kind: str) -> Any:
    """A dataclass field read from the JSON member `wire`: kind int, str, bool, decimal,
    datetime, map, a model's name, or list:<kind>."""
    return field(default=None, metadata={"wire": wire, "kind": kind})


class Model:
    """A response type: read with Model.from_wire, written back with to_wire."""

    @classmethod
    def from_wire(cls: type[T], data: Any) -> T:
        if not isinstance(data, dict):
            raise TypeError(f"{cls.__name__}: expected an object, got {type(data).__name__}")
        lower = {k.lower(): v for k, v in data.items()}  # camelCase answers too
        values = {f.name: read(f.metadata["kind"], lower.get(f.metadata["wire"].lower()))
                  for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        return cls(**values)

    def to_wire(self) -> dict[str, Any]:
        return {f.metadata["wire"]: write(getattr(self, f.name))
                for f in dataclasses.fields(self)}  # type: ignore[arg-type]


def read(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind.startswith("list:"):
        return [read(kind[5:], v) for v in value]
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "decimal":
        return value if isinstance(value, Decimal) else Decimal(str(value))
    if kind in ("int", "str", "bool", "map", "json"):
        return value
    from . import _generated

    return getattr(_generated, kind).from_wire(value)


def write(value: Any) -> Any:
    """A value as the API's JSON takes it."""
    if isinstance(value, Model):
        return value.to_wire()
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds" if not value.microsecond else "milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (list, tuple)):
        return [write(v) for v in value]
    if isinstance(value, dict):
        return {k: write(v) for k, v in value.items()}
    return value


def query_value(value: Any) -> str:
    """A value as the query string takes it."""
    value = write(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str
    group_path: str | None  # the /v1/Groups/ variant, for client.as_member(user_id)
    fields: dict[str, str]  # wire name -> how it is sent
    result: str  # the parser kind of its 200 answer
    auth: bool
