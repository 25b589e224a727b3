"""A user's feedback counts as the API shows them (Total and Ratings are derived)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Ratings:
    positive: int
    neutral: int
    negative: int
    disputes: int

    @property
    def total(self) -> int:
        return total(self.positive, self.negative)

    @property
    def count(self) -> int:
        return count(self.positive, self.neutral, self.negative)


# As functions too: the booking views derive them for every booking of every answer,
# without making a Ratings first.
def total(positive: int, negative: int) -> int:
    """The score: positives less negatives (the sample: 7 - 1 = 6)."""
    return positive - negative


def count(positive: int, neutral: int, negative: int) -> int:
    """How many ratings there are (the sample: 7 + 0 + 1 = 8)."""
    return positive + neutral + negative
