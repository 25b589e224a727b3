"""HTTP manners (docs/wire.md): HEAD for every GET, OPTIONS with Allow everywhere, CORS by
PHONECHAT_CORS_ORIGINS (`*` in the sandbox by default, none in serve)."""

from __future__ import annotations

import httpx
import pytest

from phonechat.api import manners
from phonechat.api.factory import create_app
from phonechat.settings import Settings

from ..conftest import bearer

DETAILS = "/v1/PhoneChat/MadeBookingDetails?BookingID=1"
CANCEL = "/v1/PhoneChat/CancelMadeBooking"
APP = "http://127.0.0.1:5173"


def _client(app) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                             base_url="http://testserver")


def _get_paths(app) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(r.path for methods in app.routes.table.values() for r in methods.values()
                  if r.method == "GET")


async def test_head_of_every_get_route_is_its_status_and_headers_without_the_body(
        client, app) -> None:
    for path in _get_paths(app):
        get = await client.get(path, headers=bearer("client"))
        head = await client.head(path, headers=bearer("client"))
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        for name in ("content-type", "content-length", "allow", "www-authenticate", "location"):
            if name == "content-length" and path == "/metrics":
                continue  # the metrics grow with every request
            assert head.headers.get(name) == get.headers.get(name), (path, name)
    head = await client.head(DETAILS, headers=bearer("client"))
    assert head.status_code == 200
    assert int(head.headers["content-length"]) == len((await client.get(
        DETAILS, headers=bearer("client"))).content)


async def test_head_is_the_get_with_its_token_and_scope_checks(client) -> None:
    assert (await client.head(DETAILS)).status_code == 401
    without_scope = {"Authorization": "bearer sandbox-client-without-phonechat"}
    assert (await client.head(DETAILS, headers=without_scope)).status_code == 403
    assert (await client.head("/v1/PhoneChat/MadeBookingDetails?BookingID=x",
                              headers=bearer("client"))).status_code == 400


async def test_head_of_a_post_route_is_405_and_names_what_it_allows(client) -> None:
    r = await client.head(CANCEL, headers=bearer("client"))
    assert r.status_code == 405
    assert r.headers["allow"] == "OPTIONS, POST"


async def test_options_answers_allow_on_every_path_without_a_token(client, app) -> None:
    for methods in app.routes.table.values():
        path = next(iter(methods.values())).path
        r = await client.options(path)
        assert r.status_code == 200 and r.content == b"", path
        expected = set(methods) | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())
        assert set(r.headers["allow"].split(", ")) == expected, path


async def test_sandbox_preflight_allows_any_origin_and_the_api_headers(client) -> None:
    r = await client.options(CANCEL, headers={
        "Origin": APP, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, idempotency-key, x-casetype"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "*"
    assert "POST" in r.headers["access-control-allow-methods"].split(", ")
    allowed = {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key", "x-casetype"} <= allowed
    assert r.headers["access-control-max-age"] == "600"
    assert "access-control-allow-credentials" not in r.headers


async def test_every_answer_to_an_allowed_origin_carries_cors_and_exposed_headers(client) -> None:
    origin = {"Origin": APP}
    for r in (await client.get(DETAILS, headers={**bearer("client"), **origin}),
              await client.get(DETAILS, headers=origin),  # 401
              await client.post(CANCEL, headers={**bearer("client"), **origin}, json={}),  # 400
              await client.put(CANCEL, headers=origin)):  # 405
        assert r.headers["access-control-allow-origin"] == "*", r.status_code
        exposed = r.headers["access-control-expose-headers"].split(", ")
        assert {"X-Request-ID", "Retry-After", "WWW-Authenticate", "Idempotent-Replayed",
                "X-RateLimit-Remaining"} <= set(exposed)
    plain = await client.get(DETAILS, headers=bearer("client"))
    assert "access-control-allow-origin" not in plain.headers


async def test_serve_allows_no_origin_by_default(db_url, clock, db) -> None:
    app = create_app(Settings(database_url=db_url, access_log=False), clock=clock, db=db)
    async with _client(app) as c:
        r = await c.options(CANCEL, headers={"Origin": APP,
                                             "Access-Control-Request-Method": "POST"})
        assert r.status_code == 200 and r.headers["allow"] == "OPTIONS, POST"
        assert "access-control-allow-origin" not in r.headers
        r = await c.get(DETAILS, headers={**bearer("client"), "Origin": APP})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


async def test_a_listed_origin_is_echoed_with_vary_and_another_gets_nothing(
        db_url, clock, db, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHONECHAT_CORS_ORIGINS", f"https://app.example.com/, {APP}")
    settings = Settings.from_env(database_url=db_url, access_log=False)
    assert settings.cors_origins is not None
    app = create_app(settings, clock=clock, db=db)
    async with _client(app) as c:
        for origin in (APP, "https://app.example.com"):
            r = await c.get(DETAILS, headers={**bearer("client"), "Origin": origin})
            assert r.headers["access-control-allow-origin"] == origin
            assert r.headers["vary"] == "Origin"
        r = await c.get(DETAILS, headers={**bearer("client"), "Origin": "https://evil.example"})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


def test_origins_are_a_list_and_the_sandbox_default_is_any() -> None:
    assert manners.origins("https://a.example/, http://127.0.0.1:3000  https://b") == (
        "https://a.example", "http://127.0.0.1:3000", "https://b")
    assert Settings(sandbox=True).cors == "*"
    assert Settings().cors == ""
    assert Settings(sandbox=True, cors_origins="").cors == ""


async def test_the_document_lists_no_head_or_options_but_says_they_are_answered(client) -> None:
    doc = (await client.get("/openapi.json")).json()
    assert not any(m in ("head", "options") for item in doc["paths"].values() for m in item)
    assert "HEAD" in doc["info"]["description"] and "OPTIONS" in doc["info"]["description"]
