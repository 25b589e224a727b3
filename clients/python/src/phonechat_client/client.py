"""PhoneChat and AsyncPhoneChat: the transport under the generated operations.

Every call asks for JSON, reads decimals as Decimal and dates as datetime, raises a typed
error for an error answer, and retries on 429 and 503 (waiting what Retry-After says) and on
a lost connection. A POST that needs a token carries an Idempotency-Key made once per call
and sent again on each of its retries, so a retried POST is done once.
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx

from . import _generated
from ._model import Operation, query_value, read, write
from .errors import PhoneChatError, TransportError, error_for

RETRY_STATUSES = frozenset({429, 503})
USER_AGENT = "phonechat-client/0.1"
C = TypeVar("C", bound="_Core")


class _Core:
    def __init__(self, base_url: str, token: str | None = None, *, timeout: float = 10.0,
                 max_retries: int = 3, max_wait: float = 60.0, backoff: float = 0.5) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.backoff = backoff
        self.member: int | None = None

    def as_member(self: C, user_id: int) -> C:
        """This client as the group manager acting for member `user_id`: every call that has
        a /v1/Groups/ variant goes there with UserID (the others raise ValueError)."""
        other = copy.copy(self)
        other.member = user_id
        return other

    def with_token(self: C, token: str) -> C:
        other = copy.copy(self)
        other.token = token
        return other

    # --- one request ------------------------------------------------------------------

    def _build(self, name: str, args: dict[str, Any]) -> tuple[Operation, dict[str, Any]]:
        op = _generated.OPERATIONS[name]
        path = op.path
        values = {wire: args.get(wire) for wire in op.fields}
        if self.member is not None:
            if op.group_path is None:
                raise ValueError(f"{name} has no group-manager variant")
            path, values["UserID"] = op.group_path, self.member
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if op.auth and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request: dict[str, Any] = {"method": op.method, "url": self.base_url + path,
                                   "headers": headers}
        present = {k: v for k, v in values.items() if v is not None}
        if op.method == "GET":
            request["params"] = {k: query_value(v) for k, v in present.items()}
        else:
            headers["Content-Type"] = "application/json"
            request["content"] = json.dumps(write(present)).encode()
            if op.auth:  # once per call: each retry sends the same key
                headers["Idempotency-Key"] = uuid.uuid4().hex
        return op, request

    def _wait(self, attempt: int, response: httpx.Response | None) -> float:
        retry_after = _retry_after(response) if response is not None else None
        wait = retry_after if retry_after is not None else self.backoff * 2 ** attempt
        return min(max(wait, 0.0), self.max_wait)

    def _retry(self, attempt: int, response: httpx.Response | None) -> bool:
        return attempt < self.max_retries and (
            response is None or response.status_code in RETRY_STATUSES)

    def _result(self, op: Operation, response: httpx.Response) -> Any:
        body = _body(response)
        if response.status_code >= 400:
            raise error_for(response.status_code, body, response.headers.get("x-request-id"),
                            _retry_after(response))
        if op.result == "text":
            return response.text
        if op.result == "none":
            return None
        if op.result == "decimal":
            return Decimal(str(body))
        return read(op.result, body)


class PhoneChat(_generated.SyncOperations, _Core):
    """The PhoneChat API: PhoneChat("http://127.0.0.1:8000", token="sandbox-client")."""

    def __init__(self, base_url: str, token: str | None = None, *,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep, **options: Any) -> None:
        _Core.__init__(self, base_url, token, **options)
        self._http = httpx.Client(timeout=self.timeout, transport=transport)
        self._sleep = sleep

    def __enter__(self) -> PhoneChat:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _call(self, name: str, args: dict[str, Any]) -> Any:
        op, request = self._build(name, args)
        attempt = 0
        while True:
            try:
                response: httpx.Response | None = self._http.request(**request)
            except httpx.TransportError as exc:
                response = None
                if not self._retry(attempt, None):
                    raise TransportError(0, f"No answer from {request['url']}: {exc}") from exc
            if response is not None and not self._retry(attempt, response):
                return self._result(op, response)
            self._sleep(self._wait(attempt, response))
            attempt += 1

    def _pages(self, method: Callable[..., Any], items: str, size_name: str, size: int,
               **filters: Any) -> Iterator[Any]:
        number = 1
        while True:
            page = method(page_number=number, **{size_name: size}, **filters)
            yield from getattr(page, items) or []
            if number >= (page.page_count or 0):
                return
            number += 1


class AsyncPhoneChat(_generated.AsyncOperations, _Core):
    """The PhoneChat API for asyncio: every operation is a coroutine."""

    def __init__(self, base_url: str, token: str | None = None, *,
                 transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Any] = asyncio.sleep, **options: Any) -> None:
        _Core.__init__(self, base_url, token, **options)
        self._http = httpx.AsyncClient(timeout=self.timeout, transport=transport)
        self._sleep = sleep

    async def __aenter__(self) -> AsyncPhoneChat:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(self, name: str, args: dict[str, Any]) -> Any:
        op, request = self._build(name, args)
        attempt = 0
        while True:
            try:
                response: httpx.Response | None = await self._http.request(**request)
            except httpx.TransportError as exc:
                response = None
                if not self._retry(attempt, None):
                    raise TransportError(0, f"No answer from {request['url']}: {exc}") from exc
            if response is not None and not self._retry(attempt, response):
                return self._result(op, response)
            await self._sleep(self._wait(attempt, response))
            attempt += 1

    async def _apages(self, method: Callable[..., Any], items: str, size_name: str, size: int,
                      **filters: Any) -> AsyncIterator[Any]:
        number = 1
        while True:
            page = await method(page_number=number, **{size_name: size}, **filters)
            for item in getattr(page, items) or []:
                yield item
            if number >= (page.page_count or 0):
                return
            number += 1


def _body(response: httpx.Response) -> Any:
    if "json" not in response.headers.get("content-type", ""):
        return response.text
    try:
        return json.loads(response.content, parse_float=Decimal)
    except ValueError:
        return response.text


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


__all__ = ["AsyncPhoneChat", "PhoneChat", "PhoneChatError"]
