"""`phonechat apps ...` and `phonechat users set-password`, and the sandbox's demo app."""

from __future__ import annotations

import asyncio
import re

from click.testing import CliRunner

from phonechat import sandbox
from phonechat.cli import main
from phonechat.domain.access import token_hash
from phonechat.store import oauth as oauth_store
from phonechat.store.db import open_database


def run(db_url: str, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), env={"PHONECHAT_DATABASE_URL": db_url},
                              input=input)


def app_row(db_url: str, client_id: str):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        db = await open_database(db_url, pool_min=1, pool_max=1)
        try:
            async with db.connection() as conn:
                return await oauth_store.app_by_key(conn, client_id)
        finally:
            await db.close()
    return asyncio.run(go())


def test_apps_create_prints_id_and_secret_once_and_stores_only_its_hash(db_url):
    r = run(db_url, "apps", "create", "--name", "My App", "--redirect-uri",
            "https://app.example/cb")
    assert r.exit_code == 0, r.output
    client_id = re.search(r"client_id:\s+(\S+)", r.output).group(1)
    secret = re.search(r"client_secret:\s+(\S+)", r.output).group(1)
    row = app_row(db_url, client_id)
    assert row["name"] == "My App" and row["redirect_uri"] == "https://app.example/cb"
    assert row["secret_hash"] == token_hash(secret) and secret not in row["secret_hash"]
    listed = run(db_url, "apps", "list").output
    assert client_id in listed and "My App" in listed and secret not in listed


def test_apps_create_public_makes_an_app_without_a_secret(db_url):
    r = run(db_url, "apps", "create", "--public", "--name", "Desktop App", "--redirect-uri",
            "http://127.0.0.1/callback")
    assert r.exit_code == 0, r.output
    assert "client_secret" not in r.output and "PKCE" in r.output
    client_id = re.search(r"client_id:\s+(\S+)", r.output).group(1)
    row = app_row(db_url, client_id)
    assert row["public"] and row["secret_hash"] == ""
    assert f"{client_id}\tenabled\tpublic\t" in run(db_url, "apps", "list").output
    r = run(db_url, "apps", "rotate-secret", client_id)
    assert r.exit_code != 0 and "no confidential application" in r.output


def test_apps_create_refuses_a_redirect_uri_that_is_not_absolute_http(db_url):
    r = run(db_url, "apps", "create", "--name", "X", "--redirect-uri", "/relative")
    assert r.exit_code != 0 and "--redirect-uri" in r.output


def test_apps_rotate_secret_and_disable(db_url):
    client_id = sandbox.DEMO_APP["client_id"]
    r = run(db_url, "apps", "rotate-secret", client_id)
    assert r.exit_code == 0
    secret = re.search(r"client_secret:\s+(\S+)", r.output).group(1)
    assert app_row(db_url, client_id)["secret_hash"] == token_hash(secret)
    assert run(db_url, "apps", "disable", client_id).exit_code == 0
    assert app_row(db_url, client_id)["disabled"]
    assert "disabled" in run(db_url, "apps", "list").output
    assert run(db_url, "apps", "disable", "no-such-app").exit_code != 0


def test_users_set_password_stores_an_argon2id_hash(db_url):
    r = run(db_url, "users", "set-password", "--id", "400", input="long enough pw\nlong enough pw\n")
    assert r.exit_code == 0, r.output

    async def go():  # type: ignore[no-untyped-def]
        db = await open_database(db_url, pool_min=1, pool_max=1)
        try:
            async with db.connection() as conn:
                return await oauth_store.user_login(conn, "Outsider")
        finally:
            await db.close()
    assert asyncio.run(go())["password_hash"].startswith("$argon2id$")
    assert run(db_url, "users", "set-password", "--id", "400", "--password", "short").exit_code != 0


def test_sandbox_manifest_includes_the_demo_app_and_password():
    m = sandbox.manifest()
    assert m["app"] == {"client_id": "sandbox-demo-app", "client_secret": "sandbox-demo-secret",
                        "redirect_uri": "http://127.0.0.1:8765/callback"}
    assert m["password"] == "sandbox"


async def test_public_calls_identify_the_application_by_api_key(db):
    import pytest

    from phonechat.domain.errors import Unauthorized
    from phonechat.oauth import service

    app = await service.identify_application(db, sandbox.DEMO_APP["client_id"])
    assert app.name == sandbox.DEMO_APP["name"]
    same = await service.identify_application(db, sandbox.DEMO_APP["client_id"],
                                              sandbox.DEMO_APP["client_secret"])
    assert same == app
    for key, secret in ((None, None), ("no-such-app", None),
                        (sandbox.DEMO_APP["client_id"], "wrong-secret")):
        with pytest.raises(Unauthorized):
            await service.identify_application(db, key, secret)
    await service.set_disabled(db, sandbox.DEMO_APP["client_id"], True)
    with pytest.raises(Unauthorized):
        await service.identify_application(db, sandbox.DEMO_APP["client_id"])
