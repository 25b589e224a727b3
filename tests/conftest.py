"""Shared fixtures: a seeded database (SQLite, or PostgreSQL when
PHONECHAT_TEST_DATABASE_URL names one), the app on a frozen clock, and an HTTP client.

Every test starts from the sandbox's demo data with the clock at START, the moment
of the MadeBookingDetails sample.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from phonechat import sandbox
from phonechat.api.factory import create_app
from phonechat.clock import FrozenClock
from phonechat.settings import Settings
from phonechat.store.db import Database, open_database
from phonechat.store.migrate import upgrade

START = datetime(2018, 1, 21, 14, 0, 0)
# The reference pages: ../shared/spec beside the clone (as CI has it), or PHONECHAT_SPEC_DIR.
SPEC = Path(os.environ.get("PHONECHAT_SPEC_DIR")
            or Path(__file__).resolve().parents[1].parent / "shared" / "spec")
PG_URL = os.environ.get("PHONECHAT_TEST_DATABASE_URL", "")
USERS = sandbox.manifest()["users"]


def bearer(role: str) -> dict[str, str]:
    """Authorization header of a sandbox user (client, candidate, manager, member, outsider)."""
    return {"Authorization": f"bearer {USERS[role]['AccessToken']}"}


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database for the session."""
    if PG_URL:
        asyncio.run(_recreate_pg_database(PG_URL))
        upgrade(PG_URL)
        return PG_URL
    template = tmp_path_factory.mktemp("db") / "template.db"
    upgrade(f"sqlite:///{template}")
    asyncio.run(_seed(f"sqlite:///{template}"))
    return f"sqlite:///{template}"


async def _recreate_pg_database(url: str) -> None:
    import asyncpg

    base, _, name = url.rpartition("/")
    name = name.split("?")[0]
    conn = await asyncpg.connect(f"{base}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _seed(url: str) -> None:
    db = await open_database(url, pool_min=1, pool_max=2)
    try:
        await sandbox.seed(db, START)
    finally:
        await db.close()


TABLES = ("ledger_entries", "ledger_transfers", "credit_accounts", "access_tokens",
          "applications", "bookings", "phonechat_settings", "group_members", "groups", "users")


@pytest.fixture
def db_url(database_url: str, tmp_path: Path) -> str:
    """This test's database URL: a copy of the seeded template (SQLite), or the session
    database emptied and re-seeded (PostgreSQL)."""
    if PG_URL:
        asyncio.run(_reset_pg(database_url))
        return database_url
    path = tmp_path / "phonechat.db"
    shutil.copyfile(database_url.removeprefix("sqlite:///"), path)
    return f"sqlite:///{path}"


async def _reset_pg(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        existing = {r[0] for r in await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        names = ", ".join(t for t in existing if t != "alembic_version")
        await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()
    await _seed(url)


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = await open_database(db_url, pool_min=1, pool_max=10)
    yield database
    await database.close()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, sandbox=True, access_log=False)


@pytest.fixture
def app(settings: Settings, clock: FrozenClock, db: Database):  # type: ignore[no-untyped-def]
    return create_app(settings, clock=clock, db=db)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
