"""The token cache's two guards that keep a revocation immediate (services/grant_cache.py)."""

from __future__ import annotations

from datetime import datetime

from phonechat.domain.access import Actor, Grant
from phonechat.services.grant_cache import GrantCache

GRANT = Grant(Actor(1, "a"), frozenset(), datetime(2030, 1, 1))


def test_a_grant_looked_up_before_a_revocation_arrived_is_not_remembered_after_it() -> None:
    cache = GrantCache(5)
    generation = cache.generation  # the lookup starts...
    cache.clear()  # ...a revocation's notification arrives while it waits for the row...
    cache.put("t", GRANT, generation)  # ...and the (possibly revoked) grant it read
    assert cache.get("t") is None
    cache.put("t", GRANT, cache.generation)
    assert cache.get("t") is GRANT


def test_an_untrusted_cache_remembers_nothing_until_trusted_again_and_starts_afresh() -> None:
    cache = GrantCache(5)
    cache.put("old", GRANT, cache.generation)
    cache.untrust()  # the listening connection is lost
    assert cache.get("old") is None
    cache.put("t", GRANT, cache.generation)
    assert cache.get("t") is None and len(cache) == 0
    cache.trust()
    cache.put("t", GRANT, cache.generation)
    assert cache.get("t") is GRANT
