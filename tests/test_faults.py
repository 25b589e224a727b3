"""Faults: a worker killed mid-write, PostgreSQL restarted under load, the pool exhausted.

Each test runs real `phonechat serve` processes against PostgreSQL. The restart test runs
its own throwaway PostgreSQL cluster (the shared one is never touched).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from phonechat import sandbox
from phonechat.domain.credits import to_units
from phonechat.services import ledger_check
from phonechat.store import bookings, ledger
from phonechat.store.db import open_database
from phonechat.store.migrate import upgrade
from tests.conftest import PG_URL, START, bearer
from tests.servers import free_port
from tests.workers import lock_waiters, started_servers

pytestmark = [
    pytest.mark.faults, pytest.mark.slow, pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="needs PHONECHAT_TEST_DATABASE_URL (PostgreSQL)"),
]

CANCEL = "/v1/PhoneChat/CancelMadeBooking"
DETAILS = "/v1/PhoneChat/MadeBookingDetails?BookingID=1"
UNAVAILABLE = {"Message": "The service is temporarily unavailable. Try again shortly."}
CLIENT = sandbox.USERS["client"][0]
CANDIDATE = sandbox.USERS["candidate"][0]


@pytest.fixture
def servers(tmp_path):
    with started_servers(tmp_path) as start:
        yield start


async def add_confirmed_bookings(url: str, n: int) -> list[int]:
    """n confirmed bookings of the client, far in the future, 1 credit held on each."""
    db = await open_database(url, pool_min=1, pool_max=1)
    far = datetime(2099, 1, 1, 20, 0)
    ids = []
    try:
        async with db.transaction() as tx:
            for _ in range(n):
                bid = await bookings.insert_booking(
                    tx, client_id=CLIENT, candidate_id=CANDIDATE, duration=2,
                    credits=to_units(1), status="Confirmed", method=2, create_date=START,
                    session_date=far, accept_by=far - timedelta(days=1),
                    accepted_date=START, confirmed_date=START, last_updated=START)
                await ledger.hold(tx, booking_id=bid, from_user_id=CLIENT, amount=to_units(1),
                                  reason="confirmed", at=START)
                ids.append(bid)
    finally:
        await db.close()
    return ids


async def assert_ledger_consistent(conn: asyncpg.Connection, booking_ids: list[int]) -> dict:
    """`phonechat ledger check` finds nothing; every transfer sums to zero, every cached
    balance equals its entries, and each booking is either fully cancelled (hold released
    once) or untouched (hold intact). Returns booking id -> status."""
    db = await open_database(PG_URL, pool_min=1, pool_max=1)
    try:
        assert await ledger_check.check(db) == []
    finally:
        await db.close()
    unbalanced = await conn.fetch(
        "SELECT transfer_id FROM ledger_entries GROUP BY transfer_id HAVING sum(amount) <> 0")
    assert unbalanced == []
    drifted = await conn.fetch(
        "SELECT a.id FROM credit_accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id "
        "GROUP BY a.id, a.balance HAVING a.balance <> coalesce(sum(e.amount), 0)")
    assert drifted == []
    rows = await conn.fetch(
        "SELECT b.id, b.status, b.credits, b.cancelled_by, h.balance AS held, "
        "  (SELECT count(*) FROM ledger_transfers t WHERE t.booking_id = b.id "
        "     AND t.reason = 'cancelled') AS releases "
        "FROM bookings b JOIN credit_accounts h ON h.kind = 'hold' AND h.booking_id = b.id "
        "WHERE b.id = ANY($1::bigint[])", booking_ids)
    assert len(rows) == len(booking_ids)
    for r in rows:
        if r["status"] == "Cancelled":
            assert (r["held"], r["releases"], r["cancelled_by"]) == (0, 1, "BookingUser"), dict(r)
        else:
            assert (r["status"], r["held"], r["releases"]) == ("Confirmed", r["credits"], 0), dict(r)
    return {r["id"]: r["status"] for r in rows}


async def post_cancel(c: httpx.AsyncClient, booking_id: int) -> int | str:
    try:
        r = await c.post(CANCEL, json={"BookingID": booking_id, "Reason": "fault test"},
                         headers=bearer("client"))
        return r.status_code
    except httpx.TransportError as exc:  # the worker died with the request
        return type(exc).__name__


# --- (a) kill -9 a worker in the middle of writes -----------------------------------------


async def test_a_worker_killed_mid_write_leaves_every_booking_whole_and_the_ledger_balanced(
        db_url, servers) -> None:
    ids = await add_confirmed_bookings(db_url, 80)
    server = servers(db_url, workers=2)
    admin = await asyncpg.connect(db_url)
    blocker = await asyncpg.connect(db_url)
    try:
        # Hold the hold-accounts of a few bookings: their cancels stop half way, after
        # marking the booking Cancelled and before releasing the credits.
        tx = blocker.transaction()
        await tx.start()
        await blocker.execute("SELECT id FROM credit_accounts WHERE kind = 'hold' "
                              "AND booking_id = ANY($1::bigint[]) FOR UPDATE", ids[:8])
        limits = httpx.Limits(max_connections=16, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as c:
            tasks = [asyncio.create_task(post_cancel(c, b)) for b in ids]
            # A cancel stopped by the test's lock, not one queued for a moment behind
            # another cancel's lock on the client's account (it may be done by the kill).
            waiting = await lock_waiters(admin, 1, "%credit_accounts%",
                                         blocked_by=blocker.get_server_pid())
            victim = server.pid_holding_socket(waiting[0]["client_port"])
            assert victim in server.worker_pids()
            os.kill(victim, signal.SIGKILL)  # with a write half done in its transaction
            await asyncio.sleep(0.2)
            await tx.commit()
            results = dict(zip(ids, await asyncio.gather(*tasks)))
        interrupted = [b for b, r in results.items() if r != 200]
        assert interrupted, "the killed worker was answering at least one cancel"
        assert all(isinstance(results[b], str) for b in interrupted), results

        statuses = await assert_ledger_consistent(admin, ids)
        assert all(statuses[b] == "Cancelled" for b, r in results.items() if r == 200)
        # The cancels that were half done in the killed worker were rolled back whole.
        half_done = [b for b in interrupted if b in ids[:8]]
        assert half_done and all(statuses[b] == "Confirmed" for b in half_done)

        # The service carries on (the supervisor replaces the worker); retried cancels of
        # the interrupted bookings complete, and the ledger still balances.
        server.wait_up()
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as c:
            for b in interrupted:
                r = await post_cancel(c, b)
                assert r in (200, 400)  # 400: it had committed before the worker died
        statuses = await assert_ledger_consistent(admin, ids)
        assert set(statuses.values()) == {"Cancelled"}
    finally:
        await blocker.close()
        await admin.close()


# --- (b) PostgreSQL restarted under load --------------------------------------------------


def _pg_bin() -> Path | None:
    root = Path("/usr/lib/postgresql")
    versions = sorted((p for p in root.glob("*/bin") if (p / "initdb").exists()),
                      key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    return versions[-1] if versions else None


@pytest.fixture
def own_postgres():
    """A throwaway PostgreSQL cluster on a free port: (url, start(), stop()). Always removed."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (initdb) under /usr/lib/postgresql")
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("needs root and runuser to run a cluster as the postgres user")
    base = Path(tempfile.mkdtemp(prefix="phonechat-faults-pg-"))
    shutil.chown(base, "postgres", "postgres")
    data, log = base / "data", base / "pg.log"
    port = free_port()

    def as_postgres(*args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)

    def start() -> None:
        as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o",
                    f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop() -> None:
        as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")

    try:
        as_postgres(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
        start()
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"could not start a throwaway PostgreSQL: {exc.stderr.decode()[-500:]}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres", start, stop
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", str(bin_dir / "pg_ctl"), "-D",
                        str(data), "-m", "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


async def _seed(url: str) -> None:
    db = await open_database(url, pool_min=1, pool_max=1)
    try:
        await sandbox.seed(db, START)
    finally:
        await db.close()


async def test_postgres_restart_gives_clean_503s_then_recovers_without_a_service_restart(
        own_postgres, servers) -> None:
    url, pg_start, pg_stop = own_postgres
    await asyncio.to_thread(upgrade, url)
    await _seed(url)
    server = servers(url, workers=1, pool_timeout="2")
    seen: dict[str, list] = {"before": [], "down": [], "after": []}
    phase = "before"
    stop_load = asyncio.Event()

    async def load(c: httpx.AsyncClient) -> None:
        while not stop_load.is_set():
            p = phase
            r = await c.get(DETAILS, headers=bearer("client"))  # a hang fails by timeout
            # A request in flight while the phase changed met the stop or the start:
            # it belongs with "down" (either answer allowed, a refusal must be clean).
            p = p if p == phase else "down"
            seen[p].append((r.status_code, r.json(), r.headers.get("retry-after")))
            await asyncio.sleep(0.02)

    async with httpx.AsyncClient(base_url=server.url, timeout=20) as c:
        workers = [asyncio.create_task(load(c)) for _ in range(4)]
        await asyncio.sleep(0.5)
        phase = "down"
        await asyncio.to_thread(pg_stop)
        await asyncio.sleep(1.5)
        ready_down = await c.get("/ready")
        health_down = await c.get("/health")
        await asyncio.to_thread(pg_start)
        phase = "after"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # recovers by itself: no service restart
            if (await c.get(DETAILS, headers=bearer("client"))).status_code == 200:
                break
            await asyncio.sleep(0.2)
        seen["after"].clear()
        await asyncio.sleep(1.0)
        stop_load.set()
        await asyncio.gather(*workers)
        ready_after = await c.get("/ready")

    assert seen["before"] and all(s == 200 for s, _, _ in seen["before"])
    down = [entry for entry in seen["down"] if entry[0] != 200]  # some may finish before the stop
    assert down, "requests were made while PostgreSQL was down"
    assert all(s == 503 and body == UNAVAILABLE and ra == "1" for s, body, ra in down), down
    assert ready_down.status_code == 503 and health_down.status_code == 200
    assert seen["after"] and all(s == 200 for s, _, _ in seen["after"]), seen["after"][:5]
    assert ready_after.status_code == 200
    assert server.proc.poll() is None


# --- (c) the pool filled with slow requests ------------------------------------------------


async def test_a_full_pool_answers_503_quickly_instead_of_hanging(db_url, servers) -> None:
    ids = await add_confirmed_bookings(db_url, 2)
    server = servers(db_url, workers=1, pool_min="1", pool_max="2", pool_timeout="1")
    admin = await asyncpg.connect(db_url)
    blocker = await asyncpg.connect(db_url)
    try:
        tx = blocker.transaction()
        await tx.start()
        await blocker.execute("SELECT 1 FROM bookings WHERE id = ANY($1::bigint[]) FOR UPDATE",
                              ids)
        async with httpx.AsyncClient(base_url=server.url, timeout=15) as c:
            slow = [asyncio.create_task(post_cancel(c, b)) for b in ids]
            await lock_waiters(admin, 2)  # both pooled connections are now held
            reads = await asyncio.gather(*(c.get(DETAILS, headers=bearer("client"))
                                           for _ in range(5)))  # timeout=15: no hanging
            health = await c.get("/health")
            await tx.commit()
            assert await asyncio.gather(*slow) == [200, 200]
            after = await c.get(DETAILS, headers=bearer("client"))
        assert [r.status_code for r in reads] == [503] * 5
        assert all(r.json() == UNAVAILABLE and r.headers["retry-after"] == "1" for r in reads)
        assert health.status_code == 200
        assert after.status_code == 200
        await assert_ledger_consistent(admin, ids)
    finally:
        await blocker.close()
        await admin.close()
