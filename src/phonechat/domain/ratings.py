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
        """The score: positives less negatives (the sample: 7 - 1 = 6)."""
        return self.positive - self.negative

    @property
    def count(self) -> int:
        """How many ratings there are (the sample: 7 + 0 + 1 = 8)."""
        return self.positive + self.neutral + self.negative
