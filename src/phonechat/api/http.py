"""The small HTTP toolkit under every route: Request, Reply, the route table.

Why not a framework: measured on this API's detail read, the usual stacks keep 15-52%
of a bare ASGI app's throughput (see bench/RESULTS.md); what this API needs from one
(a case-insensitive exact-path router, a body reader, a response writer) is this file.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

import orjson
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from ..domain.access import Actor, Grant
from ..domain.validation import Elements, _shown, entity_id
from .contracts import ERROR
from .inputs import Field, Input
from .representation import Contract


class HttpError(Exception):
    """An error that is not a domain rule: bad body, wrong media type, too large, ..."""

    def __init__(self, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or []


@dataclass(slots=True)
class Reply:
    contract: Contract
    values: Any
    status: int = 200


@dataclass(slots=True)
class RawReply:
    """A response that is not an API representation (an HTML page, a redirect, the OAuth
    token endpoint's RFC 6749 JSON, Prometheus text): sent exactly as given."""

    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


JSON_TYPES = ("application/json", "text/json")
XML_TYPES = ("application/xml", "text/xml")


class Request:
    """One HTTP request, with what the pipeline learns about it (grant, actor, now)."""

    __slots__ = ("scope", "method", "path", "headers", "body", "now", "grant", "actor",
                 "request_id", "app", "db")

    def __init__(self, scope: dict[str, Any], headers: dict[bytes, bytes], body: bytes,
                 request_id: str, app: Any) -> None:
        self.scope = scope
        self.method: str = scope["method"]
        self.path: str = scope["path"]
        self.headers = headers
        self.body = body
        self.request_id = request_id
        self.app = app
        self.db: Any = app.db  # a read replica for some GETs (api/cluster.py)
        self.now: datetime = app.clock.now()
        self.grant: Grant | None = None
        self.actor: Actor | None = None

    def header(self, name: bytes) -> str | None:
        v = self.headers.get(name)
        return v.decode("latin-1") if v is not None else None

    def query(self) -> dict[str, str]:
        qs = self.scope.get("query_string", b"")
        if not qs:
            return {}
        text = qs.decode("latin-1")
        if "%" in text or "+" in text:
            return dict(parse_qsl(text, keep_blank_values=True))
        # Nothing to unquote (the usual `BookingID=5`): what parse_qsl gives, without it.
        if "&" not in text:
            name, _, value = text.partition("=")
            return {name: value}
        return dict(pair.partition("=")[::2] for pair in text.split("&") if pair)

    def body_fields(self, inp: Input) -> dict[str, Any]:
        """The body as a mapping of field -> value (JSON object or, where the input takes
        XML, the children of its root: `inp.name` or one of `inp.xml_roots`)."""
        body = self.body
        ctype = (self.header(b"content-type") or "").split(";")[0].strip().lower()
        xml = inp.xml and ctype in XML_TYPES
        if not body.strip():
            # No body: no fields (a JSON client's empty POST is a null model, as in ASP.NET).
            # Declared XML must be XML, though: an XML document has a root element.
            if xml:
                raise HttpError(400, "The request body is not well-formed XML: it is empty.")
            if ctype not in XML_TYPES:
                return {}
        elif ctype in JSON_TYPES:
            if body.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark, as some clients send
                body = body[3:]
            try:
                data = orjson.loads(body)
            except orjson.JSONDecodeError as exc:
                raise HttpError(400, f"The request body is not valid JSON: {exc}.") from None
            if not isinstance(data, dict):
                raise HttpError(400, "The request body must be a JSON object.")
            return data
        elif xml:
            return _xml_fields(body, inp.name, inp.xml_roots)
        accepted = ("application/json, text/json, application/xml or text/xml" if inp.xml
                    else "application/json or text/json")
        raise HttpError(
            415, f"The request entity's media type '{_shown(ctype) or '(none)'}' is not supported "
                 f"for this resource. Send {accepted}.")

    def raw_input(self, inp: Input) -> dict[str, Any]:
        return self.query() if self.method in ("GET", "HEAD") else self.body_fields(inp)


def _xml_fields(body: bytes, root: str, other_roots: tuple[str, ...] = ()) -> dict[str, Any]:
    try:
        doc = SafeET.fromstring(body, forbid_dtd=True, forbid_entities=True,
                                forbid_external=True)
    except SafeET.ParseError as exc:
        raise HttpError(400, f"The request body is not well-formed XML: {exc}.") from None
    except LookupError:  # <?xml encoding="EBCDIC"?>: a codec Python does not have
        raise HttpError(400, "The request body is not well-formed XML: its declared encoding "
                             "is not known.") from None
    except DefusedXmlException:  # DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
        raise HttpError(400, "The request body's XML may not contain a DOCTYPE, entity "
                             "declarations or external references.") from None
    if _local(doc.tag).lower() not in {r.lower() for r in (root, *other_roots)}:
        raise HttpError(400, f"The request body's XML root element must be <{root}>.")
    if (doc.text or "").strip():  # `<Root>true</Root>`: a value where fields belong
        raise HttpError(400, f"The request body's <{root}> must hold its fields as child "
                             "elements, not text.")
    return {_local(child.tag): _xml_value(child) for child in doc}


_XML_FIELD_DEPTH = 3  # a field's own children and theirs; deeper ones are not read


def _xml_value(element: Any, depth: int = 1) -> Any:
    """An element's text, or, when it has child elements (a list such as `<Methods>`, an
    object such as `<DirectChat>`), those children as Elements."""
    if not len(element):
        return element.text or ""
    if depth >= _XML_FIELD_DEPTH:
        return Elements([])
    return Elements([(_local(c.tag), _xml_value(c, depth + 1)) for c in element])


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


Handler = Callable[[Request, dict[str, Any]], Awaitable[Reply | RawReply]]

USER_ID = Field("UserID", entity_id)


@dataclass(frozen=True)
class RawDoc:
    """What a RawReply route reads and answers, for the OpenAPI document (api/openapi.py):
    its handler reads the request itself, so it has no Input to describe it."""

    summary: str
    query: tuple[Field, ...] = ()  # read from the query string (schemas: the checks' .schema)
    form: tuple[Field, ...] = ()  # read from an application/x-www-form-urlencoded body
    # status -> (media type, JSON Schema of the body or None for none, description)
    answers: dict[int, tuple[str, dict[str, Any] | None, str]] = field(default_factory=dict)
    headers: dict[int, tuple[str, ...]] = field(default_factory=dict)  # status -> headers sent


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    input: Input | None = None
    auth: bool = True  # needs a valid access token
    scope: str | None = None  # ... carrying this scope
    as_member: bool = False  # the group-manager variant: acts as input UserID
    reply: "Contract | list[Contract] | None" = None  # what it answers; [C]: a list of C
    doc: RawDoc | None = None  # a RawReply route's own description
    app_auth: bool = False  # the handler identifies the application (X-ApiKey, X-ApiSecret)


@dataclass
class Routes:
    """The route table: lowercased path -> method -> Route."""

    table: dict[str, dict[str, Route]] = field(default_factory=dict)

    def add(self, route: Route) -> None:
        self.table.setdefault(route.path.lower(), {})[route.method] = route

    def _register(self, method: str, path: str, *, group: str | None = None,
                  input: Input | None = None, auth: bool = True,
                  scope: str | None = None, reply: Contract | list[Contract] | None = None,
                  doc: RawDoc | None = None, app_auth: bool = False
                  ) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            self.add(Route(method, path, handler, input, auth and not app_auth, scope,
                           reply=reply, doc=doc, app_auth=app_auth))
            if group:
                fields = (input.fields if input else ()) + (USER_ID,)
                group_input = (replace(input, fields=fields) if input
                               else Input(path.rsplit("/", 1)[-1], fields))
                self.add(Route(method, group, handler, group_input, auth, scope,
                               as_member=True, reply=reply))
            return handler
        return decorate

    def get(self, path: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self._register("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Callable[[Handler], Handler]:
        return self._register("POST", path, **kw)

    def merge(self, other: "Routes") -> None:
        for methods in other.table.values():
            for route in methods.values():
                self.add(route)


def error_reply(status: int, message: str) -> Reply:
    return Reply(ERROR, {"Message": message}, status)
