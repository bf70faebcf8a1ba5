"""The demo planner builds a baseline, tests two changes and gets the PDF, in Chromium."""

import re
import urllib.request

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_planner_baseline_whatif_compare_pdf(live_server, browser):
    base = live_server.base_url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR",
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60000)
    login(page, base, "planner")
    page.goto(base + "/planner/")
    page.select_option("#scope", label="홍대점 Hongdae")
    page.fill("#date_from", "2000-01-01")
    page.fill("#date_to", "2100-01-01")
    with page.expect_navigation():
        page.click("#baseline-form button[type=submit]")
    assert re.search(r"/planner/s/\d+$", page.url)
    # the fit check runs in the background and replaces its progress bar by itself
    page.locator("#fit-check table").wait_for()
    shot(page, "10-planner-baseline")

    page.fill("#extra_servers", "1")
    page.fill("#extra_from", "11:00")
    page.fill("#extra_to", "14:00")
    page.locator("#extra_to").dispatch_event("change")
    page.locator("#whatif pre", has_text="servers: 3").wait_for(state="attached")
    page.check("input[name=samples]")
    # the server's reply replaces the form; its YAML shows the change
    page.locator("#whatif pre", has_text="samples: true").wait_for(state="attached")
    assert "servers: 3" in page.locator("#whatif pre").text_content()
    with page.expect_navigation():
        page.click("#run-compare")
    page.locator("#comparison-pdf").wait_for()
    shot(page, "11-planner-comparison")
    assert page.locator("table.compare tr").count() >= 6

    href = page.locator("#comparison-pdf").get_attribute("href")
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    request = urllib.request.Request(base + href, headers={
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
    with urllib.request.urlopen(request) as response:
        body = response.read()
    assert body.startswith(b"%PDF")
    context.close()
