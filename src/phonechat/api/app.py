"""The ASGI application: the request pipeline that runs around every route.

Pipeline: read the request -> find the route -> authenticate -> check the scope -> rate
limits -> (POST with Idempotency-Key) claim or replay -> bind the input -> (group variant)
resolve the member -> call the route -> negotiate and render.
Every error, whatever raised it, is rendered by `_error_reply`: the one place errors map
to HTTP.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from collections.abc import Awaitable
from typing import Any

from ..domain.errors import Forbidden, Invalid, MissingScope, NotFound, RuleBroken, Unauthorized
from ..domain.validation import clean_text
from ..logs import access as log_access
from ..logs import flush_access_log
from ..metrics import UNMATCHED
from ..services import account
from ..services.grant_cache import GrantCache, remember_seconds
from ..store.db import Database, DatabaseUnavailable, is_postgres, open_database
from .contracts import INVALID
from . import cluster, idempotency
from .http import HttpError, RawReply, Reply, Request, Route, Routes, error_reply
from .idempotency import Answer
from .manners import Manners, allow, origins
from .negotiation import JSON, negotiate_headers
from .representation import to_json, to_xml

log = logging.getLogger("phonechat.api")


class App:
    def __init__(self, settings: Any, routes: Routes, clock: Any, db: Database | None = None,
                 metrics: Any = None, limiter: Any = None) -> None:
        self.settings = settings
        self.routes = routes
        self.clock = clock
        self.db: Database | None = db
        self._owns_db = db is None
        self._purger: asyncio.Task[None] | None = None
        self.metrics = metrics
        self.limiter = limiter  # api.ratelimit.RateLimiter, or None: no limits
        self.max_body = settings.max_body_bytes
        self.access_log = settings.access_log
        self.manners = Manners(origins(settings.cors), routes)
        # Valid grants remembered (never in the sandbox: a developer who revokes a token
        # there sees it refused at once); for longer where revocations are pushed.
        pushed = db.dialect == "postgresql" if db is not None else is_postgres(
            settings.database_url)
        cache_seconds = remember_seconds(getattr(settings, "token_cache_seconds", 0), pushed)
        self.grants = (GrantCache(cache_seconds)
                       if cache_seconds > 0 and not settings.sandbox else None)
        # On PostgreSQL: the listening connection and the read replicas (api/cluster.py).
        self.cluster: cluster.Cluster | None = None
        self.reads: Any = None  # store.replicas.ReadRouter when read replicas are set

    # --- ASGI -----------------------------------------------------------------------

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:  # pragma: no cover - reported by the server
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def startup(self) -> None:
        if self.db is None:
            s = self.settings
            self.db = await open_database(s.database_url, pool_min=s.pool_min,
                                          pool_max=s.pool_max, acquire_timeout=s.pool_timeout)
            self._purger = asyncio.create_task(idempotency.purge_forever(self))
            self.cluster = await cluster.join(self)
            self.reads = self.cluster.reads if self.cluster is not None else None
        if self.settings.sandbox and getattr(self.clock, "movable", False):
            from ..services.worker import start_in_background  # the sandbox's own worker

            self._worker = start_in_background(self)

    async def shutdown(self) -> None:
        flush_access_log()  # the server may end the process by its signal: atexit won't run
        if getattr(self, "_worker", None) is not None:
            self._worker.cancel()
            self._worker = None
        if self._purger is not None:
            self._purger.cancel()
        if self.limiter is not None:
            await self.limiter.close()
        if self.metrics is not None:
            self.metrics.close()
        if self.cluster is not None:
            await self.cluster.close()
            self.cluster = self.reads = None
        if self.db is not None and self._owns_db:
            await self.db.close()
            self.db = None

    # The request path keeps its coroutines few: each one awaited costs a frame to make
    # and, at every suspension, to pass through again (bench/RESULTS.md); the pipeline is
    # __call__ itself for that reason. Steps that usually complete at once (the body of a
    # GET, a remembered token, the route's call, a use case's own wrapper) are plain
    # functions, and await only when they must.

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self._lifespan(receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope["headers"])
        request_id = _request_id(headers.get(b"x-request-id"))
        route_path = UNMATCHED
        fmt, ctype = negotiate_headers(headers.get(b"accept"), headers.get(b"content-type"))
        camel = headers.get(b"x-casetype", b"").lower() == b"camelcase"
        limits: list[tuple[bytes, bytes]] = []
        answer: Answer | None = None
        try:
            route = self._route(scope)
            route_path = route.path
            body = (b"" if b"content-length" not in headers and b"transfer-encoding" not in headers
                    else await self._read_body(headers, receive))  # no body (a GET): no wait
            req = Request(scope, headers, body, request_id, self)
            if route.auth:
                token = _bearer_token(headers.get(b"authorization"))
                if token is None:
                    raise Unauthorized()
                grant = account.remembered(self.grants, token, req.now)  # no coroutine
                if grant is None:
                    grant = await account.authenticate(self.db, token, req.now, self.grants)  # type: ignore[arg-type]
                _grant(route, req, grant)
                if self.limiter is not None:
                    limits = await self.limiter.check(req.grant)  # type: ignore[arg-type]
                key = headers.get(b"idempotency-key") if scope["method"] == "POST" else None
                if key is not None:
                    answer = await idempotency.once(
                        self.db, req, route.path, key, self.settings.idempotency_hours,  # type: ignore[arg-type]
                        lambda: self._answer(route, req, scope, headers, fmt, ctype, camel))
            if answer is None:
                reply = _replied(route, await self._handle(route, req))
                extra: list[tuple[bytes, bytes]] = []
        except Exception as exc:  # the one place errors become responses
            reply, extra = _error_reply(exc, scope, headers, request_id)
            answer = None
        if answer is None:
            answer = _render_safely(reply, extra, fmt, ctype, camel, scope, headers, request_id)
        status, ctype, payload, extra = answer
        await send({
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", ctype.encode()),
                (b"content-length", str(len(payload)).encode()),
                (b"x-request-id", request_id.encode()),
                *extra,
                *limits,
                *self.manners.cors(headers.get(b"origin")),
            ],
        })
        await send({"type": "http.response.body",
                    "body": payload if scope["method"] != "HEAD" else b""})
        elapsed = time.perf_counter() - started
        if self.metrics is not None:
            self.metrics.observe(scope["method"], route_path, status, elapsed)
        if self.access_log:
            log_access(request_id, scope["method"], scope["path"], status, elapsed)

    async def _answer(self, route: Route, req: Request, scope: dict[str, Any],
                      headers: dict[bytes, bytes], fmt: str, ctype: str, camel: bool) -> Answer:
        """The rendered answer of the handler, errors included (what idempotency stores)."""
        try:
            reply = _replied(route, await self._handle(route, req))
            extra: list[tuple[bytes, bytes]] = []
        except Exception as exc:
            reply, extra = _error_reply(exc, scope, headers, req.request_id)
        return _render_safely(reply, extra, fmt, ctype, camel, scope, headers, req.request_id)

    def _route(self, scope: dict[str, Any]) -> Route:
        path = scope["path"].lower()
        if len(path) > 1 and path.endswith("/"):
            path = path[:-1]
        methods = self.routes.table.get(path)
        if methods is None:
            raise HttpError(404, "No HTTP resource was found that matches the request URI "
                                 f"'{_quoted_uri(scope)}'.")
        route = methods.get(scope["method"]) or self.manners.stand_in(scope["method"], path,
                                                                      methods)
        if route is None:
            raise HttpError(405, "The requested resource does not support http method "
                                 f"'{scope['method']}'.", [(b"allow", allow(methods).encode())])
        return route

    async def _read_body(self, headers: dict[bytes, bytes], receive: Any) -> bytes:
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            raise HttpError(413, f"The request body is larger than {self.max_body} bytes.")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":  # gone (or cut off by the body deadline)
                raise HttpError(400, "The request body was not received in full.")
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > self.max_body:
                    raise HttpError(413, f"The request body is larger than {self.max_body} bytes.")
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks) if len(chunks) != 1 else chunks[0]

    def _handle(self, route: Route, req: Request) -> Awaitable[Reply | RawReply]:
        args = (route.input.bind(req.raw_input(route.input))
                if route.input else {})
        if route.as_member or self.reads is not None:
            return self._handle_further(route, req, args)
        return route.handler(req, args)  # type: ignore[no-any-return]

    async def _handle_further(self, route: Route, req: Request,
                              args: dict[str, Any]) -> Reply | RawReply:
        """A group variant (the member acted for) or a read that a replica may answer."""
        if route.as_member:
            req.actor = await account.act_for_member(self.db, req.actor, args["UserID"])  # type: ignore[arg-type]
        if self.reads is not None and req.grant is not None:
            if req.method in cluster.READS:
                return await cluster.read(self.reads, route.handler, req, args)
            reply = await route.handler(req, args)
            await cluster.wrote(self.reads, self.db, req.grant.user.id)
            return reply
        return await route.handler(req, args)


def _replied(route: Route, answer: Any) -> Reply | RawReply:
    """A handler's answer as a reply: a Reply or RawReply as it is; anything else is the
    values of the route's declared reply contract (200), so that a route which only
    hands on its use case's answer is a plain function, not a coroutine of its own."""
    if answer.__class__ is Reply or answer.__class__ is RawReply:
        return answer  # type: ignore[no-any-return]
    return Reply(route.reply, answer)  # type: ignore[arg-type]


def _grant(route: Route, req: Request, grant: Any) -> None:
    """The caller is the grant's user, if it has the route's scope."""
    if route.scope is not None and route.scope not in grant.scopes:
        raise MissingScope(f"This request needs the scope '{route.scope}', which the "
                           "access token was not granted.", route.scope)
    req.grant = grant
    req.actor = grant.user


def _render(reply: Reply | RawReply, extra: list[tuple[bytes, bytes]], fmt: str, ctype: str,
            camel: bool) -> Answer:
    if isinstance(reply, RawReply):
        return reply.status, reply.content_type, reply.body, reply.headers
    if fmt == JSON:
        return reply.status, ctype, to_json(reply.contract, reply.values, camel), extra
    return reply.status, ctype, to_xml(reply.contract, reply.values), extra


def _render_safely(reply: Reply | RawReply, extra: list[tuple[bytes, bytes]], fmt: str,
                   ctype: str, camel: bool, scope: dict[str, Any], headers: dict[bytes, bytes],
                   request_id: str) -> Answer:
    try:
        return _render(reply, extra, fmt, ctype, camel)
    except Exception as exc:  # a value the encoders cannot write: still a clean 500
        reply, extra = _error_reply(exc, scope, headers, request_id)
        return _render(reply, extra, fmt, ctype, camel)


def _bearer_token(value: bytes | None) -> str | None:
    if not value:
        return None
    scheme, _, token = value.decode("latin-1").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _request_id(incoming: bytes | None) -> str:
    """Keep a caller's (or proxy's) sane X-Request-ID, else make one."""
    if incoming and len(incoming) <= 64 and incoming.replace(b"-", b"").isalnum():
        return incoming.decode()
    return _ids.getrandbits(64).to_bytes(8, "big").hex()  # 16 hex digits, no format()


# Request IDs need to be unique, not unguessable: a seeded generator instead of a getrandom
# system call on every request (reseeded in a forked worker, which would repeat its parent's).
_ids = random.Random(os.urandom(16))
os.register_at_fork(after_in_child=lambda: _ids.seed(os.urandom(16)))


def _quoted_uri(scope: dict[str, Any]) -> str:
    """The request URI as a 404 quotes it: cut to 200 characters, unwritable ones replaced."""
    uri = _absolute_uri(scope)
    return clean_text(uri if len(uri) <= MAX_QUOTED_URI else uri[:MAX_QUOTED_URI] + "...")


MAX_QUOTED_URI = 200


def _absolute_uri(scope: dict[str, Any]) -> str:
    headers = dict(scope["headers"])
    host = headers.get(b"host", b"localhost").decode("latin-1")
    qs = scope.get("query_string", b"").decode("latin-1")
    return f"{scope.get('scheme', 'http')}://{host}{scope['path']}" + (f"?{qs}" if qs else "")


def _www_authenticate(exc: Unauthorized | MissingScope) -> tuple[bytes, bytes]:
    """RFC 6750 3.1's challenge: no error code when no token was presented."""
    if isinstance(exc, MissingScope):
        value = f'Bearer error="insufficient_scope", scope="{exc.scope}"'
    elif exc.reason:
        value = f'Bearer error="invalid_token", error_description="{exc.reason}"'
    else:
        value = "Bearer"
    return (b"www-authenticate", value.encode())


def _error_reply(exc: Exception, scope: dict[str, Any], headers: dict[bytes, bytes],
                 request_id: str) -> tuple[Reply, list[tuple[bytes, bytes]]]:
    if isinstance(exc, Invalid):
        return Reply(INVALID, {"Message": exc.message, "ModelState": exc.errors}, 400), []
    if isinstance(exc, HttpError):
        return error_reply(exc.status, exc.message), exc.headers
    if isinstance(exc, RuleBroken):
        return error_reply(400, exc.message), []
    if isinstance(exc, NotFound):
        return error_reply(404, exc.message), []
    if isinstance(exc, Unauthorized):
        return error_reply(401, exc.message), [_www_authenticate(exc)]
    if isinstance(exc, MissingScope):
        return error_reply(403, exc.message), [_www_authenticate(exc)]
    if isinstance(exc, Forbidden):
        return error_reply(403, exc.message), []
    if isinstance(exc, DatabaseUnavailable):
        log.warning("database unavailable", extra={"fields": {
            "request_id": request_id, "path": scope["path"], "error": str(exc)}})
        return (error_reply(503, "The service is temporarily unavailable. Try again shortly."),
                [(b"retry-after", b"1")])
    log.exception("unexpected failure", extra={"fields": {
        "request_id": request_id, "method": scope["method"], "path": scope["path"]}})
    return error_reply(500, "An error has occurred."), []
