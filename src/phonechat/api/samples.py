"""Real answers of the seed: each operation's example (api/examples.py) sent, in JSON and in
XML, to a fresh sandbox of its own (a temporary SQLite database, the clock at the samples'
moment, put back to the seed before each POST). The reference pages show these.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson

from .examples import EXAMPLES, START, Example, app_headers, token

HOST = "127.0.0.1:8000"  # the sandbox's default address: the answers that name it say so
JSON_ACCEPT = "application/json"
XML_ACCEPT = "application/xml"


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: str


def request_of(method: str, path: str, ex: Example, accept: str) -> tuple[str, dict[str, str], bytes]:
    """(path with query, headers, body) of an example, as the pages and Postman send it."""
    headers = {"Accept": accept}
    if ex.role:
        headers["Authorization"] = f"Bearer {token(ex.role)}"
    headers.update(app_headers(ex))
    if method == "GET":
        return (path + ("?" + urlencode(ex.args) if ex.args else ""), headers, b"")
    if ex.form:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return path, headers, urlencode(ex.args).encode()
    headers["Content-Type"] = "application/json"
    return path, headers, orjson.dumps(ex.args)


async def call(app: Any, method: str, target: str, headers: dict[str, str],
               body: bytes = b"") -> Answer:
    """One request through the ASGI app, in process."""
    path, _, query = target.partition("?")
    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(),
             "query_string": query.encode(), "scheme": "http", "http_version": "1.1",
             "headers": [(b"host", HOST.encode()), *((k.lower().encode(), v.encode())
                                                    for k, v in headers.items()),
                         *([(b"content-length", str(len(body)).encode())] if body else [])],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    sent = False
    out: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # never: the app read the whole body
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
            out["headers"] = dict(message["headers"])
        else:
            out["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return Answer(out["status"], out["headers"].get(b"content-type", b"").decode(),
                  out["body"].decode("utf-8", "replace"))


async def collect(routes: Any, operations: list[tuple[str, str, str]]
                  ) -> dict[str, dict[str, Answer]]:
    """operationId -> {"json": Answer, "xml": Answer} for every (method, path, operationId)
    that has an example, from these routes over a sandbox database of their own."""
    from .. import sandbox
    from ..clock import FrozenClock
    from ..services import worker
    from ..settings import Settings
    from ..store.db import open_database
    from ..store.migrate import upgrade
    from .app import App

    found: dict[str, dict[str, Answer]] = {}
    with tempfile.TemporaryDirectory(prefix="phonechat-samples-") as work:
        url = f"sqlite:///{Path(work) / 'samples.db'}"
        await asyncio.to_thread(upgrade, url)
        db = await open_database(url, pool_min=1, pool_max=2)
        try:
            clock = FrozenClock(datetime.fromisoformat(START))
            settings = Settings(database_url=url, sandbox=True, access_log=False,
                                metrics=False)
            app = App(settings, routes, clock, db)
            hold = worker.settlement_hold(settings)

            async def fresh() -> None:
                clock.set(datetime.fromisoformat(START))
                await sandbox.seed(db, clock.now(), wipe=True)
                await worker.run_once(db, clock, hold)

            await sandbox.seed(db, clock.now())
            await worker.run_once(db, clock, hold)
            dirty = False
            for method, path, op_id in operations:
                ex = EXAMPLES.get(op_id)
                if ex is None or path.startswith("/docs"):
                    continue
                kinds = {"json": JSON_ACCEPT} if ex.form or not _is_api(path) else {
                    "json": JSON_ACCEPT, "xml": XML_ACCEPT}
                for kind, accept in kinds.items():
                    if method == "POST" or dirty:
                        await fresh()
                    dirty = method == "POST"
                    target, headers, body = request_of(method, path, ex, accept)
                    found.setdefault(op_id, {})[kind] = await call(app, method, target,
                                                                   headers, body)
        finally:
            await db.close()
    return found


def _is_api(path: str) -> bool:
    return path.lower().startswith("/v1/")
