"""Credits arithmetic: amounts are exact integers of ten-thousandths of a credit.

Money never touches a float. The API shows credits with up to four decimal places
(DataContract XML writes exactly four), so 1 credit is stored as 10_000 units.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

UNITS_PER_CREDIT = 10_000
MAX_CREDITS_UNITS = 10**9 * UNITS_PER_CREDIT  # a billion credits: far beyond any booking


class NotAnAmount(ValueError):
    """The value is not a credits amount with at most four decimal places."""


def to_units(value: Decimal | int | str) -> int:
    """Exact conversion of a credits amount to units; more than 4 decimals is refused."""
    try:
        d = Decimal(str(value)) if not isinstance(value, Decimal) else value
        if not d.is_finite():
            raise NotAnAmount(str(value))
        units = d * UNITS_PER_CREDIT
        if units != units.to_integral_value():
            raise NotAnAmount(str(value))
        return int(units)
    except (InvalidOperation, ArithmeticError) as exc:
        raise NotAnAmount(str(value)) from exc


def to_decimal(units: int) -> Decimal:
    """Units back to credits, exact (8.5 credits -> Decimal('8.5'))."""
    return (Decimal(units) / UNITS_PER_CREDIT).normalize() if units else Decimal(0)


def session_price(price_per_minute_units: int, minutes: int) -> int:
    """What a session of `minutes` costs at least, in units."""
    return price_per_minute_units * minutes


def format_credits(units: int) -> str:
    """Credits as a message shows them: 20, 12.5, 0.0001 (never 2E+1)."""
    return format(to_decimal(units), "f")
