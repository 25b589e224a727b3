"""Migration 0005 carries PhoneChat settings rows of the old shape to the original's shape
without loss, on SQLite and (with PHONECHAT_TEST_DATABASE_URL) PostgreSQL, and back."""

from __future__ import annotations

import asyncio
from datetime import datetime

import asyncpg
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from phonechat.store.migrate import alembic_config, downgrade, upgrade
from tests.conftest import PG_URL

BEFORE = ScriptDirectory.from_config(alembic_config("sqlite://")).get_revision("0005").down_revision
OLD_COLUMNS = ("user_id, takes_bookings, price_per_minute, method_performer_calls, "
               "method_client_calls, method_skype, phone_number, skype_name")
# Rows as the old SaveSettings wrote them: 10-11 national digits, 0 = no price.
OLD_ROWS = [
    (1, True, 5000, True, True, True, "07700900123", "booked.user"),
    (2, False, 0, False, False, False, None, None),
    (3, True, 12500, False, True, False, "4477009001", None),
]
NEW_COLUMNS = ("user_id, offer_direct_chat, direct_chat_only, phone_number, "
               "show_phone_chat_number, price_per_minute, takes_bookings, "
               "method_performer_calls, method_client_calls, method_skype, skype_name")
NEW_ROWS = [
    (1, False, False, "+447700900123", False, 5000, True, True, True, True, "booked.user"),
    (2, False, False, None, False, None, False, False, False, False, None),
    (3, False, False, "+4477009001", False, 12500, True, False, True, False, None),
]


def _run(url: str, *statements: str) -> list[tuple]:
    """Plain SQL through a throwaway connection; the last statement's rows."""
    async def pg() -> list[tuple]:
        conn = await asyncpg.connect(url)
        try:
            rows: list = []
            for st in statements:
                rows = await conn.fetch(st) if st.lstrip().upper().startswith("SELECT") \
                    else (await conn.execute(st), [])[1]
            return [tuple(r) for r in rows]
        finally:
            await conn.close()

    if url.startswith("postgresql"):
        return asyncio.run(pg())
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        rows = []
        for st in statements:
            result = conn.execute(sa.text(st))
            rows = [tuple(r) for r in result] if result.returns_rows else []
    engine.dispose()
    return rows


def _old_rows_sql() -> list[str]:
    def lit(v: object) -> str:
        if v is None:
            return "NULL"
        if isinstance(v, bool):
            return "TRUE" if v else "FALSE"
        return f"'{v}'" if isinstance(v, str) else str(v)

    users = [f"INSERT INTO users (id, nickname, created_at) VALUES ({r[0]}, 'old{r[0]}', "
             f"'{datetime(2018, 1, 1)}')" for r in OLD_ROWS]
    rows = [f"INSERT INTO phonechat_settings ({OLD_COLUMNS}) VALUES "
            f"({', '.join(lit(v) for v in r)})" for r in OLD_ROWS]
    return users + rows


def _normalised(rows: list[tuple]) -> list[tuple]:
    return [tuple(bool(v) if i in (1, 2, 4, 6, 7, 8, 9) else v for i, v in enumerate(r))
            for r in rows]


def _check(url: str) -> None:
    _run(url, *_old_rows_sql())
    upgrade(url, "0005")
    got = _run(url, f"SELECT {NEW_COLUMNS} FROM phonechat_settings ORDER BY user_id")
    assert _normalised(got) == NEW_ROWS
    downgrade(url, BEFORE)  # and back, to the old values
    got = _run(url, f"SELECT {OLD_COLUMNS} FROM phonechat_settings ORDER BY user_id")
    assert [tuple(bool(v) if isinstance(v, int) and i in (1, 3, 4, 5) else v
                  for i, v in enumerate(r)) for r in got] == OLD_ROWS


def test_old_settings_rows_migrate_to_the_new_shape_on_sqlite(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, BEFORE)
    _check(url)


@pytest.mark.skipif(not PG_URL, reason="needs PHONECHAT_TEST_DATABASE_URL")
def test_old_settings_rows_migrate_to_the_new_shape_on_postgresql(database_url) -> None:
    # The session's database, taken back to before 0005, emptied, then brought back to
    # head; the next test's fixture empties and re-seeds it as always.
    _run(PG_URL, "TRUNCATE phonechat_settings, users RESTART IDENTITY CASCADE")
    downgrade(PG_URL, BEFORE)
    try:
        _check(PG_URL)
    finally:
        _run(PG_URL, "TRUNCATE phonechat_settings, users RESTART IDENTITY CASCADE")
        upgrade(PG_URL, "head")
