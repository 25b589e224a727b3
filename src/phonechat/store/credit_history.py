"""Reads of a user's credits: the balance and a page of their account's ledger entries."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy import bindparam as p

from .db import Conn, Query, Row
from .tables import credit_accounts as acc
from .tables import ledger_entries as e
from .tables import ledger_transfers as tr

# The user's spendable account (the partial unique index on user_id where kind = 'user').
ACCOUNT = Query(
    sa.select(acc.c.id, acc.c.balance, acc.c.entry_count)
    .where(acc.c.kind == sa.literal_column("'user'"), acc.c.user_id == p("user_id"))
)

_ENTRIES = (
    sa.select(tr.c.id.label("transfer_id"), tr.c.created_at, tr.c.reason, tr.c.booking_id,
              e.c.amount, e.c.balance_after)
    .select_from(e.join(tr, tr.c.id == e.c.transfer_id))
    .where(e.c.account_id == p("account_id"), e.c.seq.between(p("first"), p("last")))
)
# One range of the unique (account_id, seq) index, in either direction.
PAGE = {False: Query(_ENTRIES.order_by(e.c.seq.asc())),
        True: Query(_ENTRIES.order_by(e.c.seq.desc()))}


async def account(conn: Conn, user_id: int) -> Row | None:
    return await conn.fetchrow(ACCOUNT, user_id=user_id)


async def entries(conn: Conn, account_id: int, first: int, last: int,
                  descending: bool) -> Sequence[Row]:
    if first > last:
        return []
    return await conn.fetch(PAGE[descending], account_id=account_id, first=first, last=last)
