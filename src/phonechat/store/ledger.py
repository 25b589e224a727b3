"""The credits ledger: accounts, transfers and their entries (double-entry).

Every movement is one transfer with two entries that sum to zero. A debit is a
conditional UPDATE (`balance >= amount`), so concurrent spends can never overdraw.
All of it runs inside the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import bindparam as p

from .db import Conn, Query
from .tables import credit_accounts as acc
from .tables import ledger_entries as e
from .tables import ledger_transfers as tr


class InsufficientCredits(Exception):
    """The paying account holds less than the amount."""


def _kind(name: str) -> sa.ColumnElement[bool]:
    # The kind is written into the SQL, not sent as a parameter: the partial unique indexes
    # (WHERE kind = 'user' / 'hold') only match a literal, and a prepared statement's generic
    # plan with `kind = $1` falls back to a sequential scan of every account.
    return acc.c.kind == sa.literal_column(f"'{name}'")


FIND_ACCOUNT_OF_USER = Query(
    sa.select(acc.c.id).where(_kind("user"), acc.c.user_id == p("user_id"))
)
FIND_HOLD = Query(
    sa.select(acc.c.id, acc.c.balance)
    .where(_kind("hold"), acc.c.booking_id == p("booking_id"))
    .with_for_update()
)
FIND_WORLD = Query(sa.select(acc.c.id).where(_kind("world")))
INSERT_ACCOUNT = Query(
    acc.insert().values(kind=p("kind"), user_id=p("user_id"), booking_id=p("booking_id"),
                        balance=0).returning(acc.c.id)
)
_ONE = sa.literal_column("1")  # in the SQL, not a parameter

# Each side's UPDATE also counts the account's entries and answers the new balance and
# count: the entry it is about to write gets them as its `balance_after` and `seq`.
DEBIT = Query(
    acc.update()
    .where(acc.c.id == p("account_id"),
           sa.or_(_kind("world"), acc.c.balance >= p("amount")))
    .values(balance=acc.c.balance - p("amount"), entry_count=acc.c.entry_count + _ONE)
    .returning(acc.c.balance, acc.c.entry_count)
)
CREDIT = Query(acc.update().where(acc.c.id == p("account_id"))
               .values(balance=acc.c.balance + p("amount"), entry_count=acc.c.entry_count + _ONE)
               .returning(acc.c.balance, acc.c.entry_count))
INSERT_TRANSFER = Query(
    tr.insert().values(booking_id=p("booking_id"), reason=p("reason"), created_at=p("at"))
    .returning(tr.c.id)
)
# Both entries of a transfer in one statement (one round trip).
INSERT_ENTRIES = Query(
    e.insert().values([
        {"transfer_id": p("transfer_id"), "account_id": p("from_account"), "amount": p("debit"),
         "seq": p("from_seq"), "balance_after": p("from_balance")},
        {"transfer_id": p("transfer_id"), "account_id": p("to_account"), "amount": p("credit"),
         "seq": p("to_seq"), "balance_after": p("to_balance")},
    ])
)
BALANCE = Query(sa.select(acc.c.balance).where(acc.c.id == p("account_id")))


async def user_account(conn: Conn, user_id: int) -> int:
    found = await conn.fetchval(FIND_ACCOUNT_OF_USER, user_id=user_id)
    if found is not None:
        return int(found)
    return int(await conn.fetchval(INSERT_ACCOUNT, kind="user", user_id=user_id,
                                   booking_id=None))


async def hold_account(conn: Conn, booking_id: int) -> int:
    row = await conn.fetchrow(FIND_HOLD, booking_id=booking_id)
    if row is not None:
        return int(row["id"])
    return int(await conn.fetchval(INSERT_ACCOUNT, kind="hold", user_id=None,
                                   booking_id=booking_id))


async def world_account(conn: Conn) -> int:
    found = await conn.fetchval(FIND_WORLD)
    if found is not None:
        return int(found)
    return int(await conn.fetchval(INSERT_ACCOUNT, kind="world", user_id=None, booking_id=None))


async def balance(conn: Conn, account_id: int) -> int:
    return int(await conn.fetchval(BALANCE, account_id=account_id))


async def transfer(conn: Conn, *, from_account: int, to_account: int, amount: int,
                   reason: str, at: datetime, booking_id: int | None = None) -> int:
    """Move `amount` units; raises InsufficientCredits rather than overdraw."""
    if amount <= 0:
        raise ValueError("a transfer moves a positive amount")
    debited = await conn.fetchrow(DEBIT, account_id=from_account, amount=amount)
    if debited is None:
        raise InsufficientCredits()
    credited = await conn.fetchrow(CREDIT, account_id=to_account, amount=amount)
    transfer_id = int(await conn.fetchval(INSERT_TRANSFER, booking_id=booking_id,
                                          reason=reason, at=at))
    await conn.execute(INSERT_ENTRIES, transfer_id=transfer_id, from_account=from_account,
                       debit=-amount, from_seq=int(debited["entry_count"]),
                       from_balance=int(debited["balance"]), to_account=to_account,
                       credit=amount, to_seq=int(credited["entry_count"]),
                       to_balance=int(credited["balance"]))
    return transfer_id


async def release_hold(conn: Conn, *, booking_id: int, to_user_id: int, reason: str,
                       at: datetime) -> int:
    """Give back everything a booking holds to `to_user_id`; returns the amount (0: none)."""
    row = await conn.fetchrow(FIND_HOLD, booking_id=booking_id)
    if row is None or row["balance"] == 0:
        return 0
    amount = int(row["balance"])
    await transfer(conn, from_account=int(row["id"]), to_account=await user_account(conn, to_user_id),
                   amount=amount, reason=reason, at=at, booking_id=booking_id)
    return amount


async def hold(conn: Conn, *, booking_id: int, from_user_id: int, amount: int,
               reason: str, at: datetime) -> None:
    """Take `amount` from the user's credits and hold it against the booking."""
    await transfer(conn, from_account=await user_account(conn, from_user_id),
                   to_account=await hold_account(conn, booking_id), amount=amount,
                   reason=reason, at=at, booking_id=booking_id)


async def deposit(conn: Conn, *, user_id: int, amount: int, reason: str, at: datetime) -> None:
    """Credits bought from outside (the sandbox's and the admin's way to fund a user)."""
    await transfer(conn, from_account=await world_account(conn),
                   to_account=await user_account(conn, user_id), amount=amount,
                   reason=reason, at=at)
