"""A short-lived, per-process memory of valid access tokens (PHONECHAT_TOKEN_CACHE_SECONDS).

Looking a token up in the database costs a round trip on every request: on the detail
read it is half of the database work (bench/RESULTS.md). A grant found valid is remembered
for a few seconds, keyed by the token's hash. What that changes, and only that:
a token revoked (or its application disabled) in the database may still be accepted by a
worker for up to that many seconds: the revocation delay, documented in docs/performance.md.
Expiry is not delayed: `expires_at` is checked against the clock on every request.
Unknown, revoked and expired tokens are never remembered, so a new token works at once.
0 turns the cache off (the sandbox always runs without it).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..domain.access import Grant


class GrantCache:
    __slots__ = ("seconds", "max_entries", "_entries", "_clock")

    def __init__(self, seconds: float, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Grant]] = {}
        self._clock = clock  # monotonic, not the API clock: this is about staleness only

    def get(self, token_hash: str) -> Grant | None:
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._entries[token_hash]
            return None
        return entry[1]

    def put(self, token_hash: str, grant: Grant) -> None:
        entries = self._entries
        if len(entries) >= self.max_entries and token_hash not in entries:
            del entries[next(iter(entries))]  # the oldest remembered (dicts keep order)
        entries[token_hash] = (self._clock() + self.seconds, grant)

    def forget(self, token_hash: str) -> None:
        """Drop one token now (this process only), e.g. right after revoking it here."""
        self._entries.pop(token_hash, None)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
