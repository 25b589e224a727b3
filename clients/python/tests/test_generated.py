"""The generated part is what generate.py writes from today's document, and every operation
of the served document has a client method."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import httpx
import pytest

import phonechat_client
from phonechat_client import AsyncPhoneChat, OAuth, PhoneChat
from phonechat_client._generated import OPERATIONS

ROOT = Path(__file__).resolve().parents[1]
# Pages for the user's browser, not calls of an app: the app sends the user to
# OAuth.authorization_url(); the login, consent and "your apps" forms are the user's.
BROWSER_FORMS = {"postAuthorize", "getApps", "postApps"}
OAUTH = {"getAuthorize": "authorization_url", "token": "exchange_code", "revoke": "revoke",
         "introspect": "introspect"}


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("generate", ROOT / "generate.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_the_committed_generated_code_is_up_to_date() -> None:
    pytest.importorskip("phonechat")
    gen = _generator()
    assert (ROOT / "src/phonechat_client/_generated.py").read_text() == gen.render(
        gen.sandbox_document()), "run: .venv/bin/python clients/python/generate.py"


def test_every_operation_of_the_served_document_has_a_client_method(sandbox_url: str) -> None:
    doc = httpx.get(sandbox_url + "/openapi.json").json()
    gen = _generator()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            op_id = op["operationId"]
            if op_id in BROWSER_FORMS:
                continue
            if op_id in OAUTH:
                assert hasattr(OAuth, OAUTH[op_id]), op_id
                continue
            if op_id.startswith("Group") and op_id[5:] in OPERATIONS:
                assert OPERATIONS[op_id[5:]].group_path == path, op_id  # via as_member
                continue
            assert op_id in OPERATIONS, op_id
            assert (OPERATIONS[op_id].method, OPERATIONS[op_id].path) == (method.upper(), path)
            name = gen.snake(op_id)
            assert callable(getattr(PhoneChat, name)) and callable(getattr(AsyncPhoneChat, name))
    assert phonechat_client.MadeBooking.__dataclass_fields__["credits"].metadata["kind"] == "decimal"
