"""HTTP manners around the route table: CORS, HEAD and OPTIONS (docs/wire.md, "HTTP manners").

Everything is computed once, when the App is made: a request with no Origin header pays one
dict lookup; HEAD and OPTIONS are found only where the route table has no such method.
- HEAD runs the path's GET route and sends its status and headers without the body.
- OPTIONS answers 200 (empty) with `Allow` (every path), and the CORS preflight headers.
- Every answer to an allowed Origin carries Access-Control-Allow-Origin and the exposed headers.
"""

from __future__ import annotations

from typing import Any

from .http import RawReply, Request, Route, Routes

# What a browser app may send beyond the CORS-safelisted headers, and may read of an answer.
ALLOWED_HEADERS = ("Authorization", "Content-Type", "Accept", "Idempotency-Key", "X-CaseType",
                   "X-Request-ID")
EXPOSED_HEADERS = ("X-Request-ID", "X-RateLimit-Limit", "X-RateLimit-Remaining",
                   "X-RateLimit-Reset", "Retry-After", "WWW-Authenticate", "Idempotent-Replayed",
                   "Location", "Allow")
PREFLIGHT_MAX_AGE = 600  # seconds a browser may keep a preflight's answer
NONE: tuple[tuple[bytes, bytes], ...] = ()


def allow(methods: dict[str, Route]) -> str:
    """The Allow header of a path: its methods, HEAD where it has GET, and OPTIONS."""
    found = set(methods) | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())
    return ", ".join(sorted(found))


def origins(raw: str) -> tuple[str, ...]:
    """PHONECHAT_CORS_ORIGINS: origins separated by commas or spaces, or `*`."""
    return tuple(o.rstrip("/") for o in raw.replace(",", " ").split())


class Manners:
    def __init__(self, cors_origins: tuple[str, ...], routes: Routes) -> None:
        exposed = (b"access-control-expose-headers", ", ".join(EXPOSED_HEADERS).encode())
        self._any = ((b"access-control-allow-origin", b"*"), exposed) if "*" in cors_origins else None
        self._each = {o.lower().encode(): ((b"access-control-allow-origin", o.encode()),
                                           (b"vary", b"Origin"), exposed)
                      for o in cors_origins if o != "*"}
        self._options = {path: self._options_route(path, methods)
                         for path, methods in routes.table.items()}

    def cors(self, origin: bytes | None) -> tuple[tuple[bytes, bytes], ...]:
        """The CORS headers of an answer to a request from this Origin (none if not allowed)."""
        if origin is None:
            return NONE
        if self._any is not None:
            return self._any
        return self._each.get(origin.lower(), NONE)

    def stand_in(self, method: str, path: str, methods: dict[str, Route]) -> Route | None:
        """The route answering a method the table does not list for the path: HEAD (its GET
        route) or OPTIONS; None (405) for any other."""
        if method == "HEAD":
            return methods.get("GET")
        if method == "OPTIONS":
            return self._options.get(path) or self._options_route(path, methods)
        return None

    @staticmethod
    def _options_route(path: str, methods: dict[str, Route]) -> Route:
        allowed = allow(methods).encode()
        headers = [(b"allow", allowed), (b"access-control-allow-methods", allowed),
                   (b"access-control-allow-headers", ", ".join(ALLOWED_HEADERS).encode()),
                   (b"access-control-max-age", str(PREFLIGHT_MAX_AGE).encode())]

        async def options(req: Request, args: dict[str, Any]) -> RawReply:
            return RawReply(200, b"", "text/plain; charset=utf-8", headers)

        return Route("OPTIONS", path, options, auth=False)
