"""The Postman collection: every operation of the served document, each request its
example with a test of the status it answers; the sandbox's environment; the CLI prints the
same. (scripts/postman.sh runs it with newman against a real sandbox, in .ci/run.)"""

from __future__ import annotations

import orjson
from click.testing import CliRunner

from phonechat.api import postman
from phonechat.api.examples import EXAMPLES
from phonechat.cli import main

from ..conftest import USERS


def _requests(collection: dict) -> dict[str, dict]:
    return {item["name"]: item for folder in collection["item"] for item in folder["item"]}


async def test_the_collection_has_every_operation_with_a_status_test(client) -> None:
    doc = (await client.get("/openapi.json")).json()
    r = await client.get("/postman.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    c = r.json()
    assert c["info"]["schema"] == postman.SCHEMA
    items = _requests(c)
    ops = {op["operationId"]: (m.upper(), p, op) for p, it in doc["paths"].items()
           for m, op in it.items()}
    assert set(items) == set(ops)
    for op_id, (method, path, op) in ops.items():
        req = items[op_id]["request"]
        assert req["method"] == method and req["url"]["raw"].startswith("{{baseUrl}}" + path)
        status = EXAMPLES[op_id].status if op_id in EXAMPLES else 200
        assert str(status) in op["responses"]
        script = "\n".join(items[op_id]["event"][0]["script"]["exec"])
        assert f"pm.response.to.have.status({status});" in script
    details = items["MadeBookingDetails"]["request"]
    assert {"key": "Authorization", "value": "Bearer {{token_client}}"} in details["header"]
    assert details["url"]["query"] == [{"key": "BookingID", "value": "1"}]
    assert orjson.loads(items["CancelMadeBooking"]["request"]["body"]["raw"]) == {
        "BookingID": 2, "Reason": "I've had something come up"}
    assert "Sandbox/Reset" in "".join(c["event"][0]["script"]["exec"])  # sandbox: seed first


async def test_the_environment_has_the_base_url_and_the_manifests_tokens(client) -> None:
    env = (await client.get("/postman.json", params={"part": "environment"})).json()
    values = {v["key"]: v["value"] for v in env["values"]}
    assert values["baseUrl"] == "http://testserver"
    for role, user in USERS.items():
        assert values[f"token_{role}"] == user["AccessToken"]
    assert (await client.get("/postman.json", params={"part": "other"})).status_code == 404


async def test_phonechat_postman_prints_the_served_collection(client) -> None:
    served = (await client.get("/postman.json")).json()
    printed = orjson.loads(CliRunner().invoke(main, ["postman", "--base-url",
                                                     "http://testserver"]).output)
    assert _requests(printed).keys() == _requests(served).keys()
    serve = orjson.loads(CliRunner().invoke(main, ["postman", "--serve"]).output)
    assert "event" not in serve and "getClock" not in _requests(serve)
    env = orjson.loads(CliRunner().invoke(main, ["postman", "--environment"]).output)
    assert {"key": "baseUrl", "value": "http://127.0.0.1:8000", "type": "default",
            "enabled": True} in env["values"]
