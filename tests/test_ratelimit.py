"""Rate limits per user and per application: headers, 429, windows, Redis, failing open."""

from __future__ import annotations

import dataclasses
import logging
import os
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from phonechat.api.factory import create_app
from phonechat.api.ratelimit import Limit, parse_limit
from phonechat.domain.access import token_hash
from phonechat.store import accounts
from phonechat.store.tables import applications
from phonechat.store.db import Query
from tests.conftest import START, bearer

DETAILS = "/v1/PhoneChat/MadeBookingDetails?BookingID=1"
REDIS_URL = os.environ.get("PHONECHAT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class FakeTime:
    def __init__(self, t: float = 60.0 * 16_667 + 20) -> None:  # 20 s into a minute window
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


async def limited_client(settings, clock, db, fake_time, **limits) -> httpx.AsyncClient:
    app = create_app(dataclasses.replace(settings, **limits), clock=clock, db=db)
    app.limiter.clock = fake_time
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                             base_url="http://testserver")


@pytest.fixture
async def user_limited(settings, clock, db, fake_time) -> AsyncIterator[httpx.AsyncClient]:
    async with await limited_client(settings, clock, db, fake_time,
                                    rate_limit_per_user="3/minute") as c:
        yield c


@pytest.mark.parametrize("text, expected", [
    ("600/minute", Limit(600, 60)), ("10/second", Limit(10, 1)), ("5000/hour", Limit(5000, 3600)),
    ("100/30", Limit(100, 30)), (" 7 / day ", Limit(7, 86400)), ("", None), ("off", None),
])
def test_limits_are_written_count_per_period(text, expected) -> None:
    assert parse_limit(text) == expected


@pytest.mark.parametrize("text", ["600", "600/fortnight", "-1/minute", "0/minute", "x/minute"])
def test_a_malformed_limit_is_refused_at_start(text) -> None:
    with pytest.raises(ValueError):
        parse_limit(text)


async def test_successful_answers_carry_the_remaining_allowance(user_limited) -> None:
    for remaining in ("2", "1", "0"):
        r = await user_limited.get(DETAILS, headers=bearer("client"))
        assert r.status_code == 200
        assert r.headers["x-ratelimit-limit"] == "3"
        assert r.headers["x-ratelimit-remaining"] == remaining
        assert r.headers["x-ratelimit-reset"] == "40"  # seconds to the window's end


async def test_over_the_limit_answers_429_with_retry_after(user_limited) -> None:
    for _ in range(3):
        await user_limited.get(DETAILS, headers=bearer("client"))
    r = await user_limited.get(DETAILS, headers=bearer("client"))
    assert r.status_code == 429
    assert r.headers["retry-after"] == "40"
    assert r.headers["x-ratelimit-limit"] == "3"
    assert r.headers["x-ratelimit-remaining"] == "0"
    assert r.headers["x-ratelimit-reset"] == "40"
    assert r.json() == {"Message": "Too many requests: this user may make 3 requests every 60 "
                                   "seconds. Try again in 40 seconds."}
    xml = await user_limited.get(DETAILS, headers={**bearer("client"), "Accept": "text/xml"})
    assert xml.status_code == 429
    assert xml.text.startswith("<Error><Message>Too many requests")


async def test_each_user_has_an_allowance_of_their_own(user_limited) -> None:
    for _ in range(4):
        await user_limited.get(DETAILS, headers=bearer("client"))
    r = await user_limited.get("/v1/Account/VerifyCredentials", headers=bearer("member"))
    assert r.status_code == 200
    assert r.headers["x-ratelimit-remaining"] == "2"


async def test_the_allowance_comes_back_in_the_next_window(user_limited, fake_time) -> None:
    for _ in range(4):
        await user_limited.get(DETAILS, headers=bearer("client"))
    fake_time.t += 40
    r = await user_limited.get(DETAILS, headers=bearer("client"))
    assert r.status_code == 200
    assert r.headers["x-ratelimit-remaining"] == "2"


async def test_requests_without_a_token_are_not_counted(user_limited) -> None:
    r = await user_limited.get("/health")
    assert r.status_code == 200
    assert "x-ratelimit-limit" not in r.headers


async def test_no_limit_set_means_no_headers(client) -> None:
    r = await client.get(DETAILS, headers=bearer("client"))
    assert r.status_code == 200
    assert "x-ratelimit-limit" not in r.headers


APP_TOKENS = {"client": "app-token-client", "member": "app-token-member"}


async def test_an_application_shares_one_allowance_across_its_users(settings, clock, db,
                                                                    fake_time) -> None:
    async with db.transaction() as tx:
        app_id = await tx.fetchval(Query(applications.insert().values(
            name="Demo app", api_key="demo-app", secret_hash="x", redirect_uri="https://x/",
            created_at=START).returning(applications.c.id)))
        for role, uid in (("client", 100), ("member", 301)):
            await accounts.insert_token(tx, token_hash=token_hash(APP_TOKENS[role]), user_id=uid,
                                        scopes="account_phonechat_bookings account_information",
                                        expires_at=START.replace(year=2030), at=START,
                                        application_id=app_id)
    async with await limited_client(settings, clock, db, fake_time,
                                    rate_limit_per_user="10/minute",
                                    rate_limit_per_app="2/minute") as c:
        def auth(role: str) -> dict[str, str]:
            return {"Authorization": f"bearer {APP_TOKENS[role]}"}

        assert (await c.get(DETAILS, headers=auth("client"))).headers["x-ratelimit-remaining"] == "1"
        assert (await c.get("/v1/Account/VerifyCredentials", headers=auth("member"))).status_code == 200
        r = await c.get(DETAILS, headers=auth("client"))
        assert r.status_code == 429
        assert "this application may make 2 requests every 60 seconds" in r.json()["Message"]
        # A token of the same user not issued to that application is not held back by it.
        assert (await c.get(DETAILS, headers=bearer("client"))).status_code == 200


def _redis_reachable() -> bool:
    import socket
    from urllib.parse import urlparse

    u = urlparse(REDIS_URL)
    try:
        socket.create_connection((u.hostname or "127.0.0.1", u.port or 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not _redis_reachable(), reason=f"no Redis at {REDIS_URL}")


@needs_redis
async def test_workers_share_one_allowance_through_redis(settings, clock, db, fake_time) -> None:
    shared = dict(rate_limit_per_user="3/minute", redis_url=REDIS_URL,
                  redis_prefix=f"phonechat_test_prod:{uuid.uuid4().hex}:")
    async with await limited_client(settings, clock, db, fake_time, **shared) as one, \
            await limited_client(settings, clock, db, fake_time, **shared) as two:
        assert (await one.get(DETAILS, headers=bearer("client"))).status_code == 200
        assert (await two.get(DETAILS, headers=bearer("client"))).status_code == 200
        r = await one.get(DETAILS, headers=bearer("client"))
        assert r.headers["x-ratelimit-remaining"] == "0"
        assert (await two.get(DETAILS, headers=bearer("client"))).status_code == 429
        fake_time.t += 40
        assert (await two.get(DETAILS, headers=bearer("client"))).status_code == 200
        await one._transport.app.limiter.close()  # noqa: SLF001
        await two._transport.app.limiter.close()  # noqa: SLF001


async def test_without_redis_requests_go_through_and_a_warning_is_logged(
        settings, clock, db, fake_time, caplog) -> None:
    caplog.set_level(logging.WARNING, "phonechat.ratelimit")
    async with await limited_client(settings, clock, db, fake_time,
                                    rate_limit_per_user="1/minute",
                                    redis_url="redis://127.0.0.1:1/0") as c:
        for _ in range(3):
            r = await c.get(DETAILS, headers=bearer("client"))
            assert r.status_code == 200
            assert "x-ratelimit-limit" not in r.headers
    warnings = [rec for rec in caplog.records if "Redis unavailable" in rec.getMessage()]
    assert len(warnings) == 1  # once, not once per request


@needs_redis
async def test_concurrent_requests_are_counted_exactly_through_redis(settings, clock, db,
                                                                     fake_time) -> None:
    import asyncio

    shared = dict(rate_limit_per_user="5/minute", redis_url=REDIS_URL,
                  redis_prefix=f"phonechat_test_prod:{uuid.uuid4().hex}:")
    async with await limited_client(settings, clock, db, fake_time, **shared) as c:
        answers = await asyncio.gather(*(c.get(DETAILS, headers=bearer("client"))
                                         for _ in range(8)))
        await c._transport.app.limiter.close()  # noqa: SLF001
    assert sorted(r.status_code for r in answers) == [200] * 5 + [429] * 3
    assert sorted(r.headers["x-ratelimit-remaining"] for r in answers) == \
        ["0", "0", "0", "0", "1", "2", "3", "4"]
