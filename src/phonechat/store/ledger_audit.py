"""Read-only queries that audit the credits ledger (`phonechat ledger check`)."""

from __future__ import annotations

import sqlalchemy as sa

from .db import Query
from .tables import bookings as b
from .tables import credit_accounts as acc
from .tables import ledger_entries as e
from .tables import ledger_transfers as tr

# On PostgreSQL every query of the check must see one snapshot.
SNAPSHOT = Query(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))

UNBALANCED_TRANSFERS = Query(
    sa.select(e.c.transfer_id, sa.func.sum(e.c.amount).label("total"))
    .group_by(e.c.transfer_id).having(sa.func.sum(e.c.amount) != 0)
)
EMPTY_TRANSFERS = Query(
    sa.select(tr.c.id).select_from(tr.outerjoin(e, e.c.transfer_id == tr.c.id))
    .where(e.c.id.is_(None))
)
_sum = sa.func.coalesce(sa.func.sum(e.c.amount), 0)
BALANCE_MISMATCHES = Query(
    sa.select(acc.c.id, acc.c.kind, acc.c.balance, _sum.label("entries"))
    .select_from(acc.outerjoin(e, e.c.account_id == acc.c.id))
    .group_by(acc.c.id, acc.c.kind, acc.c.balance).having(acc.c.balance != _sum)
)
NEGATIVE_ACCOUNTS = Query(
    sa.select(acc.c.id, acc.c.kind, acc.c.balance)
    .where(acc.c.kind != "world", acc.c.balance < 0)
)
BOOKING_HOLDS = Query(
    sa.select(b.c.id, b.c.status, b.c.credits, b.c.settled_date, b.c.method,
              b.c.session_date, b.c.duration, b.c.accept_by, b.c.reinvited_date,
              sa.func.coalesce(acc.c.balance, 0).label("held"))
    .select_from(b.outerjoin(acc, sa.and_(acc.c.booking_id == b.c.id, acc.c.kind == "hold")))
    .order_by(b.c.id)
)
ORPHAN_HOLDS = Query(
    sa.select(acc.c.id, acc.c.balance).where(acc.c.kind == "hold", acc.c.booking_id.is_(None),
                                             acc.c.balance != 0)
)
# The credit history's columns: each entry's seq is its place in its account and its
# balance_after the running sum; each account's entry_count is its number of entries.
_running = (
    sa.select(e.c.id, e.c.account_id, e.c.seq, e.c.balance_after,
              sa.func.row_number().over(partition_by=e.c.account_id, order_by=e.c.seq)
              .label("place"),
              sa.func.sum(e.c.amount).over(partition_by=e.c.account_id, order_by=e.c.seq)
              .label("running"))
    .subquery()
)
HISTORY_MISMATCHES = Query(
    sa.select(_running.c.id, _running.c.account_id, _running.c.seq, _running.c.place,
              _running.c.balance_after, _running.c.running)
    .where(sa.or_(_running.c.seq != _running.c.place,
                  _running.c.balance_after != _running.c.running))
    .order_by(_running.c.id)
)
_count = sa.select(sa.func.count()).where(e.c.account_id == acc.c.id).scalar_subquery()
ENTRY_COUNT_MISMATCHES = Query(
    sa.select(acc.c.id, acc.c.kind, acc.c.entry_count, _count.label("entries"))
    .where(acc.c.entry_count != _count)
)
BALANCES = Query(sa.select(acc.c.kind, acc.c.user_id, acc.c.balance))
