"""A short-lived, per-process memory of valid access tokens (PHONECHAT_TOKEN_CACHE_SECONDS).

Looking a token up in the database costs a round trip on every request: on the detail
read it is half of the database work (bench/RESULTS.md). A grant found valid is remembered
for a few seconds, keyed by the token's hash.

A revocation still takes effect at once. The worker that handles one clears its cache
itself; on PostgreSQL the revoking transaction also notifies every worker on every machine
(store/notify.py), and each clears its cache when the notification arrives. A worker whose
listening connection is down cannot hear of revocations, so its cache is `untrusted`
(every request looks its token up) until the connection is back: then it starts afresh.
On SQLite (one process) the worker's own clearing is all there is: a revocation made by
another process (`phonechat apps disable` while `serve` runs) is seen within the seconds.

Expiry is checked against the clock on every request. Unknown, revoked and expired tokens
are never remembered, so a new token works at once. 0 turns the cache off (the sandbox
always runs without it).

How long a grant is remembered, unless PHONECHAT_TOKEN_CACHE_SECONDS says: 5 minutes where
revocations are pushed (PostgreSQL), so that a worker looks a busy user's token up a few
times an hour rather than every few seconds (at 5 s a thousand active users cost a lookup
on one detail read in thirty, bench/RESULTS.md); 5 seconds on SQLite, where another
process's revocation is only seen when the grant is looked up again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..domain.access import Grant

PUSHED_SECONDS = 300.0  # revocations reach every worker by NOTIFY (PostgreSQL)
UNPUSHED_SECONDS = 5.0  # SQLite: another process's revocation waits for the next lookup


def remember_seconds(configured: float | None, pushed: bool) -> float:
    """How long a worker reuses a grant: PHONECHAT_TOKEN_CACHE_SECONDS, or the default for a
    database whose revocations are `pushed` to every worker (or not)."""
    if configured is not None:
        return configured
    return PUSHED_SECONDS if pushed else UNPUSHED_SECONDS


class GrantCache:
    __slots__ = ("seconds", "max_entries", "generation", "trusted", "_entries", "_clock")

    def __init__(self, seconds: float, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Grant]] = {}
        self._clock = clock  # monotonic, not the API clock: this is about staleness only
        # Bumped by every clear(): a grant looked up before a revocation arrived is not
        # remembered after it (see put).
        self.generation = 0
        self.trusted = True

    def get(self, token_hash: str) -> Grant | None:
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._entries[token_hash]
            return None
        return entry[1]

    def put(self, token_hash: str, grant: Grant, generation: int | None = None) -> None:
        """Remember a grant read from the database when the cache had `generation`: not if
        the cache was cleared since (the read may predate a revocation) or is untrusted."""
        if not self.trusted or (generation is not None and generation != self.generation):
            return
        entries = self._entries
        if len(entries) >= self.max_entries and token_hash not in entries:
            del entries[next(iter(entries))]  # the oldest remembered (dicts keep order)
        entries[token_hash] = (self._clock() + self.seconds, grant)

    def forget(self, token_hash: str) -> None:
        """Drop one token now (this process only), e.g. right after revoking it here."""
        self._entries.pop(token_hash, None)

    def clear(self) -> None:
        self._entries.clear()
        self.generation += 1

    def untrust(self) -> None:
        """Revocations may be missed from now on: remember nothing until trust()."""
        self.trusted = False
        self.clear()

    def trust(self) -> None:
        """Revocations are heard again; whatever was missed meanwhile is forgotten."""
        self.clear()
        self.trusted = True

    def __len__(self) -> int:
        return len(self._entries)
