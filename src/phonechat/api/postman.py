"""The Postman (v2.1) collection of every operation of the served OpenAPI document, and an
environment for the sandbox: GET /postman.json, `phonechat postman`.

Each request is its operation's example (api/examples.py) with the token of the example's
user as a variable, and a test asserting the status it answers on the sandbox's seed. In the
sandbox's collection every request is preceded by `POST /v1/Sandbox/Reset` to the samples'
clock (a pre-request script), so each finds the seed and the run passes in any order.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import orjson

from .. import sandbox
from .examples import EXAMPLES, START, Example, app_headers
from .http import RawDoc, RawReply, Request, Routes
from .inputs import Field, read_by_handler

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
NAME = "PhoneChat bookings API v1"
JSON = "application/json; charset=utf-8"

_RESET = [
    "// The sandbox's seed before every request, with its clock at the samples' moment.",
    "pm.sendRequest({url: pm.variables.get('baseUrl') + '/v1/Sandbox/Reset', method: 'POST',",
    f"  header: {{'Content-Type': 'application/json'}}, body: {{mode: 'raw', raw: "
    f"JSON.stringify({{Clock: '{START}'}})}}}},",
    "  function (err, res) { if (err || res.code !== 200) { throw new Error('Reset failed: ' + (err || res.code)); } });",
]


def _variable(role: str) -> str:
    return f"token_{role}"


def _status(op: dict[str, Any], ex: Example) -> int:
    if str(ex.status) not in op["responses"]:
        raise ValueError(f"{op['operationId']}: its example answers {ex.status}, which the "
                         "document does not list")
    return ex.status


def _item(method: str, path: str, op: dict[str, Any]) -> dict[str, Any]:
    ex = EXAMPLES.get(op["operationId"], Example(None))
    status = _status(op, ex)
    headers = [{"key": "Accept", "value": "application/json"}]
    if ex.role:
        headers.append({"key": "Authorization", "value": f"Bearer {{{{{_variable(ex.role)}}}}}"})
    headers.extend({"key": k, "value": v} for k, v in app_headers(ex).items())
    segments = [s for s in path.split("/") if s]
    url: dict[str, Any] = {"raw": "{{baseUrl}}" + path, "host": ["{{baseUrl}}"],
                           "path": segments}
    request: dict[str, Any] = {"method": method, "header": headers, "url": url}
    if method == "GET" and ex.args:
        url["raw"] += "?" + urlencode(ex.args)
        url["query"] = [{"key": k, "value": str(v)} for k, v in ex.args.items()]
    elif method != "GET" and ex.form:
        request["body"] = {"mode": "urlencoded", "urlencoded": [
            {"key": k, "value": str(v), "type": "text"} for k, v in ex.args.items()]}
    elif method != "GET":
        headers.append({"key": "Content-Type", "value": "application/json"})
        request["body"] = {"mode": "raw", "raw": orjson.dumps(
            ex.args, option=orjson.OPT_INDENT_2).decode(), "options": {"raw": {"language": "json"}}}
    test = [f"pm.test('{op['operationId']} answers {status}', function () {{",
            f"  pm.response.to.have.status({status});", "});"]
    return {"name": op["operationId"], "request": request,
            "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": test}}],
            "description": op.get("summary", "")}


def collection(doc: dict[str, Any], base_url: str, sandbox_reset: bool) -> dict[str, Any]:
    folders: dict[str, list[dict[str, Any]]] = {}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            folders.setdefault(op["tags"][0], []).append(_item(method.upper(), path, op))
    out: dict[str, Any] = {
        "info": {"name": NAME, "schema": SCHEMA,
                 "description": "Every operation of this service's /openapi.json, each with "
                                "its example and a test of its documented status."},
        "item": [{"name": tag, "item": items} for tag, items in folders.items()],
        "variable": _variables(base_url),
    }
    if sandbox_reset:
        out["event"] = [{"listen": "prerequest",
                         "script": {"type": "text/javascript", "exec": _RESET}}]
    return out


def _variables(base_url: str) -> list[dict[str, str]]:
    users = sandbox.manifest()["users"]
    return [{"key": "baseUrl", "value": base_url},
            *({"key": _variable(role), "value": u["AccessToken"]} for role, u in users.items())]


def environment(base_url: str) -> dict[str, Any]:
    """The sandbox's environment: its base URL and the manifest's tokens."""
    return {"name": "PhoneChat sandbox", "_postman_variable_scope": "environment",
            "values": [{**v, "type": "secret" if v["key"].startswith("token_") else "default",
                        "enabled": True} for v in _variables(base_url)]}


# --- GET /postman.json -------------------------------------------------------------------

routes = Routes()


@routes.get("/postman.json", auth=False, doc=RawDoc(
    "The Postman v2.1 collection of every operation (?part=environment: the sandbox's "
    "environment), for this server's address.",
    query=(Field("part", read_by_handler({"enum": ["collection", "environment"]}),
                 required=False),),
    answers={200: ("application/json", {"type": "object"}, "The collection or environment."),
             404: ("application/json", {"type": "object"}, "No such part.")}))
async def postman_json(req: Request, args: dict[str, Any]) -> RawReply:
    from . import openapi

    host = req.header(b"host") or "127.0.0.1:8000"
    base = f"{req.scope.get('scheme', 'http')}://{host}"
    part = req.query().get("part") or "collection"
    if part == "environment":
        body = environment(base)
    elif part == "collection":
        body = collection(openapi.document(req.app.routes), base,
                          "/v1/sandbox/reset" in req.app.routes.table)
    else:
        return RawReply(404, b'{"Message":"No such part: collection or environment."}', JSON)
    return RawReply(200, orjson.dumps(body, option=orjson.OPT_INDENT_2), JSON)
