"""The PostgreSQL pool wrapper turns a lost or unreachable server into DatabaseUnavailable
(503) and drops connections it broke, so the pool heals by itself (no restart)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from phonechat.store.db import DatabaseUnavailable, PostgresDatabase


class FakeConnection:
    def __init__(self, error: BaseException | None) -> None:
        self.error = error
        self.terminated = False

    def is_closed(self) -> bool:
        return self.terminated

    def terminate(self) -> None:
        self.terminated = True

    async def fetchval(self, sql: str) -> int:
        if self.error is not None:
            raise self.error
        return 1


class FakePool:
    def __init__(self, conn: FakeConnection | None = None, acquire_error=None) -> None:
        self.conn, self.acquire_error = conn, acquire_error
        self.expired = self.released = False

    def get_idle_size(self) -> int:  # none idle: the wait is the timed one
        return 0

    async def acquire(self, timeout: float | None = None) -> FakeConnection:
        if self.acquire_error is not None:
            raise self.acquire_error
        return self.conn  # type: ignore[return-value]

    async def release(self, c: FakeConnection) -> None:
        self.released = True

    def expire_connections(self) -> None:
        self.expired = True


@pytest.mark.parametrize("error", [
    asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.exceptions.InternalClientError("cannot switch to state 12; another operation (2) is in progress"),
    ConnectionResetError("reset by peer"),
], ids=["lost", "admin-shutdown", "protocol-confused", "reset"])
async def test_a_connection_lost_mid_query_is_503_and_dropped(error) -> None:
    conn = FakeConnection(error)
    pool = FakePool(conn)
    with pytest.raises(DatabaseUnavailable):
        await PostgresDatabase(pool).ping()
    assert conn.terminated  # never handed to another request
    assert pool.expired  # the other idle connections are reopened on next use
    assert pool.released


@pytest.mark.parametrize("error", [
    ConnectionRefusedError("refused"), asyncio.TimeoutError(),
    asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
], ids=["refused", "pool-timeout", "starting-up", "too-many"])
async def test_no_connection_to_be_had_is_503(error) -> None:
    with pytest.raises(DatabaseUnavailable):
        await PostgresDatabase(FakePool(acquire_error=error)).ping()


async def test_a_programming_error_is_not_disguised_as_unavailable() -> None:
    conn = FakeConnection(asyncpg.exceptions.UndefinedColumnError("column x does not exist"))
    with pytest.raises(asyncpg.exceptions.UndefinedColumnError):
        await PostgresDatabase(FakePool(conn)).ping()
    assert not conn.terminated
