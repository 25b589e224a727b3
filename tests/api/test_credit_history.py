"""CreditHistory: GetCurrentCreditBalance and GetCreditsHistory answer from the ledger,
agree with `phonechat ledger check`, page by one index range, and refuse bad input."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from phonechat.domain.access import SCOPES, token_hash
from phonechat.domain.credit_history import page
from phonechat.domain.credits import to_units
from phonechat.store import accounts
from phonechat.store import credit_history as history_store
from tests.conftest import PG_URL, START, bearer
from tests.lifecycle_helpers import CLIENT, balance_of, books_balance, post

BALANCE = "/v1/CreditHistory/GetCurrentCreditBalance"
HISTORY = "/v1/CreditHistory/GetCreditsHistory"
NS_SERIALIZATION = "http://schemas.microsoft.com/2003/10/Serialization/"
ITEM_MEMBERS = ["TransactionID", "TransactionDate", "Description", "BookingID", "Credits",
                "Balance"]
# The seed: 500 deposited, then the credits of bookings 7, 6 and 1 held as they were confirmed.
SEEDED_BALANCE = 500 - 20 - 15 - 8


async def _history(client: Any, role: str = "client", **params: Any) -> Any:
    return await client.get(HISTORY, params=params, headers=bearer(role))


async def _all_entries(client: Any, role: str = "client") -> list[dict[str, Any]]:
    r = await _history(client, role, PageSize=100, PageNumber=1)
    assert r.status_code == 200 and r.json()["PageCount"] <= 1
    return r.json()["CreditHistory"]


async def _token(db: Any, scopes: str, name: str) -> dict[str, str]:
    async with db.transaction() as tx:
        await accounts.insert_token(tx, token_hash=token_hash(name), user_id=CLIENT,
                                    scopes=scopes, expires_at=START + timedelta(days=1),
                                    at=START)
    return {"Authorization": f"bearer {name}"}


# --- GetCurrentCreditBalance --------------------------------------------------------------


async def test_balance_is_a_bare_number_in_json_and_an_int_element_in_xml(client) -> None:
    r = await client.get(BALANCE, headers=bearer("client"))
    assert r.status_code == 200 and r.text == str(SEEDED_BALANCE)
    r = await client.get(BALANCE, headers=bearer("client") | {"Accept": "application/xml"})
    assert r.text == f'<int xmlns="{NS_SERIALIZATION}">{SEEDED_BALANCE}</int>'


async def test_a_fractional_balance_is_a_decimal_element_in_xml(client) -> None:
    r = await post(client, "client", "ConfirmMadeBooking", {"BookingID": 4})  # holds 12.5
    assert r.status_code == 200, r.text
    r = await client.get(BALANCE, headers=bearer("client"))
    assert r.json() == SEEDED_BALANCE - 12.5
    r = await client.get(BALANCE, headers=bearer("client") | {"Accept": "text/xml"})
    assert r.text == f'<decimal xmlns="{NS_SERIALIZATION}">{SEEDED_BALANCE - 13}.5000</decimal>'


async def test_balance_and_history_agree_with_the_ledger_after_bookings_move_credits(
        client, db) -> None:
    assert (await post(client, "client", "ConfirmMadeBooking", {"BookingID": 4})).status_code == 200
    r = await post(client, "client", "CancelMadeBooking", {"BookingID": 6, "Reason": "Ill"})
    assert r.status_code == 200, r.text
    await books_balance(db)  # includes the history's seq and balance-after columns
    ledger_balance = await balance_of(db, CLIENT)
    assert ledger_balance == to_units(SEEDED_BALANCE - 12.5 + 15)
    balance = (await client.get(BALANCE, headers=bearer("client"))).json()
    assert to_units(str(balance)) == ledger_balance
    entries = await _all_entries(client)
    assert sum(to_units(str(e["Credits"])) for e in entries) == ledger_balance
    assert to_units(str(entries[-1]["Balance"])) == ledger_balance
    assert [(e["BookingID"], e["Credits"]) for e in entries[-2:]] == [(4, -12.5), (6, 15)]
    assert entries[-1]["Description"] == "PhoneChat booking 6: cancelled"


async def test_the_credits_scope_is_needed_for_both_endpoints(client, db) -> None:
    without = " ".join(s for s in SCOPES if s != "account_credits_history")
    headers = await _token(db, without, "no-credits-scope")
    for path in (BALANCE, HISTORY):
        r = await client.get(path, headers=headers)
        assert r.status_code == 403, path
        assert "account_credits_history" in r.json()["Message"]


# --- GetCreditsHistory --------------------------------------------------------------------


async def test_history_members_in_order_in_json_and_xml(client) -> None:
    r = await _history(client)
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["PageCount", "PageNumber", "PageSize", "CreditHistory"]
    assert (body["PageCount"], body["PageNumber"], body["PageSize"]) == (1, 1, 50)
    items = body["CreditHistory"]
    assert all(list(i) == ITEM_MEMBERS for i in items)
    assert [(i["Description"], i["BookingID"], i["Credits"], i["Balance"]) for i in items] == [
        ("Sandbox deposit", None, 500, 500),
        ("PhoneChat booking 7: confirmed", 7, -20, 480),
        ("PhoneChat booking 6: confirmed", 6, -15, 465),
        ("PhoneChat booking 1: confirmed", 1, -8, SEEDED_BALANCE),
    ]
    dates = [datetime.fromisoformat(i["TransactionDate"]) for i in items]
    assert dates == sorted(dates) and items[-1]["TransactionDate"] == "2018-01-21T13:24:05.987"
    assert len({i["TransactionID"] for i in items}) == 4

    xml = (await client.get(HISTORY, params={"PageSize": 1, "PageNumber": 1},
                            headers=bearer("client") | {"Accept": "application/xml"})).text
    ns = "http://schemas.datacontract.org/2004/07/API.Models.CreditHistory"
    item = items[0]
    assert xml == (
        f'<CreditsHistory xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="{ns}">'
        f'<CreditHistory><CreditHistory><Balance>500.0000</Balance><BookingID i:nil="true" />'
        f'<Credits>500.0000</Credits><Description>Sandbox deposit</Description>'
        f'<TransactionDate>{item["TransactionDate"]}</TransactionDate>'
        f'<TransactionID>{item["TransactionID"]}</TransactionID></CreditHistory></CreditHistory>'
        f'<PageCount>4</PageCount><PageNumber>1</PageNumber><PageSize>1</PageSize>'
        f'</CreditsHistory>')


async def test_an_empty_page_number_is_the_last_page(client) -> None:
    entries = await _all_entries(client)
    r = await _history(client, PageSize=3)
    body = r.json()
    assert (body["PageCount"], body["PageNumber"], body["PageSize"]) == (2, 2, 3)
    assert body["CreditHistory"] == entries[3:]
    r = await _history(client, PageSize=3, PageNumber="")  # empty, as a query string gives it
    assert r.json() == body
    r = await _history(client, PageSize=3, PageNumber=1)
    assert r.json()["CreditHistory"] == entries[:3]


async def test_descending_order_pages_from_the_newest(client) -> None:
    entries = await _all_entries(client)
    newest_first = entries[::-1]
    r = await _history(client, PageSize=3, PageNumber=1, OrderBy="transactiondate-desc")
    assert r.json()["CreditHistory"] == newest_first[:3]
    r = await _history(client, PageSize=3, OrderBy="TransactionDate-Desc")  # the last page
    assert r.json()["PageNumber"] == 2 and r.json()["CreditHistory"] == newest_first[3:]
    r = await _history(client, PageSize=3, PageNumber=1, OrderBy="transactiondate-asc")
    assert r.json()["CreditHistory"] == entries[:3]


async def test_page_size_bounds_and_a_page_past_the_last(client) -> None:
    assert (await _history(client, PageSize=1)).json()["PageCount"] == 4
    r = await _history(client, PageSize=100)
    assert r.status_code == 200 and r.json()["PageSize"] == 100
    r = await _history(client, PageSize=2, PageNumber=9)
    assert r.json() == {"PageCount": 2, "PageNumber": 9, "PageSize": 2, "CreditHistory": []}


async def test_a_user_without_entries_has_one_empty_page(client) -> None:
    r = await _history(client, "candidate")
    assert r.json() == {"PageCount": 0, "PageNumber": 1, "PageSize": 50, "CreditHistory": []}
    assert (await client.get(BALANCE, headers=bearer("candidate"))).json() == 0


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"PageSize": 0}, "PageSize", "The field PageSize must be between 1 and 100."),
    ({"PageSize": 101}, "PageSize", "The field PageSize must be between 1 and 100."),
    ({"PageSize": "ten"}, "PageSize", "The value 'ten' is not valid for PageSize."),
    ({"PageNumber": 0}, "PageNumber", "The field PageNumber must be between 1 and 2147483647."),
    ({"PageNumber": "1.5"}, "PageNumber", "The value '1.5' is not valid for PageNumber."),
    ({"OrderBy": "date-asc"}, "OrderBy", "The value 'date-asc' is not valid for OrderBy: "
                                         "expected one of transactiondate-asc, transactiondate-desc."),
])
async def test_bad_values_are_400_naming_the_field(client, params, field, message) -> None:
    r = await _history(client, **params)
    assert r.status_code == 400
    assert r.json()["ModelState"] == {field: [message]}


def test_pages_are_ranges_of_entry_numbers() -> None:
    assert page(120, 50, None, "transactiondate-asc") == page(120, 50, 3, "transactiondate-asc")
    p = page(120, 50, 3, "transactiondate-asc")
    assert (p.count, p.first, p.last, p.descending) == (3, 101, 120, False)
    p = page(120, 50, 1, "transactiondate-desc")
    assert (p.first, p.last, p.descending) == (71, 120, True)
    p = page(120, 50, None, "transactiondate-desc")
    assert (p.number, p.first, p.last) == (3, 1, 20)
    assert page(120, 50, 4, "transactiondate-asc").first > page(120, 50, 4, "transactiondate-asc").last
    p = page(0, 50, None, "transactiondate-asc")
    assert (p.number, p.count) == (1, 0) and p.first > p.last


async def test_a_page_is_read_through_the_account_seq_index(db) -> None:
    """No offset and no scan of the account's other entries: one range of the index."""
    for descending in (False, True):
        sql, _ = history_store.PAGE[descending].compiled(db.dialect)
        async with db.connection() as conn:
            c = conn._c
            if PG_URL:
                await c.execute("SET enable_seqscan = off")  # a tiny table: ask what it could use
                try:
                    plan = "\n".join(r[0] for r in await c.fetch(
                        "EXPLAIN " + sql.replace("$1::BIGINT", "1").replace("$2::BIGINT", "1")
                        .replace("$3::BIGINT", "50")))
                finally:
                    await c.execute("RESET enable_seqscan")
            else:
                plan = "\n".join(str(tuple(r)) for r in c.execute(
                    "EXPLAIN QUERY PLAN " + sql, (1, 1, 50)).fetchall())
        assert "uq_ledger_entries_account_seq" in plan, plan
        assert "OFFSET" not in sql.upper()


async def test_ledger_check_finds_a_history_that_disagrees_with_the_entries(db) -> None:
    from sqlalchemy import text

    from phonechat.services import ledger_check
    from phonechat.store.db import Query

    async with db.transaction() as tx:
        await tx.execute(Query(text(
            "UPDATE ledger_entries SET balance_after = balance_after + 1 WHERE id = 2")))
        await tx.execute(Query(text(
            "UPDATE credit_accounts SET entry_count = entry_count + 1 WHERE id = 1")))
    problems = await ledger_check.check(db)
    assert any(p.startswith("entry 2 (account ") and "running balance" in p for p in problems)
    assert any(p.startswith("account 1 (") and "entry count" in p for p in problems)
