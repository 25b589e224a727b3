"""The reference pages at /docs: made from /openapi.json, a page per operation grouped as the
original's menu, samples that are the sandbox's real answers, "try it" only in the sandbox,
PHONECHAT_DOCS=0 turns them off."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import datetime
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from phonechat import sandbox
from phonechat.clock import FrozenClock
from phonechat.store.db import open_database
from phonechat.store.migrate import upgrade

from phonechat.api import samples
from phonechat.api.docs_pages import MENU
from phonechat.api.examples import EXAMPLES, START
from phonechat.api.factory import create_app
from phonechat.settings import Settings

SAMPLE = re.compile(r"<pre id=sample-(json|xml) data-status=(\d+)>(.*?)</pre>", re.S)


def _client(app) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                             base_url="http://testserver")


async def _operations(client) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    doc = (await client.get("/openapi.json")).json()
    return [(m.upper(), p, op["operationId"]) for p, item in doc["paths"].items()
            for m, op in item.items()]


async def test_the_index_lists_every_operation_grouped_as_the_original_menu(client) -> None:
    r = await client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    main = r.text.split("<main>", 1)[1]
    headings = re.findall(r"<h2 id='([^']+)'>", main)
    assert headings[:len(MENU)] == list(MENU)
    assert {"Sandbox", "Operations"} <= set(headings[len(MENU):])
    for _, path, op_id in await _operations(client):
        assert f"href='/docs?page={op_id}'" in main, op_id


async def test_every_operation_has_a_page_in_the_original_shape(client) -> None:
    for method, path, op_id in await _operations(client):
        r = await client.get("/docs", params={"page": op_id})
        assert r.status_code == 200, op_id
        assert f"<span class=verb>{method}</span> <code id=endpoint>{path}</code>" in r.text
        for section in ("URL / Endpoint", "Request", "Request information", "Response"):
            assert f"<h2>{section}</h2>" in r.text, (op_id, section)
    details = (await client.get("/docs", params={"page": "MadeBookingDetails"})).text
    for expected in ("/v1/Groups/PhoneChat/MadeBookingDetails", "id=group-manager",
                     "<code>BookingID</code></td><td>integer</td><td>Required. From 1 to",
                     "<code>account_phonechat_bookings</code>", "<h2>Errors</h2>",
                     "<code>404</code>", "id='type-PhoneChatBookingUser'",
                     "<code>Credits</code></td><td>decimal, nullable", "<form class=try"):
        assert expected in details, expected
    create = (await client.get("/docs", params={"page": "CreateBooking"})).text
    assert "<code>SessionDate</code></td><td>datetime</td>" in create
    assert "<code>Comments</code></td><td>string</td><td>Optional. Up to 1000" in create


@pytest.fixture
async def sqlite_sandbox(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """What `phonechat sandbox --clock 2018-01-21T14:00:00` runs: a SQLite database (whatever
    database the rest of the suite uses: PostgreSQL's sequences survive a Reset, so ledger
    IDs differ there) on a frozen, movable clock."""
    url = f"sqlite:///{tmp_path / 'sandbox.db'}"
    await asyncio.to_thread(upgrade, url)
    db = await open_database(url, pool_min=1, pool_max=2)
    try:
        await sandbox.seed(db, datetime.fromisoformat(START))
        app = create_app(Settings(database_url=url, sandbox=True, access_log=False),
                         clock=FrozenClock(datetime.fromisoformat(START)), db=db)
        async with _client(app) as c:
            yield c
    finally:
        await db.close()


# Members made afresh by every call (a new webhook's signing secret): compared as present.
FRESH = ("Secret",)


def _steady(answer: Any) -> Any:
    return {k: ("(fresh)" if k in FRESH else v) for k, v in answer.items()} \
        if isinstance(answer, dict) else answer


def _steady_xml(text: str) -> str:
    for name in FRESH:
        text = re.sub(rf"<{name}>[^<]*</{name}>", f"<{name}>(fresh)</{name}>", text)
    return text


async def test_each_sample_is_what_the_sandbox_answers(sqlite_sandbox) -> None:
    client = sqlite_sandbox
    checked = 0
    for method, path, op_id in await _operations(client):
        page = (await client.get("/docs", params={"page": op_id})).text
        for kind, status, text in SAMPLE.findall(page):
            shown = unescape(text)
            await client.post("/v1/Sandbox/Reset", json={"Clock": START})
            target, headers, body = samples.request_of(
                method, path, EXAMPLES[op_id],
                samples.JSON_ACCEPT if kind == "json" else samples.XML_ACCEPT)
            r = await client.request(method, target, headers={**headers, "Host": samples.HOST},
                                     content=body)
            assert r.status_code == int(status) == EXAMPLES[op_id].status, (op_id, kind)
            if kind == "json":
                assert _steady(orjson.loads(shown)) == _steady(r.json()), op_id
            else:
                assert _steady_xml(shown) == _steady_xml(r.text), op_id
            checked += 1
    assert checked >= 2 * 25  # every API operation, in JSON and XML


async def test_serve_has_pages_without_try_it_and_docs_0_turns_them_off(db_url, clock, db) -> None:
    async with _client(create_app(Settings(database_url=db_url, access_log=False),
                                  clock=clock, db=db)) as c:
        page = await c.get("/docs", params={"page": "MadeBookingDetails"})
        assert page.status_code == 200 and "id=sample-json" in page.text
        assert "<form class=try" not in page.text and "page=getClock" not in page.text
        missing = await c.get("/docs", params={"page": "NoSuchThing"})
        assert missing.status_code == 404 and "No such page" in missing.text
    off = create_app(Settings(database_url=db_url, access_log=False, sandbox=True, docs=False),
                     clock=clock, db=db)
    async with _client(off) as c:
        assert (await c.get("/docs")).status_code == 404
        assert "/docs" not in (await c.get("/openapi.json")).json()["paths"]
