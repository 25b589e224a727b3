"""A browser app on another origin (another port) calls the API in real Chromium: it gets a
token by the implicit flow and reads MadeBookingDetails with fetch (a CORS preflight, since
it sends Authorization), and reads an exposed header (docs/wire.md, HTTP manners)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest

from .oauth_flow import PASSWORD
from .test_oauth_browser import ARGS, CHROMIUM, register_app, sandbox_server  # noqa: F401

pytestmark = [
    pytest.mark.browser, pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is missing: run scripts/install-browser.sh"),
]

CALLBACK_PAGE = """<!doctype html><meta charset=utf-8><title>Browser app</title>
<pre id=result>waiting</pre><pre id=request-id></pre>
<script>
const token = new URLSearchParams(location.hash.slice(1)).get("access_token");
fetch("%(api)s/v1/PhoneChat/MadeBookingDetails?BookingID=1",
      {headers: {"Authorization": "Bearer " + token, "X-CaseType": "camelCase"}})
  .then(async r => {
    document.getElementById("request-id").textContent = r.headers.get("X-Request-ID") || "";
    document.getElementById("result").textContent = r.status + " " + await r.text();
  })
  .catch(e => { document.getElementById("result").textContent = "failed " + e; });
</script>"""


class BrowserApp:
    """The app's origin: serves its callback page, which calls the API from the browser."""

    def __init__(self, api: str) -> None:
        page = (CALLBACK_PAGE % {"api": api}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_an_app_on_another_origin_gets_a_token_by_the_implicit_flow_and_reads_a_booking(
        sandbox_server: str, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    app = BrowserApp(sandbox_server)
    try:
        callback = app.origin + "/callback"
        client_id, _ = register_app(tmp_path / "sandbox.db", callback)
        url = sandbox_server + "/OAuth/Authorize?" + urlencode({
            "response_type": "token", "client_id": client_id, "redirect_uri": callback,
            "scope": "account_phonechat_bookings", "state": "st-cors"})
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            try:
                page = browser.new_context().new_page()
                page.set_default_timeout(30_000)
                errors: list[str] = []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.goto(url)
                page.fill("#nickname", "BookingUser")
                page.fill("#password", PASSWORD)
                page.click("#login")
                page.click("#allow")
                page.wait_for_url(callback + "#**")
                page.wait_for_function(
                    "document.getElementById('result').textContent !== 'waiting'")
                result = page.inner_text("#result")
                assert result.startswith("200 "), result
                assert '"bookingID":1' in result
                assert page.inner_text("#request-id") != ""  # an exposed header
                assert errors == []
            finally:
                browser.close()
    finally:
        app.close()
