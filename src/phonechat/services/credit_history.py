"""The CreditHistory endpoints: the user's balance and history, from the ledger."""

from __future__ import annotations

from typing import Any

from ..domain import credit_history as rules
from ..domain.access import Actor
from ..store import credit_history as store
from ..store.db import Database
from ..store.ledger_audit import SNAPSHOT


async def current_balance(db: Database, actor: Actor) -> int:
    """The user's spendable credits, as units (what `phonechat ledger balances` shows)."""
    async with db.connection() as conn:
        row = await store.account(conn, actor.id)
    return int(row["balance"]) if row is not None else 0


async def history(db: Database, actor: Actor, *, page_size: int | None,
                  page_number: int | None, order: str | None) -> dict[str, Any]:
    size = page_size or rules.DEFAULT_PAGE_SIZE
    async with db.transaction() as tx:
        if db.dialect == "postgresql":  # the count and the page from one snapshot
            await tx.execute(SNAPSHOT)
        row = await store.account(tx, actor.id)
        count = int(row["entry_count"]) if row is not None else 0
        page = rules.page(count, size, page_number, order or rules.ORDER_BY[0])
        rows = (await store.entries(tx, int(row["id"]), page.first, page.last, page.descending)
                if row is not None else [])
    return {
        "PageCount": page.count, "PageNumber": page.number, "PageSize": size,
        "CreditHistory": [{
            "TransactionID": r["transfer_id"], "TransactionDate": r["created_at"],
            "Description": rules.describe(r["reason"], r["booking_id"]),
            "BookingID": r["booking_id"], "Credits": int(r["amount"]),
            "Balance": int(r["balance_after"]),
        } for r in rows],
    }
