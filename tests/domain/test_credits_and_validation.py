"""Credits arithmetic and the field validators."""

from __future__ import annotations

from decimal import Decimal

import pytest

from phonechat.domain.credits import NotAnAmount, to_decimal, to_units
from phonechat.domain.validation import FieldError, entity_id, reason


@pytest.mark.parametrize("value,units", [
    (8, 80_000), ("8", 80_000), ("8.5", 85_000), (Decimal("12.5"), 125_000),
    ("0.0001", 1), ("0", 0), ("-1.25", -12_500), ("8.50000", 85_000), ("1e2", 1_000_000),
])
def test_to_units_is_exact(value, units) -> None:
    assert to_units(value) == units


@pytest.mark.parametrize("value", ["0.00001", "8.12345", "abc", "", "NaN", "Infinity", "1,5"])
def test_to_units_refuses_five_decimals_and_non_amounts(value) -> None:
    with pytest.raises(NotAnAmount):
        to_units(value)


@pytest.mark.parametrize("units,credits", [(80_000, Decimal(8)), (85_000, Decimal("8.5")),
                                          (1, Decimal("0.0001")), (0, Decimal(0))])
def test_to_decimal_round_trips(units, credits) -> None:
    assert to_decimal(units) == credits
    assert to_units(to_decimal(units)) == units


@pytest.mark.parametrize("raw,value", [(1, 1), ("1", 1), (" 42 ", 42), ("+7", 7), ("007", 7),
                                       (3.0, 3), (2_147_483_647, 2_147_483_647)])
def test_entity_id_accepts(raw, value) -> None:
    assert entity_id("BookingID", raw) == value


@pytest.mark.parametrize("raw", ["abc", "1.5", 1.5, True, False, "--5", "+-5", "²", "٣", "1_000",
                                 "0x10", " ", [1], {"a": 1}, float("nan"), float("inf")])
def test_entity_id_refuses_non_integers_naming_the_field(raw) -> None:
    with pytest.raises(FieldError) as exc:
        entity_id("BookingID", raw)
    assert "BookingID" in str(exc.value)


@pytest.mark.parametrize("raw", [0, -1, "-1", 2_147_483_648, "99999999999"])
def test_entity_id_refuses_out_of_range(raw) -> None:
    with pytest.raises(FieldError, match="must be between 1 and 2147483647"):
        entity_id("BookingID", raw)


def test_long_values_are_cut_short_in_messages() -> None:
    with pytest.raises(FieldError) as exc:
        entity_id("BookingID", "z" * 1000)
    assert len(str(exc.value)) < 100


def test_reason_limits() -> None:
    assert reason("Reason", "x" * 500) == "x" * 500
    assert reason("Reason", "tab\tnew\nline\r") == "tab\tnew\nline\r"
    for bad in ("x" * 501, "", "   ", "a\x00b", "a\x1fb", "\ufffe", 5, None):
        with pytest.raises(FieldError) as exc:
            reason("Reason", bad)
        assert "Reason" in str(exc.value)
