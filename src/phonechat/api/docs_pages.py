"""The reference pages at GET /docs: made from the OpenAPI document of the served routes.

An index grouped as the original's "API Methods" menu (PhoneChat, Groups, Account,
CreditHistory, OAuth, then this service's extensions), and a page per operation in the shape
of the original's pages: URL and verb, the request properties with their types and rules,
the group-manager variant, the scope, samples (real answers of the seed, api/samples.py,
in JSON and XML), the response properties and the errors. In the sandbox each page has a
"try it" form prefilled with the manifest's tokens and bookings.

Built once per process, on the first request to /docs (the samples take a throwaway
sandbox, under a second); PHONECHAT_DOCS=0 leaves the route out. Every asset is in
docs_assets/ and inlined: the pages load nothing from anywhere (their CSP says so).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import weakref
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson

from ..domain.access import SCOPES
from . import openapi, samples
from .examples import EXAMPLES, Example, app_headers, token
from .http import RawDoc, RawReply, Request, Routes
from .inputs import Field, read_by_handler

ASSETS = Path(__file__).parent / "docs_assets"
HTML = "text/html; charset=utf-8"
# The original's menu, in its order; the other tags are this service's extensions.
MENU = ("PhoneChat", "Groups", "Account", "CreditHistory", "OAuth")
EXTENSIONS = ("Sandbox", "Operations")
TRY_ROLES = ("client", "candidate", "manager", "member", "outsider")


def _css() -> str:
    return (ASSETS / "reference.css").read_text(encoding="utf-8")


def _js() -> str:
    return (ASSETS / "reference.js").read_text(encoding="utf-8")


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    id: str
    tag: str
    op: dict[str, Any]


class Site:
    """Every page, rendered once: page name -> HTML bytes ("" is the index)."""

    def __init__(self, doc: dict[str, Any], answers: dict[str, dict[str, samples.Answer]],
                 sandbox: bool) -> None:
        self.doc = doc
        self.answers = answers
        self.sandbox = sandbox
        self.ops = [Operation(m.upper(), p, op["operationId"], op["tags"][0], op)
                    for p, item in doc["paths"].items() for m, op in item.items()]
        self.by_id = {o.id: o for o in self.ops}
        css, js = _css(), _js()
        self._head = (f"<meta charset=utf-8><meta name=viewport content='width=device-width, "
                      f"initial-scale=1'><link rel=icon href='data:,'><style>{css}</style>"
                      f"<script>{js}</script>")
        self.headers = [(b"content-security-policy", (
            f"default-src 'none'; style-src {_hash(css)}; script-src {_hash(js)}; "
            "connect-src 'self'; img-src data:; form-action 'none'; base-uri 'none'; "
            "frame-ancestors 'none'").encode()), (b"x-content-type-options", b"nosniff")]
        self.pages = {"": self._index().encode()}
        for o in self.ops:
            self.pages[o.id] = self._page(o).encode()

    # --- shared pieces --------------------------------------------------------------

    def groups(self) -> list[tuple[str, list[Operation]]]:
        tags = [*MENU, *sorted({o.tag for o in self.ops} - set(MENU))]
        return [(t, [o for o in self.ops if o.tag == t]) for t in tags
                if any(o.tag == t for o in self.ops)]

    def _frame(self, title: str, body: str, here: str = "") -> str:
        menu = []
        for tag, ops in self.groups():
            items = "".join(
                f"<li><a href='{_href(o.id)}'{' class=here' if o.id == here else ''}>"
                f"{escape(_name(o))}</a></li>" for o in ops)
            ext = "" if tag in MENU else " <span class=ext>extension</span>"
            menu.append(f"<h3>{escape(tag)}{ext}</h3><ul>{items}</ul>")
        return (f"<!doctype html><html lang=en><head><title>{escape(title)} · PhoneChat API"
                f"</title>{self._head}</head><body><header><a href='/docs'>PhoneChat bookings "
                f"API v1 · reference</a></header><div class=layout><nav class=menu>"
                f"<h3>API Methods</h3>{''.join(menu)}</nav><main>{body}</main></div>"
                "</body></html>")

    # --- the index --------------------------------------------------------------------

    def _index(self) -> str:
        parts = [
            "<h1>PhoneChat bookings API v1</h1>",
            "<p>Every endpoint this service answers, from its own <a href='/openapi.json'>"
            "OpenAPI document</a>. Calls take an access token as <code>Authorization: "
            "bearer {your-access-token}</code>; GET reads the query string, POST a JSON or "
            "XML body; <code>Accept: application/xml</code> answers DataContract XML.</p>",
        ]
        if self.sandbox:
            parts.append("<p>This is the sandbox: each page's <b>Try it</b> form sends a "
                         "real request, prefilled with the sandbox's tokens and bookings.</p>")
        for tag, ops in self.groups():
            ext = "" if tag in MENU else " <span class=ext>extension</span>"
            rows = "".join(
                f"<tr><td><span class=verb>{o.method}</span> <a href='{_href(o.id)}'>"
                f"{escape(o.path)}</a></td><td>{escape(_name(o))}</td>"
                f"<td>{_text(_about(o))}</td></tr>" for o in ops)
            parts.append(f"<h2 id='{escape(tag)}'>{escape(tag)}{ext}</h2><table><tr><th>"
                         f"Endpoint</th><th>Name</th><th>About</th></tr>{rows}</table>")
        return self._frame("Reference", "".join(parts))

    # --- a page -------------------------------------------------------------------

    def _page(self, o: Operation) -> str:
        op = o.op
        group = self.by_id.get("Group" + o.id)
        base = self.by_id.get(o.id[5:]) if o.id.startswith("Group") else None
        parts = [f"<h1>{escape(_name(o))}</h1>"]
        summary = op.get("summary", "")
        if summary and summary != _name(o):
            parts.append(f"<p>{_text(summary)}</p>")
        if op.get("description"):
            parts.append(f"<p>{_text(op['description'])}</p>")
        parts.append("<h2>URL / Endpoint</h2>")
        parts.append(f"<p><span class=verb>{o.method}</span> <code id=endpoint>"
                     f"{escape(o.path)}</code></p>")
        if group is not None:
            parts.append(f"<p><span class=verb>{group.method}</span> <code>"
                         f"{escape(group.path)}</code> (See <a href='#group-manager'>Group "
                         f"manager</a>, <a href='{_href(group.id)}'>its page</a>)</p>")
        if base is not None:
            parts.append(f"<p>The group manager's variant of <a href='{_href(base.id)}'>"
                         f"{escape(_name(base))}</a>.</p>")
        parts.append("<h2>Request</h2>" + self._request_table(o))
        if group is not None:
            parts.append(
                "<h2 id=group-manager>Group manager</h2><p>If the authenticated user is the "
                "manager of a group, the user can act for another member of the group: the "
                "same request, sent to the group manager endpoint, with this extra "
                "property:</p>" + _table(["Property", "Type", "Description"], [[
                    "<code>UserID</code>", "integer",
                    "Required. The ID of a member in the group that will be impersonated "
                    "for this request."]]))
        parts.append(self._request_information(o))
        parts.append(self._scopes(o))
        parts.append(self._samples(o))
        parts.append(self._response(o))
        parts.append(self._errors(o))
        if self.sandbox:
            parts.append(self._try_it(o))
        return self._frame(_name(o), "".join(parts), here=o.id)

    def _request_table(self, o: Operation) -> str:
        rows = []
        for name, schema, required, where in self._fields(o):
            kind, rules = describe(self._resolve(schema))
            text = ("Required. " if required else "Optional. ") + rules
            rows.append([f"<code>{escape(name)}</code>", escape(kind),
                         _text(text.strip()) + (f" <span class=note>({where})</span>"
                                                 if where else "")])
        if not rows:
            return "<p>No properties.</p>"
        return _table(["Property", "Type", "Description"], rows)

    def _fields(self, o: Operation) -> list[tuple[str, dict[str, Any], bool, str]]:
        out = []
        for p in o.op.get("parameters", []):
            if "$ref" in p:
                continue
            out.append((p["name"], p["schema"], p.get("required", False), ""))
        body = o.op.get("requestBody")
        if body:
            media, content = next(iter(body["content"].items()))
            schema = content["schema"]
            for name, s in schema.get("properties", {}).items():
                out.append((name, s, name in schema.get("required", []),
                            "form field" if "form" in media else ""))
        return out

    def _request_information(self, o: Operation) -> str:
        op = o.op
        if o.method == "GET":
            verb = ("Parameters are passed with the HTTP GET method, over the query string "
                    "of the URI.")
        else:
            media = list(op.get("requestBody", {}).get("content", {})) or ["(no body)"]
            verb = ("Parameters are passed with the HTTP POST method, in the body: "
                    + ", ".join(f"<code>{escape(m)}</code>" for m in media) + ".")
            if "application/xml" in media:
                verb += (f" An XML body's root element is <code>&lt;"
                         f"{escape(self._input_name(o))}&gt;</code>.")
        headers = ["<code>Accept</code>: <code>application/json</code> (the default) or "
                   "<code>application/xml</code> (DataContract XML)."]
        names = {p.get("$ref", "").rsplit("/", 1)[-1] for p in op.get("parameters", [])}
        for name in ("X-CaseType", "Idempotency-Key"):
            if name in names:
                headers.append(f"<code>{name}</code>: "
                               + _text(self.doc["components"]["parameters"][name]
                                       ["description"]))
        auth = ("An <code>Authorization: bearer {your-access-token}</code> header is required "
                "with every request: the user's access token (see <a href='"
                f"{_href('getAuthorize')}'>OAuth</a>)." if op.get("security") else
                "No access token is needed.")
        return ("<h2>Request information</h2><h3>HTTP Method / Verb</h3>"
                f"<p>{verb}</p><h3>Headers</h3><ul>"
                + "".join(f"<li>{h}</li>" for h in headers)
                + f"</ul><h3>Authentication</h3><p>{auth}</p>")

    def _input_name(self, o: Operation) -> str:
        body = o.op.get("requestBody", {}).get("content", {}).get("application/xml", {})
        return body.get("schema", {}).get("xml", {}).get("name", o.id)

    def _scopes(self, o: Operation) -> str:
        scopes = [s for req in o.op.get("security", []) for s in req.get("oauth2", [])]
        if not o.op.get("security"):
            return ""
        if not scopes:
            return "<h2>Scopes</h2><p>Any valid access token; no scope is needed.</p>"
        return ("<h2>Scopes</h2><p>This endpoint requires the following scope:</p>"
                + _table(["Scope", "Grants"], [[f"<code>{escape(s)}</code>",
                                                escape(SCOPES.get(s, ""))] for s in scopes]))

    def _samples(self, o: Operation) -> str:
        ex = EXAMPLES.get(o.id)
        if ex is None:
            return ""
        target, headers, body = samples.request_of(o.method, o.path, ex, samples.JSON_ACCEPT)
        shown = [f"{o.method} {target}"] + [f"{k}: {v}" for k, v in headers.items()
                                             if k != "Accept"]
        request = "\n".join(shown) + ("\n\n" + _pretty_body(body, ex) if body else "")
        parts = ["<h2>Samples</h2><p class=note>Real answers of the sandbox's seed with its "
                 "clock at 2018-01-21T14:00:00 (<code>./dev sandbox --clock "
                 "2018-01-21T14:00:00</code>; for a POST, as after <code>POST "
                 "/v1/Sandbox/Reset</code>).</p>",
                 f"<h3>{o.method} request</h3><pre id=sample-request>{escape(request)}</pre>"]
        for kind, label in (("json", "JSON"), ("xml", "XML")):
            answer = self.answers.get(o.id, {}).get(kind)
            if answer is None or not _showable(answer):
                continue
            text = _pretty_json(answer.body) if kind == "json" else answer.body
            parts.append(f"<h3>{label} response <span class=note>(HTTP {answer.status}, "
                         f"{escape(answer.content_type)})</span></h3><pre id=sample-{kind} "
                         f"data-status={answer.status}>{escape(text)}</pre>")
        return "".join(parts)

    def _response(self, o: Operation) -> str:
        ok = o.op["responses"].get("200") or o.op["responses"].get("302")
        if ok is None:
            return ""
        ok = self._resolve(ok)
        content = ok.get("content", {})
        schema = (content.get("application/json") or next(iter(content.values()), {})).get(
            "schema", {})
        refs = _refs(schema)
        parts = [f"<h2>Response</h2><p>{escape(ok.get('description', ''))}</p>"]
        if not refs:
            kind, rules = describe(schema) if schema else ("", "")
            if kind:
                parts.append(f"<p>A <code>{escape(kind)}</code>. {escape(rules)}</p>")
            return "".join(parts)
        if schema.get("type") == "array":
            parts.append(f"<p>A list (XML: <code>ArrayOf{escape(refs[0])}</code>) of:</p>")
        seen: list[str] = []
        todo = [refs[0]]
        while todo:
            name = todo.pop(0)
            if name in seen:
                continue
            seen.append(name)
            s = self.doc["components"]["schemas"][name]
            if s.get("type") != "object":
                parts.append(f"<h3 id='type-{escape(name)}'>{escape(name)}</h3><p>"
                             f"{_text(s.get('description', ''))}</p>")
                continue
            rows = []
            for prop, ps in s["properties"].items():
                inner = _refs(ps)
                todo += [r for r in inner if r not in seen]
                rows.append([f"<code>{escape(prop)}</code>", self._type_cell(ps),
                             _text(ps.get("description", ""))])
            parts.append(f"<h3 id='type-{escape(name)}'>{escape(name)}</h3><p class=note>"
                         f"{_text(s.get('description', ''))}</p>"
                         + _table(["Property", "Type", "Description"], rows))
        return "".join(parts)

    def _type_cell(self, s: dict[str, Any]) -> str:
        refs = _refs(s)
        if refs:
            link = f"<a href='#type-{escape(refs[0])}'>{escape(refs[0])}</a>"
            if s.get("type") == "array":
                return f"array of {link}"
            return link + (", nullable" if _nullable(s) else "")
        kind, _ = describe(s)
        return escape(kind)

    def _errors(self, o: Operation) -> str:
        rows = []
        for status, answer in sorted(o.op["responses"].items()):
            if status.startswith("2") or status.startswith("3"):
                continue
            answer = self._resolve(answer)
            rows.append([f"<code>{status}</code>", _text(answer.get("description", ""))])
        if not rows:
            return ""
        return ("<h2>Errors</h2><p>Error answers carry <code>{\"Message\": ...}</code> (and "
                "<code>ModelState</code>, naming each field, for invalid input), in JSON or "
                "XML like the answers.</p>" + _table(["Status", "When"], rows))

    def _try_it(self, o: Operation) -> str:
        ex = EXAMPLES.get(o.id) or Example(None)
        body_type = next(iter(o.op.get("requestBody", {}).get("content", {})),
                         "application/json")
        options = "".join(f"<option value='{escape(token(r) or '')}'>{r}</option>"
                          for r in TRY_ROLES)
        tok = escape(token(ex.role) or "")
        if o.method == "GET":
            field = (f"<label for=try-query>Query string<input id=try-query name=query "
                     f"value='{escape(urlencode(ex.args))}'></label>")
        else:
            body = (urlencode(ex.args) if ex.form else
                    orjson.dumps(ex.args, option=orjson.OPT_INDENT_2).decode())
            field = (f"<label for=try-body>Body ({escape(body_type)})<textarea id=try-body "
                     f"name=body>{escape(body)}</textarea></label>")
        return (f"<h2 id=try-it>Try it</h2><form class=try id=try data-method={o.method} "
                f"data-path='{escape(o.path)}' data-body='{escape(body_type)}' "
                f"data-headers='{escape(orjson.dumps(app_headers(ex)).decode())}'>"
                f"<label for=try-token>Access token<input id=try-token name=token "
                f"value='{tok}' list=try-tokens></label><datalist id=try-tokens>{options}"
                f"</datalist>{field}<label for=try-accept>Answer as<select id=try-accept "
                "name=accept><option>application/json</option><option>application/xml"
                "</option></select></label><button id=try-send type=submit>Send</button>"
                "</form><pre id=try-status></pre><pre id=try-response></pre>")

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            where = node["$ref"].removeprefix("#/").split("/")
            found: Any = self.doc
            for key in where:
                found = found[key]
            node = found
        return node


# --- schema words ----------------------------------------------------------------------


def _core(s: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The schema of a field's value, without the "sent empty" or "null" alternatives; and
    whether there were any."""
    if "anyOf" not in s:
        return s, False
    parts = [p for p in s["anyOf"] if p.get("const") != "" and p.get("type") != "null"]
    inner, empty = _core(parts[0]) if parts else (s, False)
    return inner, empty or len(parts) < len(s["anyOf"])


def describe(schema: dict[str, Any]) -> tuple[str, str]:
    """(type, rules in words) of a field's or member's schema."""
    s, _ = _core(schema)
    kind = s.get("type", "")
    if isinstance(kind, list):
        kind = " or ".join(k for k in kind if k != "null")
    if "string" in kind and "{4}-" in s.get("pattern", ""):
        kind = "datetime"
    elif kind == "number":
        kind = "decimal"
    if "const" in s:
        kind = kind or "constant"
    if kind == "array" and "items" in s:
        kind = "array of " + (describe(s["items"])[0] or "values")
    rules: list[str] = []
    if "enum" in s:
        rules.append("One of: " + ", ".join(str(v) for v in s["enum"]) + ".")
    if "const" in s:
        rules.append(f"Always {s['const']}.")
    low, high = s.get("minimum"), s.get("maximum")
    if low is not None and high is not None:
        rules.append(f"From {low} to {high}.")
    elif low is not None:
        rules.append(f"At least {low}.")
    elif high is not None:
        rules.append(f"At most {high}.")
    if s.get("maxLength") is not None:
        rules.append(f"Up to {s['maxLength']} characters"
                     + (f", at least {s['minLength']}" if s.get("minLength") else "") + ".")
    if s.get("maxItems") is not None:
        rules.append(f"Up to {s['maxItems']} items.")
    if s.get("description"):
        rules.append(s["description"].rstrip(".") + ".")
    if s.get("examples"):
        rules.append(f"E.g. {s['examples'][0]}.")
    if _nullable(schema) and "null" in str(schema.get("type", "")):
        kind += ", nullable"
    return kind, " ".join(rules)


def _nullable(s: dict[str, Any]) -> bool:
    t = s.get("type")
    return (isinstance(t, list) and "null" in t) or any(
        p.get("type") == "null" for p in s.get("anyOf", []))


def _refs(s: Any) -> list[str]:
    """The component schemas a schema names (not their camelCase twins), in order."""
    found: list[str] = []
    if isinstance(s, dict):
        ref = s.get("$ref", "")
        if ref.startswith("#/components/schemas/") and not ref.endswith(".camelCase"):
            found.append(ref.rsplit("/", 1)[-1])
        for v in s.values():
            found += [r for r in _refs(v) if r not in found]
    elif isinstance(s, list):
        for v in s:
            found += [r for r in _refs(v) if r not in found]
    return found


def _table(head: list[str], rows: list[list[str]]) -> str:
    return ("<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
            + "</table>")


def _href(op_id: str) -> str:
    return "/docs?" + urlencode({"page": op_id})


def _name(o: Operation) -> str:
    return o.id


def _about(o: Operation) -> str:
    summary = o.op.get("summary", "")
    return "" if summary == _name(o) else summary.split("\n")[0]


def _text(text: str) -> str:
    """Plain text with the document's `code` spans."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))


def _showable(answer: samples.Answer) -> bool:
    """JSON or XML, short enough to read (not this document, not the metrics)."""
    media = answer.content_type.split(";")[0]
    return media.endswith(("json", "xml")) and 0 < len(answer.body) <= MAX_SAMPLE


MAX_SAMPLE = 16_000


def _pretty_json(text: str) -> str:
    try:
        return orjson.dumps(orjson.loads(text), option=orjson.OPT_INDENT_2).decode()
    except orjson.JSONDecodeError:
        return text


def _pretty_body(body: bytes, ex: Example) -> str:
    return body.decode() if ex.form else _pretty_json(body.decode())


# --- GET /docs ---------------------------------------------------------------------------

_sites: dict[int, tuple[Any, Site]] = {}
_building: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()


async def site_of(app: Any) -> Site:
    """The app's pages, built on first use (one build at a time)."""
    table = app.routes
    cached = _sites.get(id(table))
    if cached is not None and cached[0] is table:
        return cached[1]
    loop = asyncio.get_running_loop()  # a lock per event loop (the tests run several)
    async with _building.setdefault(loop, asyncio.Lock()):
        cached = _sites.get(id(table))
        if cached is not None and cached[0] is table:
            return cached[1]
        doc = openapi.document(table)
        ops = [(m.upper(), p, op["operationId"]) for p, item in doc["paths"].items()
               for m, op in item.items()]
        answers = await samples.collect(table, ops)
        sandbox = "/v1/sandbox/clock" in table.table
        built = Site(doc, answers, sandbox)
        _sites[id(table)] = (table, built)
        return built


routes = Routes()

_PAGE = Field("page", read_by_handler(), required=False)


@routes.get("/docs", auth=False, doc=RawDoc(
    "The reference pages: the index, or ?page=<operationId> (PHONECHAT_DOCS=0: not served).",
    query=(_PAGE,),
    answers={200: (HTML, None, "The page."), 404: (HTML, None, "No such page.")}))
async def docs(req: Request, args: dict[str, Any]) -> RawReply:
    site = await site_of(req.app)
    page = site.pages.get(req.query().get("page", ""))
    if page is None:
        body = site._frame("Not found", "<h1>No such page</h1><p>See the <a href='/docs'>"
                                        "index</a>.</p>").encode()
        return RawReply(404, body, HTML, site.headers)
    return RawReply(200, page, HTML, site.headers)
