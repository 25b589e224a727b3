"""Reads on streaming replicas (issue 12, part 3; store/replicas.py, api/cluster.py).

The routing rules on their own (any database), then `phonechat serve --workers 2` against a
REAL streaming replica: PHONECHAT_TEST_REPLICA_URL names it (`postgresql://postgres@127.0.0.1:5433`,
the test database's name is added), made by `scripts/replica.sh start`, which the test also
uses to stop it. `.ci/run` does all this (docs/operations.md, "Read replicas").
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from pathlib import Path

import asyncpg
import orjson
import pytest

from phonechat.store.replicas import NEVER, ReadRouter, Replica, lsn, read_urls
from tests.conftest import PG_URL
from tests.workers import Pinned, new_tokens, started_servers

ROOT = Path(__file__).resolve().parents[1]
REPLICA_SERVER = os.environ.get("PHONECHAT_TEST_REPLICA_URL", "").rstrip("/")


# --- the rules ----------------------------------------------------------------------------


class Ticking:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


PRIMARY = object()


def router(n: int = 1) -> tuple[ReadRouter, list[Replica], Ticking]:
    clock = Ticking()
    replicas = [Replica(f"postgresql://r{i}", None, PRIMARY) for i in range(n)]  # type: ignore[arg-type]
    r = ReadRouter(PRIMARY, replicas, max_lag=2.0, check_interval=0.5, clock=clock)
    r.trust()  # subscribed to the write notifications
    clock.t += 0.1
    return r, replicas, clock


def test_a_user_reads_from_the_primary_after_a_write_until_a_replica_caught_up_after_it() -> None:
    r, (replica,), clock = router()
    replica.caught_up_at = clock.t
    clock.t += 0.1
    assert r.for_user(1) is replica
    r.wrote(1)
    assert r.for_user(1) is PRIMARY  # their own write may not be on the replica yet
    assert r.for_user(2) is replica  # anyone else's reads stay there
    clock.t += 0.1
    replica.caught_up_at = clock.t  # a check: it has replayed past the write
    clock.t += 0.1
    assert r.for_user(1) is replica


def test_a_replica_behind_by_more_than_the_limit_or_down_is_skipped() -> None:
    r, (replica,), clock = router()
    replica.caught_up_at = clock.t
    clock.t += 1.9
    assert r.for_user(2) is replica
    clock.t += 0.2  # 2.1 s since it last caught up: lagging past max_lag
    assert r.for_user(2) is PRIMARY
    replica.caught_up_at = clock.t
    assert r.for_user(2) is replica
    replica.down()
    assert r.for_user(2) is PRIMARY


def test_without_the_write_notifications_every_read_goes_to_the_primary() -> None:
    r, (replica,), clock = router()
    replica.caught_up_at = clock.t
    r.untrust()  # the listening connection is lost: other workers' writes go unheard
    assert r.for_user(2) is PRIMARY
    clock.t += 0.1
    r.trust()  # back: writes made meanwhile are older than now
    assert r.for_user(2) is PRIMARY
    clock.t += 0.1
    replica.caught_up_at = clock.t
    assert r.for_user(2) is replica


def test_reads_take_turns_over_the_replicas_that_caught_up() -> None:
    r, replicas, clock = router(3)
    for replica in replicas[:2]:
        replica.caught_up_at = clock.t
    picked = [r.for_user(2) for _ in range(4)]
    assert set(picked) == set(replicas[:2]) and replicas[2] not in picked
    assert replicas[2].caught_up_at == NEVER


def test_read_database_url_takes_one_or_more_urls_and_positions_compare_as_numbers() -> None:
    assert read_urls("postgresql://a/db, postgresql://b/db postgresql://c/db") == [
        "postgresql://a/db", "postgresql://b/db", "postgresql://c/db"]
    assert read_urls("") == []
    assert lsn("16/B374D848") == (0x16 << 32) + 0xB374D848
    assert lsn("0/FFFFFFFF") < lsn("1/0")


async def test_read_replicas_need_a_postgresql_primary(tmp_path: Path) -> None:
    from phonechat.api.factory import create_app
    from phonechat.settings import Settings

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/x.db", access_log=False,
                              read_database_url="postgresql://postgres@127.0.0.1:5433/x"))
    with pytest.raises(RuntimeError, match="PostgreSQL primary"):
        await app.startup()
    await app.shutdown()


# --- a real streaming replica -------------------------------------------------------------

MADE = "/v1/PhoneChat/MadeBookingDetails?BookingID={}"
RECEIVED = "/v1/PhoneChat/ReceivedBookingDetails?BookingID={}"
PENDING, ACCEPTED = 3, 4  # sandbox bookings of the client with the candidate
MAX_LAG = 3.0


def replica_script(command: str) -> None:
    port = REPLICA_SERVER.rsplit(":", 1)[1]
    subprocess.run(["bash", str(ROOT / "scripts" / "replica.sh"), command], check=True,
                   env={**os.environ, "PHONECHAT_REPLICA_PORT": port}, capture_output=True)


async def caught_up(primary: asyncpg.Connection, replica_url: str, within: float = 30) -> None:
    """Wait until the replica has replayed everything the primary has now."""
    target = lsn(await primary.fetchval("SELECT pg_current_wal_lsn()::text"))
    deadline = time.monotonic() + within
    while True:
        try:
            conn = await asyncpg.connect(replica_url)
            try:
                if lsn(await conn.fetchval("SELECT pg_last_wal_replay_lsn()::text")) >= target:
                    return
            finally:
                await conn.close()
        except (OSError, asyncpg.PostgresError):
            pass
        assert time.monotonic() < deadline, "the replica does not catch up"
        await asyncio.sleep(0.05)


def status(answer: tuple[int, bytes]) -> str:
    code, body = answer
    assert code == 200, body
    return str(orjson.loads(body)["Status"])


@pytest.mark.replica
@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.skipif(not (PG_URL and REPLICA_SERVER),
                    reason="needs PHONECHAT_TEST_DATABASE_URL and PHONECHAT_TEST_REPLICA_URL")
async def test_reads_go_to_a_streaming_replica_and_the_primary_serves_when_it_lags_or_stops(
        db_url: str, tmp_path: Path) -> None:
    replica_url = f"{REPLICA_SERVER}/{db_url.rsplit('/', 1)[1]}"
    scope = "account_phonechat_bookings"
    (client,) = await new_tokens(db_url, 1, "client", scope)
    (candidate,) = await new_tokens(db_url, 1, "candidate", scope)
    primary = await asyncpg.connect(db_url)
    on_replica: asyncpg.Connection | None = None
    try:
        await caught_up(primary, replica_url)
        on_replica = await asyncpg.connect(replica_url)
        with started_servers(tmp_path) as start:
            server = start(db_url, workers=2, read_database_url=replica_url,
                           read_max_lag=str(MAX_LAG))
            pinned = Pinned(server)
            a, b = pinned.workers()
            async def cancel_on(pid: int, booking: int) -> None:
                body = orjson.dumps({"BookingID": booking, "Reason": "replica test"}).decode()
                code, answer = pinned.call(pid, "POST", "/v1/PhoneChat/CancelMadeBooking", body,
                                           {"Authorization": f"bearer {client}",
                                            "Content-Type": "application/json"})
                assert code == 200, answer

            async def replay(paused: bool) -> None:
                await on_replica.execute(  # type: ignore[union-attr]
                    "SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")

            async def replica_status(booking: int) -> str:
                return str(await on_replica.fetchval(  # type: ignore[union-attr]
                    "SELECT status FROM bookings WHERE id = $1", booking))

            # Each worker has seen the replica catch up: reads can go there.
            await asyncio.sleep(1.0)
            for pid in (a, b):
                assert status(pinned.get(pid, candidate, RECEIVED.format(PENDING))) == "Pending"

            # The replica stops replaying; the client cancels on the primary.
            await replay(paused=True)
            await cancel_on(a, PENDING)
            # The client reads their own write at once, in either worker...
            assert status(pinned.get(a, client, MADE.format(PENDING))) == "Cancelled"
            assert status(pinned.get(b, client, MADE.format(PENDING))) == "Cancelled"
            # ...while the candidate's reads are answered by the replica, which has not
            # replayed the cancellation: reads really go there.
            assert await replica_status(PENDING) == "Pending"
            assert status(pinned.get(a, candidate, RECEIVED.format(PENDING))) == "Pending"
            assert status(pinned.get(b, candidate, RECEIVED.format(PENDING))) == "Pending"

            # Lagging past PHONECHAT_READ_MAX_LAG it is skipped: the primary answers.
            paused_at = time.monotonic()
            for pid in (a, b):
                while status(pinned.get(pid, candidate, RECEIVED.format(PENDING))) != "Cancelled":
                    assert time.monotonic() - paused_at < MAX_LAG + 5, "the lagging replica kept serving"
                    await asyncio.sleep(0.1)
            assert await replica_status(PENDING) == "Pending"  # still behind

            # Caught up again, it serves reads again.
            await replay(paused=False)
            await caught_up(primary, replica_url)
            await asyncio.sleep(1.0)
            await replay(paused=True)
            await cancel_on(b, ACCEPTED)
            assert status(pinned.get(a, candidate, RECEIVED.format(ACCEPTED))) == "Accepted"
            assert status(pinned.get(b, client, MADE.format(ACCEPTED))) == "Cancelled"
            await replay(paused=False)
            await caught_up(primary, replica_url)

            # The replica stops: every read is answered, from the primary, from the first.
            await on_replica.close()
            on_replica = None
            replica_script("stop")
            for _ in range(20):
                for pid in (a, b):
                    assert status(pinned.get(pid, candidate, RECEIVED.format(ACCEPTED))) == "Cancelled"
                    assert status(pinned.get(pid, client, MADE.format(PENDING))) == "Cancelled"
            pinned.close()
    finally:
        if on_replica is not None:
            await on_replica.execute("SELECT pg_wal_replay_resume()")
            await on_replica.close()
        await primary.close()
        replica_script("start")  # as the test found it
