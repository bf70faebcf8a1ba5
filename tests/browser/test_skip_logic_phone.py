"""Skip logic on a phone (360x640): answering "no" shows the follow-up, "yes" hides it,
online (the server's reply swaps the items) and offline (static/relevance.js)."""

import re

import pytest
from playwright.sync_api import expect

from checklists import load_library
from fieldapp.storage.db import connect
from tests.browser.conftest import PHONE, assert_fits_phone, login, shot
from tests.skip_helpers import shopper_visit

pytestmark = pytest.mark.browser

ARITAUM = "aritaum-store-experience"


@pytest.fixture
def visit_page(live_server, browser):
    db = connect(live_server.config["DATABASE"])
    checklist = load_library()[ARITAUM]
    visit_id = shopper_visit(db, checklist)
    index = next(i for i, s in enumerate(checklist.stages) if s.key == "counselling")
    context = browser.new_context(**PHONE, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, live_server.base_url, "shopper")
    page.goto(f"{live_server.base_url}/visits/{visit_id}/stage/{index}")
    yield page, context, db, visit_id
    context.close()


def tap(page, item, value):
    page.locator(f"#item-{item} input[value='{value}'] + span").tap()


def test_follow_up_appears_on_no_and_goes_on_yes_swapped_by_the_server(visit_page):
    page, _context, db, visit_id = visit_page
    reason, skin = page.locator("#item-no_counselling_reason"), page.locator("#item-asked_about_skin")
    expect(reason).to_be_hidden()
    expect(skin).to_be_hidden()
    # mark the elements the page has now: an out-of-band swap replaces them
    page.evaluate("() => document.querySelectorAll('.item').forEach(e => e.dataset.old = '1')")

    tap(page, "counselling_offered", "no")
    expect(page.locator("#item-counselling_offered .save-state .ok")).to_be_visible()
    expect(reason).to_be_visible()
    expect(skin).to_be_hidden()
    expect(page.locator("#item-no_counselling_reason[data-old]")).to_have_count(0)  # server swap
    expect(page.locator("#item-no_pressure[data-old]")).to_have_count(1)  # unrelated: untouched
    assert_fits_phone(page)
    shot(page, "14-skip-no-follow-up")

    page.evaluate("() => document.querySelectorAll('.item').forEach(e => e.dataset.old = '1')")
    tap(page, "counselling_offered", "yes")
    expect(page.locator("#item-counselling_offered[data-old]")).to_have_count(0)
    expect(reason).to_be_hidden()
    expect(skin).to_be_visible()
    expect(page.locator("#item-asked_about_skin[data-old]")).to_have_count(0)
    stored = db.execute("SELECT value_json FROM answers WHERE visit_id = ? AND item_key = ?",
                        [visit_id, "counselling_offered"]).fetchone()[0]
    assert stored.strip('"') == "yes"


def test_follow_up_appears_and_goes_offline_and_the_answer_syncs_later(visit_page):
    page, context, db, visit_id = visit_page
    reason, skin = page.locator("#item-no_counselling_reason"), page.locator("#item-asked_about_skin")
    context.set_offline(True)
    tap(page, "counselling_offered", "no")
    page.locator("#item-counselling_offered.unsaved").wait_for()  # the post failed: kept on the phone
    expect(reason).to_be_visible()
    expect(skin).to_be_hidden()
    shot(page, "14-skip-offline-no")

    tap(page, "counselling_offered", "yes")
    expect(reason).to_be_hidden()
    expect(skin).to_be_visible()
    assert db.execute("SELECT count(*) FROM answers WHERE visit_id = ?", [visit_id]).fetchone()[0] == 0

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => document.getElementById('net-status').hidden === true")
    stored = db.execute("SELECT value_json FROM answers WHERE visit_id = ? AND item_key = ?",
                        [visit_id, "counselling_offered"]).fetchone()[0]
    assert stored.strip('"') == "yes"
    expect(reason).to_be_hidden()
    expect(skin).to_be_visible()
    assert re.search(r"/stage/\d+$", page.url)
