"""An admin on a phone (360x640) uploads a broken spreadsheet and sees the located
error, then a good one; previews it with skip logic working; publishes it."""

import re

import pytest
from playwright.sync_api import expect

from fieldapp.storage import checklist_store
from fieldapp.storage.db import connect
from tests.browser.conftest import PHONE, assert_fits_phone, login, shot
from tests.skip_helpers import skip_xlsx

pytestmark = pytest.mark.browser


def test_admin_uploads_broken_then_good_spreadsheet_previews_and_publishes(live_server, browser,
                                                                           tmp_path):
    base = live_server.base_url
    db = connect(live_server.config["DATABASE"])
    broken = skip_xlsx(tmp_path / "sample-check.xlsx", broken=True)
    context = browser.new_context(**PHONE, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, base, "admin")
    page.goto(base + "/admin/checklists")

    page.set_input_files("#file", str(broken))
    page.locator("#upload-form button[type=submit]").tap()
    errors = page.locator("#upload-errors li")
    expect(errors).to_have_count(1)
    expect(errors.first).to_have_text("sample-check.xlsx:survey:5: weight: must be > 0")
    assert_fits_phone(page)
    shot(page, "14-admin-upload-error")
    assert checklist_store.latest_row_id(db, "sample-check") is None

    (tmp_path / "good").mkdir()
    good = skip_xlsx(tmp_path / "good" / "sample-check.xlsx")
    page.set_input_files("#file", str(good))
    with page.expect_navigation():
        page.locator("#upload-form button[type=submit]").tap()
    assert re.search(r"/admin/checklists/\d+$", page.url)
    row_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#status")).to_have_attribute("class", re.compile("status-draft"))

    page.locator("#preview-link").tap()
    page.wait_for_url(re.compile(r"/preview$"))
    why_not, taste = page.locator("#item-why_not"), page.locator("#item-sample_taste")
    expect(why_not).to_be_hidden()
    page.locator("#item-sample_offered input[value='no'] + span").tap()
    expect(why_not).to_be_visible()
    expect(taste).to_be_hidden()
    page.locator("#item-sample_offered input[value='yes'] + span").tap()
    expect(why_not).to_be_hidden()
    expect(taste).to_be_visible()
    page.locator("#item-extras input[value='coupon'] + span").tap()
    expect(page.locator("#item-coupon_value")).to_be_visible()
    expect(page.locator("#item-signed canvas")).to_be_visible()
    assert_fits_phone(page)
    shot(page, "14-admin-preview")

    page.go_back()
    page.locator("#publish").tap()
    page.wait_for_url(re.compile(rf"/admin/checklists/{row_id}$"))
    expect(page.locator("#status")).to_have_attribute("class", re.compile("status-published"))
    assert checklist_store.latest_row_id(db, "sample-check") == row_id
    context.close()
