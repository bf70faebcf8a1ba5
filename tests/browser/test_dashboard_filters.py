"""The manager's dashboard filters update the page in place (htmx), not by reloading it."""

import pytest

from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_region_filter_updates_without_reload(live_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, live_server.base_url, "reviewer")  # reviewers see every store of the chain
    page.goto(live_server.base_url + "/dashboard")
    page.evaluate("() => { window.__sameDocument = true; }")
    rows_before = page.locator("#ranking tbody tr").count()
    assert rows_before == 3
    busan = page.locator("select[name=region] option", has_text="Busan").get_attribute("value")
    page.select_option("select[name=region]", busan)
    page.wait_for_url("**region=*")
    page.locator("#ranking tbody tr").nth(1).wait_for(state="detached")
    assert page.locator("#ranking tbody tr").count() == 1
    assert "Haeundae" in page.locator("#dash-body").inner_text()
    assert page.evaluate("() => window.__sameDocument === true")  # no full page load happened
    shot(page, "12-dashboard-filtered")
    context.close()
