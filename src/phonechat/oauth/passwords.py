"""Login passwords, hashed with Argon2id (argon2-cffi, RFC 9106's recommended parameters).

Why Argon2id rather than the standard library's scrypt: it is the current recommendation
(OWASP, RFC 9106), argon2-cffi keeps its parameters inside the hash string so they can be
raised later (`needs_rehash` upgrades a hash at the next successful login), and it is a
small, well-kept binding. Hashing is deliberately slow (tens of ms), so callers run it off
the event loop.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # Argon2id, RFC 9106 "low memory" profile


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("not a password anyone has")


def check_password(password: str, stored: str | None) -> tuple[bool, bool]:
    """(matches, needs_rehash). A user with no password (or no user: stored is None) costs
    the same time as a wrong password, so the login page does not reveal who exists."""
    try:
        ok = _hasher.verify(stored or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False, False
    if stored is None:
        return False, False
    return ok, _hasher.check_needs_rehash(stored)


async def check_password_async(password: str, stored: str | None) -> tuple[bool, bool]:
    return await asyncio.to_thread(check_password, password, stored)


async def hash_password_async(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)
