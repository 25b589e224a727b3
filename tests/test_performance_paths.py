"""The fast paths taken for speed (docs/performance.md) keep the service's behaviour:
the token cache's limits, the batched access log, the pooled connection's life cycle,
and the SQL shapes the indexes rely on."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from datetime import datetime

import orjson
import pytest
import sqlalchemy as sa

from phonechat import logs
from phonechat.api.factory import create_app
from phonechat.domain.access import Actor, Grant, token_hash
from phonechat.services.grant_cache import GrantCache
from phonechat.store import ledger, lifecycle
from phonechat.store.db import Query, _arguments
from phonechat.store.tables import access_tokens, users
from tests.conftest import PG_URL, START, bearer

DETAILS = "/v1/PhoneChat/MadeBookingDetails?BookingID=1"

REVOKE = Query(access_tokens.update().where(access_tokens.c.token_hash == sa.bindparam("h"))
               .values(revoked_at=sa.bindparam("at")))


class Ticking:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def cached_app(settings, clock, db):  # type: ignore[no-untyped-def]
    """The app as `phonechat serve` runs it: not the sandbox, so grants are cached."""
    app = create_app(replace(settings, sandbox=False, token_cache_seconds=5.0), clock=clock,
                     db=db)
    app.grants._clock = Ticking()  # type: ignore[union-attr]
    return app


async def _get(app, path: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    import httpx

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        return await c.get(path, headers=headers)


async def _revoke(db, token: str) -> None:  # type: ignore[no-untyped-def]
    async with db.transaction() as tx:
        await tx.execute(REVOKE, h=token_hash(token), at=START)


async def test_a_revoked_token_is_refused_once_the_cache_delay_has_passed(cached_app, db) -> None:
    assert (await _get(cached_app, DETAILS, bearer("client"))).status_code == 200
    await _revoke(db, "sandbox-client")
    # Within PHONECHAT_TOKEN_CACHE_SECONDS the worker still trusts what it checked...
    assert (await _get(cached_app, DETAILS, bearer("client"))).status_code == 200
    cached_app.grants._clock.t += 5.01
    # ...and not a moment after.
    assert (await _get(cached_app, DETAILS, bearer("client"))).status_code == 401


async def test_a_cached_grant_still_expires_on_the_api_clock(cached_app, clock) -> None:
    assert (await _get(cached_app, DETAILS, bearer("client"))).status_code == 200
    grant = next(iter(cached_app.grants._entries.values()))[1]
    clock.set(grant.expires_at)
    assert (await _get(cached_app, DETAILS, bearer("client"))).status_code == 401


async def test_refused_tokens_are_never_remembered(cached_app) -> None:
    r = await _get(cached_app, DETAILS, {"Authorization": "bearer no-such-token"})
    assert r.status_code == 401
    assert (await _get(cached_app, DETAILS, {"Authorization": "bearer sandbox-client-expired"})
            ).status_code == 401
    assert len(cached_app.grants) == 0


async def test_the_sandbox_never_caches_so_a_revocation_is_immediate(app, db) -> None:
    assert app.grants is None
    assert (await _get(app, DETAILS, bearer("client"))).status_code == 200
    await _revoke(db, "sandbox-client")
    assert (await _get(app, DETAILS, bearer("client"))).status_code == 401


async def test_zero_seconds_turns_the_token_cache_off(settings, clock, db) -> None:
    app = create_app(replace(settings, sandbox=False, token_cache_seconds=0), clock=clock, db=db)
    assert app.grants is None


async def test_unset_the_cache_keeps_grants_longer_where_revocations_are_pushed(
        settings, clock, db) -> None:
    """PostgreSQL: every worker hears revocations, so 5 minutes; SQLite: 5 seconds, as
    another process's revocation waits for the next lookup. A configured value wins."""
    app = create_app(replace(settings, sandbox=False, token_cache_seconds=None), clock=clock,
                     db=db)
    assert app.grants.seconds == (300.0 if db.dialect == "postgresql" else 5.0)  # type: ignore[union-attr]
    app = create_app(replace(settings, sandbox=False, token_cache_seconds=42.0), clock=clock,
                     db=db)
    assert app.grants.seconds == 42.0  # type: ignore[union-attr]


def test_the_grant_cache_is_bounded_and_forgets_the_oldest_first() -> None:
    ticks = Ticking()
    cache = GrantCache(5, max_entries=2, clock=ticks)
    grant = Grant(Actor(1, "a"), frozenset(), datetime(2030, 1, 1))
    for key in ("a", "b", "c"):
        cache.put(key, grant)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (None, grant, grant)
    cache.forget("b")
    assert cache.get("b") is None and len(cache) == 1
    ticks.t += 5
    assert cache.get("c") is None


async def test_a_get_without_a_body_is_answered_without_reading_one(app) -> None:
    sent: list[dict] = []

    async def receive():  # type: ignore[no-untyped-def]
        raise AssertionError("a GET without Content-Length has no body to read")

    async def send(message):  # type: ignore[no-untyped-def]
        sent.append(message)

    await app({"type": "http", "method": "GET", "path": "/v1/PhoneChat/MadeBookingDetails",
               "query_string": b"BookingID=1", "headers": [
                   (b"host", b"testserver"), (b"authorization", b"bearer sandbox-client")]},
              receive, send)
    assert sent[0]["status"] == 200
    assert orjson.loads(sent[1]["body"])["BookingID"] == 1


async def test_the_batched_access_log_writes_whole_json_lines_in_order() -> None:
    read, write = os.pipe()
    batch = logs._Batch(write, size=300)
    saved = logs._batch
    logs._batch = batch
    try:
        for i in range(5):  # more than 300 bytes: at least one write before the timer
            logs.access(f"id{i}", "GET", "/v1/x", 200, 0.0015)
        assert batch.pending is not None  # the rest waits for the timer...
        await asyncio.sleep(logs.FLUSH_SECONDS + 0.2)
        assert batch.pending is None and not batch.buf  # ...which wrote it
    finally:
        logs._batch = saved
        os.close(write)
    lines = os.read(read, 65536).decode().splitlines()
    os.close(read)
    entries = [orjson.loads(line) for line in lines]
    assert [e["request_id"] for e in entries] == [f"id{i}" for i in range(5)]
    assert entries[0]["logger"] == "phonechat.access" and entries[0]["ms"] == 1.5
    assert entries[0]["status"] == 200 and entries[0]["level"] == "INFO"


async def test_a_failed_transaction_rolls_back_and_gives_its_connection_back(db) -> None:
    insert = Query(users.insert().values(id=sa.bindparam("id"), nickname=sa.bindparam("n"),
                                         created_at=sa.bindparam("at")))
    count = Query(sa.select(sa.func.count()).select_from(users).where(users.c.id.between(9000, 9100)))
    for i in range(15):  # more than the pool's 10 connections: none may leak
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute(insert, id=9000 + i, n=f"gone{i}", at=START)
                raise RuntimeError("abandon")
    async with db.transaction() as tx:
        await tx.execute(insert, id=9100, n="kept", at=START)
    async with db.connection() as conn:
        assert await conn.fetchval(count) == 1


def test_ledger_lookups_name_the_account_kind_in_the_sql() -> None:
    # The partial unique indexes (WHERE kind = 'user' / 'hold') serve a prepared
    # statement's generic plan only if the kind is written in the SQL, not a parameter.
    for q, kind in ((ledger.FIND_HOLD, "hold"), (ledger.FIND_ACCOUNT_OF_USER, "user")):
        sql, slots = q.compiled("postgresql")
        assert f"credit_accounts.kind = '{kind}'" in sql
        assert [name for name, *_ in slots] == [
            "booking_id" if kind == "hold" else "user_id"]


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="needs PHONECHAT_TEST_DATABASE_URL")
async def test_the_hold_lookup_uses_its_index_even_as_a_generic_plan(db) -> None:
    sql, _ = ledger.FIND_HOLD.compiled("postgresql")
    async with db.connection() as conn:
        c = conn._c
        await c.execute("SET plan_cache_mode = force_generic_plan")
        try:
            await c.execute(f"PREPARE hold_lookup AS {sql}")
            plan = "\n".join(r[0] for r in await c.fetch("EXPLAIN EXECUTE hold_lookup(1)"))
        finally:
            await c.execute("DEALLOCATE ALL; RESET plan_cache_mode")
    assert "uq_credit_accounts_hold" in plan and "Seq Scan" not in plan


async def test_a_cancel_answers_exactly_what_reading_the_booking_again_gives(client, db) -> None:
    cancelled = await client.post("/v1/PhoneChat/CancelMadeBooking", headers=bearer("client"),
                                  json={"BookingID": 2, "Reason": "Can't make it"})
    assert cancelled.status_code == 200, cancelled.text
    view = cancelled.json()
    assert (view["Status"], view["CancelledReason"], view["CancelledBy"]) == (
        "Cancelled", "Can't make it", "BookingUser")
    again = await client.get("/v1/PhoneChat/MadeBookingDetails?BookingID=2",
                             headers=bearer("client"))
    assert again.content == cancelled.content
    # Both entries of every transfer went in (one INSERT now), each transfer sums to zero.
    from phonechat.store.tables import ledger_entries as e

    sums = Query(sa.select(e.c.transfer_id, sa.func.sum(e.c.amount), sa.func.count())
                 .group_by(e.c.transfer_id))
    async with db.connection() as conn:
        rows = await conn.fetch(sums)
    assert rows and all(r[1] == 0 and r[2] == 2 for r in rows)


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="needs PHONECHAT_TEST_DATABASE_URL")
async def test_with_every_connection_busy_a_request_waits_at_most_the_pool_timeout(
        db_url: str) -> None:
    # An idle connection is taken without a timer; a full pool still bounds the wait.
    from phonechat.store.db import DatabaseUnavailable, open_database

    small = await open_database(db_url, pool_min=1, pool_max=1, acquire_timeout=0.3)
    try:
        async with small.connection() as held:
            assert await held.fetchval(Query(sa.select(sa.literal(1)))) == 1
            started = asyncio.get_running_loop().time()
            with pytest.raises(DatabaseUnavailable):
                async with small.connection():
                    pass
            assert asyncio.get_running_loop().time() - started < 2
        async with small.connection() as again:  # given back: usable at once
            assert await again.fetchval(Query(sa.select(sa.literal(2)))) == 2
    finally:
        await small.close()


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="needs PHONECHAT_TEST_DATABASE_URL")
async def test_a_request_waiting_for_a_connection_gets_it_or_is_cancelled_as_asked(
        db_url: str) -> None:
    # The waits share one watchdog: a wait that is served returns the connection; one that
    # is cancelled otherwise (the client went away) stays a cancellation, not a 503.
    from phonechat.store.db import open_database

    small = await open_database(db_url, pool_min=1, pool_max=1, acquire_timeout=5)
    try:
        held = small.connection()
        await held.__aenter__()
        served = asyncio.ensure_future(_read_one(small))
        gone = asyncio.ensure_future(_read_one(small))
        await asyncio.sleep(0)
        gone.cancel()
        await held.__aexit__(None, None, None)
        assert await served == 1
        with pytest.raises(asyncio.CancelledError):
            await gone
        assert await _read_one(small) == 1 and not small._waits
    finally:
        await small.close()


async def _read_one(db) -> int:
    async with db.connection() as c:
        return await c.fetchval(Query(sa.select(sa.literal(1))))


async def test_a_revocation_takes_effect_at_once_in_the_worker_that_made_it(cached_app) -> None:
    # Other workers may trust a revoked token for PHONECHAT_TOKEN_CACHE_SECONDS; the one
    # that handled the revocation forgets its cached grants immediately.
    import httpx

    from tests.oauth_flow import APP, csrf, tokens
    from tests.oauth_flow import bearer as oauth_bearer

    transport = httpx.ASGITransport(app=cached_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        first = await tokens(c)
        verify = "/v1/Account/VerifyCredentials"
        assert (await c.get(verify, headers=oauth_bearer(first["access_token"]))).status_code == 200
        assert len(cached_app.grants) == 1  # remembered
        page = await c.get("/OAuth/Apps")
        r = await c.post("/OAuth/Apps", data={"csrf_token": csrf(page), "action": "revoke",
                                              "client_id": APP["client_id"]})
        assert r.status_code == 200
        assert (await c.get(verify, headers=oauth_bearer(first["access_token"]))).status_code == 401


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="needs PHONECHAT_TEST_DATABASE_URL")
async def test_a_list_page_reads_its_ids_from_the_index_alone_as_a_generic_plan(db) -> None:
    # Whatever the page number, the rows before the page are skipped inside
    # ix_bookings_made_list; only the page's bookings are joined.
    sql, _ = lifecycle.MADE_PAGES["date-desc"].compiled("postgresql")
    async with db.connection() as conn:
        c = conn._c
        await c.execute("SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off")
        try:
            await c.execute(f"PREPARE made_page AS {sql}")
            plan = "\n".join(r[0] for r in await c.fetch(
                "EXPLAIN EXECUTE made_page(1, '0001-01-01', 50, 950)"))
        finally:
            await c.execute("DEALLOCATE ALL; RESET plan_cache_mode; RESET enable_seqscan")
    inner = plan.split("Subquery Scan on page")[1] if "Subquery Scan on page" in plan else plan
    assert "Index Only Scan Backward using ix_bookings_made_list" in inner, plan


def test_arguments_are_the_slots_in_order_with_the_statements_constants() -> None:
    # The positional arguments made once per Query (itemgetter, or a loop where the
    # statement carries constants) are the slots' values in the SQL's order.
    params = {"a": 1, "b": "two", "c": None}
    assert _arguments(())(params) == ()
    assert tuple(_arguments((("b", True, None),))(params)) == ("two",)
    assert tuple(_arguments((("c", True, None), ("a", True, None), ("b", True, None)))(params)) \
        == (None, 1, "two")
    assert tuple(_arguments((("status", False, "Cancelled"), ("a", True, None)))(params)) \
        == ("Cancelled", 1)
    with pytest.raises(KeyError):
        _arguments((("a", True, None), ("missing", True, None)))(params)
    sql, args = lifecycle.LOCK.for_pg()
    assert "$1" in sql and tuple(args({"booking_id": 7})) == (7,)


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="needs PHONECHAT_TEST_DATABASE_URL")
async def test_a_connection_given_back_runs_no_more_queries(db) -> None:
    # Queries run on asyncpg's connection itself, not its pool proxy: the proxy's guard
    # against use after release is kept by the wrapper.
    one = Query(sa.select(sa.literal_column("1")))
    for use in (db.connection, db.transaction):
        async with use() as conn:
            assert await conn.fetchval(one) == 1
        with pytest.raises(RuntimeError, match="given back to the pool"):
            conn.fetchval(one)


def test_a_serving_worker_freezes_its_startup_objects_out_of_the_collector(tmp_path) -> None:
    # phonechat.api.asgi is what `serve`'s workers import: its objects are frozen
    # (gc.freeze), so that full collections do not walk them on every request's garbage.
    import subprocess
    import sys

    env = {**os.environ, "PHONECHAT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    out = subprocess.run([sys.executable, "-c", "import gc, phonechat.api.asgi; "
                          "print(gc.get_freeze_count())"], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert int(out.split()[-1]) > 10_000
