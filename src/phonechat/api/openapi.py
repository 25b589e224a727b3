"""The OpenAPI 3.1 document, generated from the declarations the service runs on.

Nothing here describes an endpoint by hand: the operations are the route table (path,
verb, scope, group variant, Input, reply Contract, or a RawDoc for the routes that read
the request themselves), the parameters and bodies are the Inputs' fields with their
validators' `.schema`, the responses are the Contracts (JSON and, through the `xml`
object, DataContract XML), and the error answers are the pipeline's (api/app.py).
A route or contract added anywhere appears here as it is. See docs/openapi.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from .. import __version__
from ..domain.access import SCOPES
from .contracts import ERROR, INVALID
from .http import JSON_TYPES, XML_TYPES, RawDoc, RawReply, Request, Route, Routes
from .idempotency import MAX_KEY
from .inputs import Field, Input
from .representation import (
    BARE_CREDITS, BOOL, CREDITS, DATE, INT, INTS, LIST, MAP, NS_ARRAYS, OBJECT, STR, STRS,
    Contract,
    Member,
)

API_TYPES = JSON_TYPES + XML_TYPES  # what every API body and answer may be
SECURITY = "oauth2"
_PAGE_JSON = "application/json"
# The published samples, exactly as the reference pages print them (typos included), are
# the examples of the operation they show: made-booking-details.json -> MadeBookingDetails.
# They are the tests' fixtures, so they are there when the service runs from a checkout.
SAMPLES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "samples"


def load_samples(directory: Path = SAMPLES) -> dict[str, dict[str, str]]:
    """operation (Input) name -> {"json"|"xml": the sample's text}."""
    found: dict[str, dict[str, str]] = {}
    if directory.is_dir():
        for path in sorted(directory.iterdir()):
            if path.suffix in (".json", ".xml"):
                name = "".join(w.title() for w in path.stem.split("-"))
                found.setdefault(name, {})[path.suffix[1:]] = path.read_text(encoding="utf-8")
    return found


def _examples(texts: dict[str, str] | None, media: str) -> dict[str, Any]:
    if not texts:
        return {}
    if media in XML_TYPES and "xml" in texts:
        return {"examples": {"published": {"summary": "The reference page's sample, as "
                                                      "published", "value": texts["xml"]}}}
    if media in JSON_TYPES and "json" in texts:
        try:
            return {"examples": {"published": {"summary": "The reference page's sample",
                                               "value": orjson.loads(texts["json"])}}}
        except orjson.JSONDecodeError:
            return {"examples": {"published": {
                "summary": "The reference page's sample, as published (its typos make it "
                           "invalid JSON: docs/wire.md)", "value": texts["json"]}}}
    return {}


class _Schemas:
    """components/schemas: one entry per Contract (and its camelCase twin, X-CaseType)."""

    def __init__(self) -> None:
        self.components: dict[str, Any] = {}
        self._names: dict[int, str] = {}

    def name(self, c: Contract) -> str:
        known = self._names.get(id(c))
        if known is not None:
            return known
        name = c.name
        taken = {n for n in self._names.values()}
        if name in taken:  # another contract of that XML name (the error bodies): say how
            name += "With" + "".join(m.name for m in c.members
                                     if all(m.name != o.name for o in ERROR.members))
        self._names[id(c)] = name
        self.components[name] = self._object(c, camel=False)
        self.components[name + ".camelCase"] = self._object(c, camel=True)
        return name

    def ref(self, c: Contract, camel: bool = False) -> dict[str, Any]:
        name = self.name(c)
        return {"$ref": f"#/components/schemas/{name}{'.camelCase' if camel else ''}"}

    def json(self, c: Contract, many: bool) -> dict[str, Any]:
        """The JSON answer: the contract's members as named, or in camelCase (X-CaseType)."""
        one = {"anyOf": [self.ref(c), self.ref(c, camel=True)]}
        return {"type": "array", "items": one} if many else one

    def xml(self, c: Contract, many: bool) -> dict[str, Any]:
        if not many:
            return self.ref(c)
        return {"type": "array", "items": self.ref(c),
                "xml": {"name": f"ArrayOf{c.name}", "namespace": c.namespace, "wrapped": True}}

    def _object(self, c: Contract, camel: bool) -> dict[str, Any]:
        if c is BARE_CREDITS:  # a bare number, not an object (GetCurrentCreditBalance)
            return {"type": "number", "description": (
                        "A bare decimal. XML: `<int>` in the Serialization namespace for a "
                        "whole number (as published), `<decimal>` with four places otherwise."),
                    "xml": {"name": "int", "namespace": c.namespace}}
        keys = c.camel_names if camel else [m.name for m in c.members]
        props = {key: self._member(c, m, camel) for key, m in zip(keys, c.members)}
        schema: dict[str, Any] = {
            "type": "object", "properties": props, "required": keys,
            "additionalProperties": False, "xml": {"name": c.name},
        }
        if c.namespace:
            schema["xml"]["namespace"] = c.namespace
        if not camel:
            schema["description"] = (
                f"DataContract `{c.name}`" + (f" in `{c.namespace}`" if c.namespace else "")
                + ". XML elements come in DataContract order: "
                + ", ".join(m.name for m in c.xml_members) + ".")
        return schema

    def _member(self, c: Contract, m: Member, camel: bool) -> dict[str, Any]:
        xml: dict[str, Any] = {"name": m.name}
        ns = c.ns_of(m)
        if ns:
            xml["namespace"] = ns
        k = m.kind
        if k in (OBJECT, LIST):
            assert m.of is not None
            inner = self.ref(m.of, camel)
            if k == LIST:
                return {"type": "array", "items": inner, "xml": {**xml, "wrapped": True}}
            return {"anyOf": [inner, {"type": "null"}], "xml": xml}
        schema = dict(_SCALARS[k])
        if k in (INTS, STRS):
            item = "int" if k == INTS else "string"
            schema["items"] = {**schema["items"], "xml": {"name": item, "namespace": NS_ARRAYS}}
            xml["wrapped"] = True
        if c is not ERROR and c is not INVALID:  # every API member may be nil (i:nil)
            schema["type"] = [schema["type"], "null"]
        schema["xml"] = xml
        return schema


_SCALARS: dict[str, dict[str, Any]] = {
    INT: {"type": "integer"},
    STR: {"type": "string"},
    BOOL: {"type": "boolean"},
    DATE: {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?$",
           "description": "Wall-clock time in the service's zone, e.g. 2018-01-21T12:48:13.412"},
    CREDITS: {"type": "number", "description": "Credits (XML: four decimal places, 8.0000)"},
    INTS: {"type": "array", "items": {"type": "integer"}},
    STRS: {"type": "array", "items": {"type": "string"}},
    MAP: {"type": "object", "additionalProperties": {"type": "array",
                                                      "items": {"type": "string"}},
          "description": "Field name -> its messages (XML: one element per field)."},
}


# --- the pieces every operation shares ------------------------------------------------

_HEADERS: dict[str, Any] = {
    "X-Request-ID": {"description": "This request's ID (the caller's own when sane); it "
                                    "is in the service's logs.",
                     "required": True, "schema": {"type": "string"}},
    "X-RateLimit-Limit": {"description": "Requests allowed in the window (when limits are "
                                         "set).", "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "Requests left in the window.",
                              "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"description": "Seconds until the window starts anew.",
                          "schema": {"type": "integer"}},
    "Retry-After": {"description": "Seconds to wait before trying again.", "required": True,
                    "schema": {"type": "integer"}},
    "WWW-Authenticate": {"description": "`Bearer`.", "required": True,
                         "schema": {"type": "string"}},
    "Idempotent-Replayed": {"description": "`true` when this is the stored answer of an "
                                           "earlier request with the same Idempotency-Key.",
                            "schema": {"const": "true"}},
    "Location": {"description": "Where to go next.", "required": True,
                 "schema": {"type": "string"}},
}

_PARAMETERS: dict[str, Any] = {
    "X-CaseType": {
        "name": "X-CaseType", "in": "header", "required": False,
        "description": "`camelCase` (any letter case) answers JSON with camelCase member "
                       "names; any other value, or none, answers them as published.",
        "schema": {"type": "string"}, "examples": {"camel": {"value": "camelCase"}}},
    "Idempotency-Key": {
        "name": "Idempotency-Key", "in": "header", "required": False,
        "description": "Makes a POST safe to retry: the first answer is stored for the key "
                       "and replayed (Idempotent-Replayed: true); the same key with another "
                       "request answers 422, while the first is still running 409.",
        "schema": {"type": "string", "pattern": f"^[\\x21-\\x7E]{{1,{MAX_KEY}}}$"}},
}

# status -> (description, which error body, headers sent)
_ERRORS: dict[int, tuple[str, Contract | None, tuple[str, ...]]] = {
    400: ("The input is invalid (ModelState names each field), the body cannot be read, or "
          "a booking rule refuses the action (Message says which).", INVALID, ()),
    401: ("No usable access token (missing, unknown, expired or revoked).", ERROR,
          ("WWW-Authenticate",)),
    403: ("The token lacks the scope, or the caller does not manage that member.", ERROR, ()),
    404: ("No such booking or user, or not the caller's: the same answer for both.", ERROR, ()),
    409: ("A request with this Idempotency-Key is still running.", ERROR, ("Retry-After",)),
    413: ("The body is larger than PHONECHAT_MAX_BODY_BYTES.", ERROR, ()),
    415: ("The body's media type is not JSON or XML.", ERROR, ()),
    422: ("This Idempotency-Key was used with another request.", ERROR, ()),
    429: ("Over the rate limit.", ERROR, ("Retry-After",)),
    500: ("An unexpected failure (logged with the request ID).", ERROR, ()),
    503: ("The database is unavailable; try again shortly.", ERROR, ("Retry-After",)),
}


def _error_statuses(route: Route) -> list[int]:
    """Every error status the pipeline (api/app.py) can answer for this route."""
    statuses = {413, 500, 503}
    post = route.method == "POST"
    if route.input is not None:
        statuses.add(400)
        if post:
            statuses.add(415)
    if route.app_auth:
        statuses |= {401, 404}
    if route.auth:
        statuses |= {401, 404, 429}
        if route.scope is not None or route.as_member:
            statuses.add(403)
        if post:
            statuses |= {400, 409, 422}
    return sorted(statuses)


# --- operations -----------------------------------------------------------------------


def _operation_id(route: Route, routes: Routes) -> str:
    name = route.path.rstrip("/").rsplit("/", 1)[-1].replace(".", "_") or "root"
    if route.as_member:
        name = "Group" + name
    if len(routes.table[route.path.lower()]) > 1:
        name = route.method.lower() + name
    return name


def _tag(route: Route) -> str:
    parts = [p for p in route.path.split("/") if p]
    if parts[0].lower() == "v1" and len(parts) > 2:
        return "Groups" if parts[1] == "Groups" else parts[1]
    return "OAuth" if parts[0] == "OAuth" else "Operations"


def _field_schema(f: Field, in_json: bool) -> dict[str, Any]:
    schema = getattr(f.check, "schema", None)
    if schema is None:
        raise TypeError(f"the validator of {f.name} has no .schema (domain/validation.py)")
    if f.required:
        return schema
    # An optional field sent empty (or JSON null) is as if not sent.
    empty: list[dict[str, Any]] = [{"const": ""}] + ([{"type": "null"}] if in_json else [])
    return {"anyOf": [schema, *empty]}


def _query(fields: tuple[Field, ...]) -> list[dict[str, Any]]:
    return [{"name": f.name, "in": "query", "required": f.required,
             "schema": _field_schema(f, in_json=False)} for f in fields]


def _body_schema(fields: tuple[Field, ...], in_json: bool) -> dict[str, Any]:
    return {"type": "object",
            "properties": {f.name: _field_schema(f, in_json) for f in fields},
            "required": [f.name for f in fields if f.required]}


def _request_body(inp: Input) -> dict[str, Any]:
    as_json = _body_schema(inp.fields, in_json=True)
    as_xml = {**_body_schema(inp.fields, in_json=False), "xml": {"name": inp.name}}
    return {
        "required": any(f.required for f in inp.fields),
        "description": (f"JSON object, or XML with the root element <{inp.name}> (element "
                        "names as the fields)" if inp.xml else "JSON object")
                       + "; names match in any letter case.",
        "content": {**{t: {"schema": as_json} for t in JSON_TYPES},
                    **({t: {"schema": as_xml} for t in XML_TYPES} if inp.xml else {})},
    }


def _error_response(status: int, schemas: _Schemas) -> dict[str, Any]:
    description, body, headers = _ERRORS[status]
    assert body is not None
    schema = ({"anyOf": [schemas.json(INVALID, False), schemas.json(ERROR, False)]}
              if body is INVALID else schemas.json(ERROR, False))
    return {
        "description": description,
        "headers": _header_refs(headers),
        "content": {**{t: {"schema": schema} for t in JSON_TYPES},
                    **{t: {"schema": schemas.xml(body, False)} for t in XML_TYPES}},
    }


def _header_refs(names: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {n: {"$ref": f"#/components/headers/{n}"} for n in ("X-Request-ID", *names)}


def reply_of(route: Route) -> Contract | list[Contract]:
    """The route's declared reply=, else the one Contract its handler names (a route added
    without reply= is still described; one answering a list must say reply=[C])."""
    if route.reply is not None:
        return route.reply
    handler = route.handler
    named = {id(c): c for n in handler.__code__.co_names
             if isinstance(c := handler.__globals__.get(n), Contract)}
    if len(named) != 1:
        raise TypeError(f"{route.method} {route.path}: say what it answers with reply=")
    return next(iter(named.values()))


def _api_answer(route: Route, schemas: _Schemas,
                samples: dict[str, dict[str, str]]) -> dict[str, Any]:
    reply = reply_of(route)
    many = isinstance(reply, list)
    contract = reply[0] if isinstance(reply, list) else reply
    headers = ["Idempotent-Replayed"] if route.auth and route.method == "POST" else []
    if route.auth:
        headers += ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]
    texts = samples.get(route.input.name) if route.input and not route.as_member else None
    return {
        "description": f"{'A list of ' if many else ''}{contract.name}.",
        "headers": _header_refs(headers),
        "content": {**{t: {"schema": schemas.json(contract, many), **_examples(texts, t)}
                       for t in JSON_TYPES},
                    **{t: {"schema": schemas.xml(contract, many), **_examples(texts, t)}
                       for t in XML_TYPES}},
    }


def _raw_answers(doc: RawDoc) -> dict[str, Any]:
    out = {}
    for status, (media, schema, description) in sorted(doc.answers.items()):
        out[str(status)] = {
            "description": description,
            "headers": _header_refs(doc.headers.get(status, ())),
            "content": {media: {"schema": schema or {"type": "string"}}},
        }
    return out


def _operation(route: Route, routes: Routes, schemas: _Schemas,
               samples: dict[str, dict[str, str]]) -> dict[str, Any]:
    doc = route.doc
    handler_doc = (route.handler.__doc__ or "").strip().split("\n")[0]
    op: dict[str, Any] = {
        "operationId": _operation_id(route, routes),
        "tags": [_tag(route)],
        "summary": doc.summary if doc else handler_doc or (route.input.name if route.input
                                                           else _operation_id(route, routes)),
    }
    if route.as_member:
        op["description"] = ("The group manager's variant: acts for the member UserID of "
                             "the manager's group (403 for anyone else).")
    params: list[dict[str, Any]] = []
    if doc is not None:
        params += _query(doc.query)
        if doc.form:
            op["requestBody"] = {"required": any(f.required for f in doc.form), "content": {
                "application/x-www-form-urlencoded": {"schema": _body_schema(doc.form,
                                                                             in_json=False)}}}
        answers = _raw_answers(doc)
    else:
        if route.input is not None:
            if route.method == "GET":
                params += _query(route.input.fields)
            else:
                op["requestBody"] = _request_body(route.input)
        params.append({"$ref": "#/components/parameters/X-CaseType"})
        answers = {"200": _api_answer(route, schemas, samples)}
    if route.auth and route.method == "POST":
        params.append({"$ref": "#/components/parameters/Idempotency-Key"})
    if params:
        op["parameters"] = params
    for status in _error_statuses(route):
        answers.setdefault(str(status), {"$ref": f"#/components/responses/{status}"})
    op["responses"] = answers
    op["security"] = ([{SECURITY: [route.scope] if route.scope else []}] if route.auth
                      else [{"ApiKey": [], "ApiSecret": []}] if route.app_auth else [])
    return op


def _links(routes: list[Route], ops: dict[int, dict[str, Any]]) -> None:
    """Stateful chains (create -> details -> cancel ...): an answer links to every
    operation answering the same contract whose required ID fields it carries."""
    for source in routes:
        reply = reply_of(source) if source.doc is None else None
        if not isinstance(reply, Contract):
            continue
        ids = {m.name for m in reply.members if m.kind == INT and m.name.endswith("ID")}
        links: dict[str, Any] = {}
        for target in routes:
            if (target is source or target.as_member or target.input is None
                    or target.doc is not None or reply_of(target) is not reply):
                continue
            given = [f.name for f in target.input.fields if f.required and f.name in ids]
            if not given:
                continue
            values = {n: f"$response.body#/{n}" for n in given}
            link: dict[str, Any] = {"operationId": ops[id(target)]["operationId"]}
            if target.method == "GET":
                link["parameters"] = {f"query.{n}": v for n, v in values.items()}
            else:
                link["requestBody"] = values
            links[ops[id(target)]["operationId"]] = link
        if links:
            ops[id(source)]["responses"]["200"]["links"] = links


def _routes_in_order(routes: Routes) -> Iterator[Route]:
    for methods in routes.table.values():
        for method in sorted(methods):
            yield methods[method]


def document(routes: Routes, samples: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of exactly these routes."""
    schemas = _Schemas()
    samples = load_samples() if samples is None else samples
    ordered = list(_routes_in_order(routes))
    ops = {id(r): _operation(r, routes, schemas, samples) for r in ordered}
    _links(ordered, ops)
    paths: dict[str, Any] = {}
    for r in ordered:
        paths.setdefault(r.path, {})[r.method.lower()] = ops[id(r)]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "PhoneChat bookings API",
            "version": f"v1 ({__version__})",
            "description": (
                "Generated from the service's own declarations (docs/openapi.md). Paths "
                "match in any letter case, with or without a trailing slash; a path "
                "served with another method answers 405 with an Allow header, and an "
                "unknown path 404, both with the Error body. Every path also answers HEAD "
                "where it answers GET (the GET's status and headers, no body) and OPTIONS "
                "(200, empty, with Allow and the CORS preflight headers); these are not "
                "listed as operations (docs/wire.md, HTTP manners)."),
        },
        "paths": paths,
        "components": {
            "schemas": schemas.components,
            "responses": {str(s): _error_response(s, schemas) for s in _ERRORS},
            "parameters": _PARAMETERS,
            "headers": _HEADERS,
            "securitySchemes": {SECURITY: {
                "type": "oauth2",
                "description": "An access token as `Authorization: Bearer <token>`.",
                "flows": {"authorizationCode": {
                    "authorizationUrl": "/OAuth/Authorize", "tokenUrl": "/OAuth/token",
                    "refreshUrl": "/OAuth/token", "scopes": dict(SCOPES)}},
            },
                # The application itself (the webhook routes), as the original identifies apps.
                "ApiKey": {"type": "apiKey", "in": "header", "name": "X-ApiKey"},
                "ApiSecret": {"type": "apiKey", "in": "header", "name": "X-ApiSecret"}},
        },
    }


def rendered(routes: Routes) -> bytes:
    return orjson.dumps(document(routes), option=orjson.OPT_INDENT_2)


# --- GET /openapi.json ----------------------------------------------------------------

_cache: dict[int, tuple[Routes, bytes]] = {}

routes = Routes()


@routes.get("/openapi.json", auth=False, doc=RawDoc(
    "This document (the served routes: the sandbox's includes its own).",
    answers={200: (_PAGE_JSON, {"type": "object"}, "The OpenAPI 3.1 document.")}))
async def openapi_json(req: Request, args: dict[str, Any]) -> RawReply:
    table = req.app.routes
    cached = _cache.get(id(table))
    if cached is None or cached[0] is not table:
        cached = _cache[id(table)] = (table, rendered(table))
    return RawReply(200, cached[1], "application/json; charset=utf-8")
