"""Writes src/phonechat_client/_generated.py from the service's OpenAPI document.

    python clients/python/generate.py [document.json]   (default: the sandbox's document,
                                                          made by the phonechat package)

The models (one frozen dataclass per response Contract), the operation table and the
methods of PhoneChat / AsyncPhoneChat all come from the document; the hand-written part of
the client (transport, retries, errors, OAuth) is in the package's other modules.
tests/test_generated.py checks that the committed file is what this writes today.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "src" / "phonechat_client" / "_generated.py"
DATE = "{4}-"


def snake(name: str) -> str:
    name = name.replace("-", "_").replace(".", "_")
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()
    s = s.replace("i_ds", "ids")  # BookingIDs
    return s + "_" if keyword.iskeyword(s) else s


def alternatives(s: dict[str, Any]) -> list[dict[str, Any]]:
    if "anyOf" in s:
        return [a for p in s["anyOf"] for a in alternatives(p)]
    return [s]


def value_kind(s: dict[str, Any]) -> tuple[str, str]:
    """(Python type of a request field, how to send it)."""
    alts = [a for a in alternatives(s) if a.get("const") != "" and a.get("type") != "null"]
    for a in alts:
        if a.get("type") == "array":
            inner, how = value_kind(a["items"])
            return f"list[{inner}]", "list"
    first = alts[0]
    t = first.get("type")
    if t == "boolean":
        return "bool", "bool"
    if t == "integer":
        return "int", "plain"
    if t == "number":
        return "Decimal | int | float", "decimal"
    if t == "object":
        return "DirectChatSettings | dict[str, Any]", "model"
    if isinstance(t, list):
        return "str", "plain"
    if DATE in first.get("pattern", "") and "T" in first.get("pattern", ""):
        return "datetime | str", "datetime"
    if DATE in first.get("pattern", ""):
        return "date | str", "date"
    return "str", "plain"


def member_kind(s: dict[str, Any]) -> tuple[str, str]:
    """(annotation, kind for the parser) of a response member."""
    alts = [a for a in alternatives(s) if a.get("type") != "null"]
    a = alts[0] if alts else s
    if "$ref" in a:
        name = a["$ref"].rsplit("/", 1)[-1]
        return name, name
    t = a.get("type")
    t = [x for x in t if x != "null"][0] if isinstance(t, list) else t
    if t == "array":
        inner, kind = member_kind(a["items"])
        return f"list[{inner}]", f"list:{kind}"
    if t == "object":
        return "dict[str, list[str]]", "map"
    if t == "string" and DATE in a.get("pattern", ""):
        return "datetime", "datetime"
    return {"integer": ("int", "int"), "number": ("Decimal", "decimal"),
            "boolean": ("bool", "bool"), "string": ("str", "str")}[t]


def models(doc: dict[str, Any]) -> tuple[list[str], list[str]]:
    schemas = {k: v for k, v in doc["components"]["schemas"].items()
               if not k.endswith(".camelCase") and v.get("type") == "object"
               and not k.startswith("Error")}
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        for ps in schemas[name]["properties"].values():
            for ref in re.findall(r"#/components/schemas/([A-Za-z]+)\"", json.dumps(ps)):
                if ref in schemas and ref != name:
                    visit(ref)
        order.append(name)

    for name in schemas:
        visit(name)
    out = []
    for name in order:
        s = schemas[name]
        lines = ["@dataclass(frozen=True)", f"class {name}(Model):",
                 f'    """{s.get("description", name).split(". XML")[0]}."""', ""]
        for wire, ps in s["properties"].items():
            annotation, kind = member_kind(ps)
            lines.append(f"    {snake(wire)}: {annotation} | None = member({wire!r}, "
                         f"{kind!r})")
        out.append("\n".join(lines))
    return order, out


def result_of(doc: dict[str, Any], op: dict[str, Any]) -> tuple[str, str]:
    """(annotation, parser kind) of an operation's 200 answer."""
    answers = op["responses"]["200"].get("content", {})
    content = answers.get("application/json")
    if content is None:
        return ("str", "text") if answers else ("None", "none")
    schema = content["schema"]
    many = schema.get("type") == "array"
    one = schema["items"] if many else schema
    refs = [a["$ref"].rsplit("/", 1)[-1] for a in alternatives(one) if "$ref" in a]
    if not refs:
        return "Any", "json"
    name = refs[0]
    target = doc["components"]["schemas"][name]
    if target.get("type") == "number":
        return "Decimal", "decimal"
    return (f"list[{name}]", f"list:{name}") if many else (name, name)


def fields_of(op: dict[str, Any]) -> list[tuple[str, dict[str, Any], bool]]:
    out = [(p["name"], p["schema"], p.get("required", False))
           for p in op.get("parameters", []) if "$ref" not in p and p["in"] == "query"]
    body = op.get("requestBody")
    if body:
        schema = body["content"]["application/json"]["schema"]
        out += [(n, s, n in schema.get("required", [])) for n, s in schema["properties"].items()]
    return out


def operations(doc: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
    ops = {op["operationId"]: (m.upper(), p, op) for p, item in doc["paths"].items()
           for m, op in item.items() if p.lower().startswith("/v1/") or op["tags"] != ["OAuth"]}
    table, sync, async_ = [], [], []
    for op_id, (method, path, op) in ops.items():
        if op_id.startswith("Group") and op_id[5:] in ops:
            continue  # reached with client.as_member(user_id)
        group = ops.get("Group" + op_id)
        fields = fields_of(op)
        annotation, kind = result_of(doc, op)
        sends = {wire: value_kind(s)[1] for wire, s, _ in fields}
        table.append(f"    {op_id!r}: Operation({op_id!r}, {method!r}, {path!r}, "
                     f"{(group[1] if group else None)!r}, {sends!r}, {kind!r}, "
                     f"{bool(op.get('security'))!r}),")
        params = []
        for wire, s, required in sorted(fields, key=lambda f: not f[2]):
            py = snake(wire)
            t = value_kind(s)[0]
            params.append(f"{py}: {t}" if required else f"{py}: {t} | None = None")
        signature = ", ".join(["self", *(["*"] if params else []), *params])
        args = ", ".join(f"{wire!r}: {snake(wire)}" for wire, _, _ in fields)
        doc_line = " ".join(op.get("summary", op_id).split()).split(". ")[0].replace('"', "'")
        if doc_line == op_id:
            doc_line = f"{method} {path}" + (" (group variant: as_member)" if group else "")
        name = snake(op_id)
        for out, prefix, call in ((sync, "def", "self._call"),
                                  (async_, "async def", "await self._call")):
            out.append(f"    {prefix} {name}({signature}) -> {annotation}:\n"
                       f'        """{doc_line}"""\n'
                       f"        return {call}({op_id!r}, {{{args}}})  # type: ignore[no-any-return]\n")
        page = {w for w, _, _ in fields}
        if "PageNumber" in page:
            size = "BookingsPerPage" if "BookingsPerPage" in page else "PageSize"
            item = annotation.removeprefix("").strip()
            rest = [p for p in params if not p.startswith(("page_number", snake(size)))]
            sig = ", ".join(["self", "*", *rest, f"{snake(size)}: int = 100"])
            kw = ", ".join(f"{snake(p.split(':')[0])}={snake(p.split(':')[0])}" for p in rest)
            listed = doc["components"]["schemas"][annotation]
            items = [w for w, ps in listed["properties"].items() if ps.get("type") == "array"][0]
            item_type = member_kind(listed["properties"][items])[0].removeprefix("list[")[:-1]
            for out, prefix, it, call in (
                    (sync, "def", "Iterator", "self"), (async_, "async def", "AsyncIterator",
                                                       "self")):
                loop = ("for" if prefix == "def" else "async for")
                walker = "self._pages" if prefix == "def" else "self._apages"
                out.append(
                    f"    {prefix} iter_{name}({sig}) -> {it}[{item_type}]:\n"
                    f'        """Every {item_type} of every page of {op_id}, in order."""\n'
                    f"        {loop} item in {walker}(self.{name}, {snake(items)!r}, "
                    f"{snake(size)!r}, {snake(size)}"
                    + (f", {kw}" if kw else "") + "):\n"
                    "            yield item\n")
    return table, sync, async_


def render(doc: dict[str, Any]) -> str:
    _, model_code = models(doc)
    table, sync, async_ = operations(doc)
    return "\n".join([
        '"""Generated from the PhoneChat OpenAPI document by clients/python/generate.py: do '
        'not edit."""',
        "# ruff: noqa: E501",
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import AsyncIterator, Iterator",
        "from dataclasses import dataclass",
        "from datetime import date, datetime",
        "from decimal import Decimal",
        "from typing import Any",
        "",
        "from ._model import Model, Operation, member",
        "",
        f"API_VERSION = {doc['info']['version']!r}",
        "",
        "",
        "\n\n\n".join(model_code),
        "",
        "",
        "OPERATIONS: dict[str, Operation] = {",
        *table,
        "}",
        "",
        "",
        "class SyncOperations:",
        '    """Every API operation, as a method of PhoneChat."""',
        "",
        "    _call: Any",
        "    _pages: Any",
        "",
        "\n".join(sync),
        "",
        "class AsyncOperations:",
        '    """Every API operation, as a coroutine method of AsyncPhoneChat."""',
        "",
        "    _call: Any",
        "    _apages: Any",
        "",
        "\n".join(async_),
    ]).rstrip() + "\n"


def sandbox_document() -> dict[str, Any]:
    from phonechat.api import openapi
    from phonechat.api.factory import build_routes

    return openapi.document(build_routes(sandbox=True, metrics=True, docs=True), samples={})


def main() -> None:
    doc = (json.loads(Path(sys.argv[1]).read_text()) if len(sys.argv) > 1
           else sandbox_document())
    OUT.write_text(render(doc))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
