"""The whole OAuth flow in a real headless Chromium against a real `phonechat sandbox`:
log in, consent, redirect to the app's callback, code exchange, API calls; and declining.

Needs Debian's chromium (scripts/install-browser.sh installs it); Playwright drives it
(never `playwright install`).
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from phonechat.domain.access import SCOPES

from .oauth_flow import PASSWORD, pkce_pair
from .servers import free_port, phonechat_command, start, stop, wait_for_port

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser, pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"{CHROMIUM} is missing: run scripts/install-browser.sh"),
]


class Callback:
    """The app's side: a tiny loopback server that records where the browser came back to."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                hits.append(self.path)
                body = b"<!doctype html><title>Callback</title><p id=done>Back in the app.</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.hits = hits
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.uri = f"http://127.0.0.1:{self.server.server_port}/callback"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _env(db: Path) -> dict[str, str]:
    return {"PHONECHAT_DATABASE_URL": f"sqlite:///{db}"}


@pytest.fixture
def sandbox_server(tmp_path: Path) -> Iterator[str]:
    """`phonechat sandbox` on a free port, until the test ends."""
    port = free_port()
    db = tmp_path / "sandbox.db"
    log = tmp_path / "sandbox.log"
    proc = start(["sandbox", "--port", str(port), "--db", str(db),
                  "--clock", "2018-01-21T14:00:00"], log, _env(db))
    try:
        wait_for_port(proc, port, log)
        # The port is bound before the database is seeded: /ready answers once it is, so
        # a command run on the database afterwards (apps create) finds it unlocked.
        assert httpx.get(f"http://127.0.0.1:{port}/ready", timeout=60).status_code == 200
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def register_app(db: Path, redirect_uri: str) -> tuple[str, str]:
    out = subprocess.run(
        phonechat_command() + ["apps", "create", "--name", "Browser Test App",
                               "--redirect-uri", redirect_uri],
        capture_output=True, text=True, env={**os.environ, **_env(db)}, timeout=60,
        check=True).stdout
    client_id = re.search(r"client_id:\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    secret = re.search(r"client_secret:\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    return client_id, secret


def test_browser_logs_in_consents_and_the_app_calls_the_api_then_declines(
        sandbox_server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    callback = Callback()
    try:
        client_id, secret = register_app(tmp_path / "sandbox.db", callback.uri)
        verifier, challenge = pkce_pair()
        url = sandbox_server + "/OAuth/Authorize?" + urlencode({
            "response_type": "code", "client_id": client_id, "redirect_uri": callback.uri,
            "scope": "account_phonechat_bookings account_information", "state": "st-123",
            "code_challenge": challenge, "code_challenge_method": "S256"})

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            try:
                page = browser.new_context().new_page()
                page.set_default_timeout(30_000)

                # Log in.
                page.goto(url)
                assert "Browser Test App" in page.inner_text("#app-name")
                page.fill("#nickname", "BookingUser")
                page.fill("#password", PASSWORD)
                page.click("#login")

                # Consent: the app and each scope, in plain words.
                page.wait_for_selector("#allow")
                text = page.inner_text("body")
                assert "Browser Test App" in text and "BookingUser" in text
                assert SCOPES["account_phonechat_bookings"] in text
                assert SCOPES["account_information"] in text
                page.screenshot(path=str(tmp_path / "consent.png"))
                page.click("#allow")

                # Back at the app with a code.
                page.wait_for_url(callback.uri + "?**")
                page.wait_for_selector("#done")
                q = parse_qs(urlsplit(page.url).query, keep_blank_values=True)
                assert q["state"] == ["st-123"]
                code = q["code"][0]

                # The app exchanges it and calls the API.
                r = httpx.post(sandbox_server + "/OAuth/token", data={
                    "grant_type": "authorization_code", "code": code,
                    "redirect_uri": callback.uri, "client_id": client_id,
                    "client_secret": secret, "code_verifier": verifier})
                assert r.status_code == 200, r.text
                assert r.headers["cache-control"] == "no-store"
                auth = {"Authorization": f"bearer {r.json()['access_token']}"}
                me = httpx.get(sandbox_server + "/v1/Account/VerifyCredentials", headers=auth)
                assert me.status_code == 200 and me.json()["UserID"] == 100  # (Nickname needs its scope)
                details = httpx.get(sandbox_server + "/v1/PhoneChat/MadeBookingDetails",
                                    params={"BookingID": 1}, headers=auth)
                assert details.status_code == 200 and details.json()["BookingID"] == 1

                # Again, and this time decline (still logged in: straight to consent).
                page.goto(url.replace("st-123", "st-456"))
                page.wait_for_selector("#decline")
                page.click("#decline")
                page.wait_for_url(callback.uri + "?**")
                q = parse_qs(urlsplit(page.url).query, keep_blank_values=True)
                assert q == {"code": [""], "state": ["st-456"], "status": ["cancelled"],
                             "error": ["access_denied"]}
            finally:
                browser.close()
        assert len([h for h in callback.hits if h.startswith("/callback?")]) == 2
    finally:
        callback.close()
