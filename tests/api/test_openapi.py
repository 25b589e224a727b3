"""The OpenAPI document: valid, made of the served routes and nothing else, and generated
from the declarations (a member added to a contract, a field added to an input, shows)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from openapi_spec_validator import validate

from phonechat.api import openapi
from phonechat.api.contracts import MADE_BOOKING, NS_MADE
from phonechat.api.factory import build_routes, create_app
from phonechat.api.http import Reply, Routes
from phonechat.api.inputs import Field, Input
from phonechat.api.representation import STR, Contract, Member
from phonechat.cli import main
from phonechat.domain.validation import entity_id, whole_number
from phonechat.settings import Settings

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples"
ROUTER_404 = "No HTTP resource was found"


def _operations(doc: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in doc["paths"].items() for method in item}


def _served(routes: Routes) -> set[tuple[str, str]]:
    return {(m, r.path) for methods in routes.table.values() for m, r in methods.items()}


async def test_the_sandbox_serves_a_valid_document_of_exactly_its_routes(client, app) -> None:
    r = await client.get("/openapi.json")  # no token
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    doc = r.json()
    validate(doc)
    assert doc["openapi"] == "3.1.0"
    assert _operations(doc) == _served(app.routes)
    assert ("POST", "/v1/Sandbox/Clock") in _operations(doc)


def test_serve_has_no_sandbox_routes_and_validates(db_url: str) -> None:
    app = create_app(Settings(database_url=db_url, access_log=False))
    doc = openapi.document(app.routes)
    validate(doc)
    ops = _operations(doc)
    assert ops == _served(app.routes)
    assert not any(path.startswith("/v1/Sandbox") for _, path in ops)
    for expected in (("GET", "/OAuth/Authorize"), ("POST", "/OAuth/token"),
                     ("POST", "/OAuth/revoke"), ("GET", "/health"), ("GET", "/ready"),
                     ("GET", "/metrics"), ("GET", "/openapi.json"),
                     ("GET", "/v1/Groups/PhoneChat/MadeBookingDetails")):
        assert expected in ops


async def test_every_documented_operation_is_routed_and_other_verbs_are_not(client) -> None:
    doc = (await client.get("/openapi.json")).json()
    for path, item in doc["paths"].items():
        for method in item:
            r = await client.request(method.upper(), path)
            assert r.status_code != 405 and ROUTER_404 not in r.text, (method, path)
        for other in {"GET", "POST", "PUT", "DELETE"} - {m.upper() for m in item}:
            r = await client.request(other, path)
            assert r.status_code == 405, (other, path)


def test_phonechat_openapi_prints_the_served_document() -> None:
    out = CliRunner().invoke(main, ["openapi"])
    assert out.exit_code == 0, out.output
    printed = orjson.loads(out.output)
    validate(printed)
    assert printed == openapi.document(build_routes(sandbox=False, metrics=True))
    sandbox = orjson.loads(CliRunner().invoke(main, ["openapi", "--sandbox"]).output)
    assert "/v1/Sandbox/Clock" in sandbox["paths"] and "/v1/Sandbox/Clock" not in printed["paths"]


def test_a_member_added_to_a_contract_is_in_the_document() -> None:
    grown = Contract("MadeBooking", NS_MADE, [*MADE_BOOKING.members, Member("Mood", STR)])
    routes = Routes()

    @routes.get("/v1/PhoneChat/Grown", reply=grown,
                input=Input("Grown", (Field("BookingID", entity_id),
                                      Field("Size", whole_number(2, 9), required=False))))
    async def grown_route(req, args):  # type: ignore[no-untyped-def]
        return Reply(grown, {})

    doc = openapi.document(routes, samples={})
    validate(doc)
    schema = doc["components"]["schemas"]["MadeBooking"]
    assert list(schema["properties"]) == [m.name for m in MADE_BOOKING.members] + ["Mood"]
    assert schema["properties"]["Mood"]["xml"] == {"name": "Mood", "namespace": NS_MADE}
    assert "mood" in doc["components"]["schemas"]["MadeBooking.camelCase"]["properties"]
    params = {p.get("name"): p for p in doc["paths"]["/v1/PhoneChat/Grown"]["get"]["parameters"]}
    assert params["BookingID"]["required"] is True
    assert params["BookingID"]["schema"] == entity_id.schema
    size = params["Size"]["schema"]["anyOf"][0]["anyOf"][0]
    assert (size["minimum"], size["maximum"], params["Size"]["required"]) == (2, 9, False)


def test_a_route_added_without_reply_is_described_by_the_contract_it_names() -> None:
    routes = Routes()

    @routes.post("/v1/PhoneChat/Added", input=Input("Added", (Field("BookingID", entity_id),)))
    async def added(req, args):  # type: ignore[no-untyped-def]
        return Reply(MADE_BOOKING, {})

    doc = openapi.document(routes, samples={})
    validate(doc)
    answer = doc["paths"]["/v1/PhoneChat/Added"]["post"]["responses"]["200"]["content"]
    assert answer["text/xml"]["schema"] == {"$ref": "#/components/schemas/MadeBooking"}


def test_the_document_says_what_each_route_needs_and_answers(app) -> None:
    doc = openapi.document(app.routes)
    details = doc["paths"]["/v1/PhoneChat/MadeBookingDetails"]["get"]
    assert details["security"] == [{"oauth2": ["account_phonechat_bookings"]}]
    assert {"200", "400", "401", "403", "404", "413", "429", "500", "503"} <= set(
        details["responses"])
    assert set(details["responses"]["200"]["content"]) == {
        "application/json", "text/json", "application/xml", "text/xml"}
    xml = details["responses"]["200"]["content"]["application/xml"]["schema"]
    assert xml == {"$ref": "#/components/schemas/MadeBooking"}
    made = doc["components"]["schemas"]["MadeBooking"]
    assert made["xml"] == {"name": "MadeBooking", "namespace": NS_MADE}
    ratings = doc["components"]["schemas"]["PhoneChatBookingUser"]["properties"]["Total"]
    assert ratings["xml"]["namespace"].endswith("API.Models.Profile")
    cancel = doc["paths"]["/v1/PhoneChat/CancelMadeBooking"]["post"]
    body = cancel["requestBody"]["content"]
    assert body["application/xml"]["schema"]["xml"] == {"name": "CancelMadeBooking"}
    assert body["application/json"]["schema"]["required"] == ["BookingID", "Reason"]
    assert {"409", "415", "422"} <= set(cancel["responses"])
    names = {p.get("$ref", "").rsplit("/", 1)[-1] for p in cancel["parameters"]}
    assert {"Idempotency-Key", "X-CaseType"} <= names
    group = doc["paths"]["/v1/Groups/PhoneChat/MadeBookingDetails"]["get"]
    assert [p["name"] for p in group["parameters"] if "name" in p] == ["BookingID", "UserID"]
    assert doc["paths"]["/health"]["get"]["security"] == []
    flows = doc["components"]["securitySchemes"]["oauth2"]["flows"]["authorizationCode"]
    assert flows["tokenUrl"] == "/OAuth/token" and "account_phonechat_bookings" in flows["scopes"]
    # create -> details -> cancel: links for the stateful fuzzer.
    links = doc["paths"]["/v1/PhoneChat/CreateBooking"]["post"]["responses"]["200"]["links"]
    assert links["MadeBookingDetails"]["parameters"] == {
        "query.BookingID": "$response.body#/BookingID"}
    assert links["CancelMadeBooking"]["requestBody"] == {"BookingID": "$response.body#/BookingID"}


def test_every_input_field_has_a_schema(app) -> None:
    for methods in app.routes.table.values():
        for route in methods.values():
            fields = (route.input.fields if route.input else ()) + (
                (route.doc.query + route.doc.form) if route.doc else ())
            for f in fields:
                assert isinstance(getattr(f.check, "schema", None), dict), (route.path, f.name)


@pytest.mark.parametrize("name", ["made-booking-details", "cancel-made-booking"])
def test_the_published_samples_are_the_examples(app, name: str) -> None:
    doc = openapi.document(app.routes)
    op = {"made-booking-details": ("/v1/PhoneChat/MadeBookingDetails", "get"),
          "cancel-made-booking": ("/v1/PhoneChat/CancelMadeBooking", "post")}[name]
    content = doc["paths"][op[0]][op[1]]["responses"]["200"]["content"]
    xml = (SAMPLES / f"{name}.xml").read_text(encoding="utf-8")
    assert content["application/xml"]["examples"]["published"]["value"] == xml
    text = (SAMPLES / f"{name}.json").read_text(encoding="utf-8")
    example = content["application/json"]["examples"]["published"]["value"]
    try:
        assert example == orjson.loads(text)
    except orjson.JSONDecodeError:  # the cancel page's block lost its braces and a comma
        assert example == text


# Every GET of the API, read by a user it concerns, with the sandbox's values: the JSON
# answer (plain and camelCase) is what the document says it is.
_READS = [
    ("client", "/v1/PhoneChat/MadeBookingDetails", {"BookingID": 1}),
    ("client", "/v1/PhoneChat/MadeBookings", {}),
    ("candidate", "/v1/PhoneChat/ReceivedBookings", {}),
    ("candidate", "/v1/PhoneChat/ReceivedBookingDetails", {"BookingID": 3}),
    ("client", "/v1/PhoneChat/GetUserBookingRequirements", {"BookUserID": 123456}),
    ("candidate", "/v1/PhoneChat/GetSettings", {}),
    ("manager", "/v1/Groups/PhoneChat/MadeBookings", {"UserID": 301}),
    ("client", "/v1/Account/VerifyCredentials", {}),
    ("client", "/v1/Account/GetPermissions", {}),
    ("client", "/v1/CreditHistory/GetCreditsHistory", {}),
    ("client", "/v1/CreditHistory/GetCurrentCreditBalance", {}),
]


@pytest.mark.parametrize("camel", [False, True])
@pytest.mark.parametrize("role, path, params", _READS)
async def test_each_read_answers_what_the_document_says(client, role, path, params,
                                                        camel) -> None:
    from jsonschema import Draft202012Validator

    from tests.conftest import bearer

    doc = (await client.get("/openapi.json")).json()
    headers = {**bearer(role), **({"X-CaseType": "camelCase"} if camel else {})}
    r = await client.get(path, params=params, headers=headers)
    assert r.status_code == 200, r.text
    schema = doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"]
    # The answer's schema with the document's components beside it: its $refs resolve.
    errors = Draft202012Validator({**schema, "components": doc["components"]}).iter_errors(
        r.json())
    assert not (messages := [e.message for e in errors]), messages
