"""Migration 0007 numbers the existing ledger entries and sums their running balance, so
the credit history of data written before it is complete and `ledger check` passes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from phonechat.services import credit_history, ledger_check
from phonechat.domain.access import Actor
from phonechat.store.db import open_database
from phonechat.store.migrate import upgrade

OLD_LEDGER = """
INSERT INTO users (id, nickname, created_at) VALUES (1, 'A', '2018-01-01 00:00:00'),
    (2, 'B', '2018-01-01 00:00:00');
INSERT INTO credit_accounts (id, kind, user_id, booking_id, balance) VALUES
    (1, 'world', NULL, NULL, -1000000), (2, 'user', 1, NULL, 700000), (3, 'user', 2, NULL, 300000);
INSERT INTO ledger_transfers (id, booking_id, reason, created_at) VALUES
    (1, NULL, 'deposit', '2018-01-01 10:00:00'), (2, NULL, 'deposit', '2018-01-02 10:00:00');
INSERT INTO ledger_entries (id, transfer_id, account_id, amount) VALUES
    (1, 1, 1, -1000000), (2, 1, 2, 1000000), (3, 2, 2, -300000), (4, 2, 3, 300000);
"""


async def test_existing_entries_get_their_place_and_running_balance(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    upgrade(url, "0003")
    with sqlite3.connect(path) as c:
        c.executescript(OLD_LEDGER)
    upgrade(url)
    with sqlite3.connect(path) as c:
        assert c.execute("SELECT id, seq, balance_after FROM ledger_entries ORDER BY id").fetchall() == [
            (1, 1, -1000000), (2, 1, 1000000), (3, 2, 700000), (4, 1, 300000)]
        assert c.execute("SELECT id, entry_count FROM credit_accounts ORDER BY id").fetchall() == [
            (1, 1), (2, 2), (3, 1)]
        assert c.execute("SELECT is_age_verified, user_type_id, email_address FROM users "
                         "WHERE id = 1").fetchone() == (0, 2, None)
    db = await open_database(url, pool_min=1, pool_max=1)
    try:
        assert await ledger_check.check(db) == []
        page = await credit_history.history(db, Actor(1, "A"), page_size=None, page_number=None,
                                            order=None)
        assert [(e["Credits"], e["Balance"]) for e in page["CreditHistory"]] == [
            (1000000, 1000000), (-300000, 700000)]
    finally:
        await db.close()
