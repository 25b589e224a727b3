"""`phonechat ledger check`: do the books balance, does every booking hold what its
status says it must (domain/lifecycle.held_amount), and does the credit history (each
entry's seq and balance after) agree with the entries?"""

from __future__ import annotations

from typing import Any

from ..domain.bookings import Booking, Method, Status
from ..domain.credits import format_credits
from ..domain.lifecycle import held_amount
from ..store import ledger_audit as q
from ..store.db import Database


async def check(db: Database) -> list[str]:
    """Every problem found, in plain words; an empty list when the books are right."""
    problems: list[str] = []
    async with db.transaction() as tx:
        if db.dialect == "postgresql":
            await tx.execute(q.SNAPSHOT)
        for r in await tx.fetch(q.UNBALANCED_TRANSFERS):
            problems.append(f"transfer {r['transfer_id']}: its entries sum to "
                            f"{format_credits(int(r['total']))}, not 0")
        for r in await tx.fetch(q.EMPTY_TRANSFERS):
            problems.append(f"transfer {r['id']}: has no entries")
        for r in await tx.fetch(q.BALANCE_MISMATCHES):
            problems.append(f"account {r['id']} ({r['kind']}): balance "
                            f"{format_credits(int(r['balance']))} but its entries sum to "
                            f"{format_credits(int(r['entries']))}")
        for r in await tx.fetch(q.NEGATIVE_ACCOUNTS):
            problems.append(f"account {r['id']} ({r['kind']}): negative balance "
                            f"{format_credits(int(r['balance']))}")
        for r in await tx.fetch(q.ORPHAN_HOLDS):
            problems.append(f"account {r['id']} (hold): holds {format_credits(int(r['balance']))} "
                            "for no booking")
        for r in await tx.fetch(q.HISTORY_MISMATCHES):
            problems.append(f"entry {r['id']} (account {r['account_id']}): seq {r['seq']} and "
                            f"balance after {format_credits(int(r['balance_after']))}, but it is "
                            f"entry {r['place']} and the running balance is "
                            f"{format_credits(int(r['running']))}")
        for r in await tx.fetch(q.ENTRY_COUNT_MISMATCHES):
            problems.append(f"account {r['id']} ({r['kind']}): entry count "
                            f"{r['entry_count']} but it has {r['entries']} entries")
        for r in await tx.fetch(q.BOOKING_HOLDS):
            b = Booking(id=r["id"], status=Status(r["status"]), method=Method(r["method"]),
                        session_date=r["session_date"], duration=r["duration"],
                        accept_by=r["accept_by"], credits=int(r["credits"]),
                        reinvited_at=r["reinvited_date"],
                        settled=r["settled_date"] is not None)
            want, held = held_amount(b), int(r["held"])
            if held != want:
                state = f"{b.status}{', settled' if b.settled else ''}"
                problems.append(f"booking {b.id} ({state}, Credits {format_credits(b.credits)}): "
                                f"holds {format_credits(held)}, should hold {format_credits(want)}")
    return problems


async def balances(db: Database) -> dict[str, Any]:
    """Every account's balance: users by UserID, the total held, the world, and the sum of
    all (always 0 in double entry)."""
    users: dict[int, int] = {}
    held = world = 0
    async with db.connection() as conn:
        for r in await conn.fetch(q.BALANCES):
            if r["kind"] == "user":
                users[int(r["user_id"])] = int(r["balance"])
            elif r["kind"] == "hold":
                held += int(r["balance"])
            else:
                world += int(r["balance"])
    return {"users": users, "held": held, "world": world,
            "total": sum(users.values()) + held + world}
