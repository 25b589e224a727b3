"""GetCreditsHistory's rules: which entries a page holds, and the words for each one.

A user's ledger entries are numbered 1, 2, ... in the order they were written (`seq`), so
a page, whatever its number and order, is one range of numbers: no offset, no scan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ORDER_BY = ("transactiondate-asc", "transactiondate-desc")  # the first is the default
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    count: int  # PageCount: 0 for an empty history
    first: int  # the range of entry numbers on the page (first > last: an empty page)
    last: int
    descending: bool


def page(entries: int, size: int, number: int | None, order: str) -> Page:
    """The page `number` (None: the last page) of `entries` in pages of `size`, in `order`.

    Pages are counted in the order asked for: ascending, page 1 holds entries 1..size;
    descending, page 1 holds the newest `size`. A page past the last one is empty.
    """
    count = math.ceil(entries / size)
    number = number if number is not None else max(count, 1)
    start, end = (number - 1) * size + 1, min(number * size, entries)  # positions in order
    if order == "transactiondate-desc":
        return Page(number, count, entries - end + 1, entries - start + 1, True)
    return Page(number, count, start, end, False)


def describe(reason: str, booking_id: int | None) -> str:
    """An entry's Description: the transfer's reason, and the booking it belongs to."""
    if booking_id is not None:
        return f"PhoneChat booking {booking_id}: {reason}"
    return reason[:1].upper() + reason[1:]
