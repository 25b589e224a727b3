"""Helpers for the lifecycle tests: calls by role, the ledger check, balances."""

from __future__ import annotations

from typing import Any

from phonechat.services import ledger_check
from tests.conftest import USERS, bearer

CLIENT, CANDIDATE = USERS["client"]["UserID"], USERS["candidate"]["UserID"]


async def post(client: Any, role: str, op: str, body: dict[str, Any]) -> Any:
    return await client.post(f"/v1/PhoneChat/{op}", json=body, headers=bearer(role))


async def get(client: Any, role: str, op: str, **params: Any) -> Any:
    return await client.get(f"/v1/PhoneChat/{op}", params=params, headers=bearer(role))


async def books_balance(db: Any) -> None:
    problems = await ledger_check.check(db)
    assert problems == [], problems


async def balance_of(db: Any, user_id: int) -> int:
    return (await ledger_check.balances(db))["users"].get(user_id, 0)
