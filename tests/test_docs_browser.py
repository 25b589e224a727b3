"""The reference pages in real Chromium against a real `phonechat sandbox`: every page loads
with no console error and no request leaving 127.0.0.1, every link resolves, and "try it"
on MadeBookingDetails shows booking 1. Screenshots of the index and of that page are saved
in test-artifacts/ (or $PHONECHAT_TEST_ARTIFACTS)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from .test_oauth_browser import ARGS, CHROMIUM, sandbox_server  # noqa: F401

pytestmark = [
    pytest.mark.browser, pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is missing: run scripts/install-browser.sh"),
]

ARTIFACTS = Path(os.environ.get("PHONECHAT_TEST_ARTIFACTS")
                 or Path(__file__).resolve().parents[1] / "test-artifacts")


def test_every_page_loads_clean_every_link_resolves_and_try_it_answers(
        sandbox_server: str) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.set_default_timeout(30_000)
            errors: list[str] = []
            outside: list[str] = []
            page.on("console", lambda m: errors.append(f"{page.url}: {m.text}")
                    if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
            page.on("request", lambda r: outside.append(r.url)
                    if urlsplit(r.url).scheme not in ("data", "about")
                    and urlsplit(r.url).hostname != "127.0.0.1" else None)

            index = sandbox_server + "/docs"
            assert page.goto(index).status == 200  # type: ignore[union-attr]
            page.screenshot(path=str(ARTIFACTS / "docs-index.png"), full_page=True)
            pages = [urljoin(index, h) for h in page.eval_on_selector_all(
                "main a[href^='/docs?page=']", "els => els.map(e => e.getAttribute('href'))")]
            assert len(pages) >= 40

            links: set[str] = set()
            for url in pages:
                assert page.goto(url).status == 200, url  # type: ignore[union-attr]
                for href in page.eval_on_selector_all(
                        "a[href]", "els => els.map(e => e.getAttribute('href'))"):
                    if href.startswith("#"):
                        assert page.locator(f"[id='{href[1:]}']").count() == 1, (url, href)
                    else:
                        links.add(urljoin(url, href))
            for link in sorted(links):
                assert urlsplit(link).hostname == "127.0.0.1", link
                assert page.request.get(link).status == 200, link

            page.goto(index + "?page=MadeBookingDetails")
            assert page.input_value("#try-query") == "BookingID=1"
            assert page.input_value("#try-token") == "sandbox-client"
            page.click("#try-send")
            expect(page.locator("#try-status")).to_have_text(re.compile(r"^HTTP 200"))
            answer = page.inner_text("#try-response")
            assert '"BookingID": 1,' in answer and '"Status": "Confirmed"' in answer
            page.select_option("#try-accept", "application/xml")
            page.click("#try-send")
            expect(page.locator("#try-response")).to_contain_text("<MadeBooking")
            page.locator("#try-it").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "docs-made-booking-details.png"),
                            full_page=True)
            assert errors == [] and outside == []
        finally:
            browser.close()
