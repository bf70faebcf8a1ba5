"""A whole mystery shop on a phone, then the reviewer approves it."""

import re

import pytest
from playwright.sync_api import expect

from fieldapp.storage.db import connect
from tests.audit_helpers import doughnut, jpeg_bytes, passing_value
from tests.browser.conftest import assert_fits_phone, login, shot

pytestmark = pytest.mark.browser


def answer_item(page, item):
    box = page.locator(f"#item-{item.key}")
    box.scroll_into_view_if_needed()
    value = passing_value(item) if item.type != "photo" else None
    if item.type in ("yes_no", "yes_no_na", "rating", "choice"):
        box.locator(f"input[name=value][value='{value}'] + span").tap()
    elif item.type == "number":
        box.locator("input[name=value]").fill(value)
        box.locator("input[name=value]").dispatch_event("change")
    elif item.type == "text":
        box.locator("textarea[name=value]").fill(value)
        box.locator("textarea[name=value]").dispatch_event("change")
    elif item.type == "timer":
        for event in item.timer_events:  # marked once on the journey clock, shared by items
            button = page.locator(f"#clock-bar .clock-btn[data-event={event}]")
            if button.count():
                if not button.is_visible():
                    page.locator("#clock-bar .clock-log summary").tap()
                button.tap()
            page.locator(f"#item-{item.key} .timed-events li.marked[data-event={event}]").wait_for()
        return
    elif item.type == "photo":
        page.locator(f"#item-{item.key} input[type=file]").set_input_files(
            files=[{"name": "shop.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes((1200, 900))}])
    page.locator(f"#item-{item.key} .save-state .ok").wait_for()


def test_whole_mystery_shop_on_a_phone_then_approval(live_server, phone, browser):
    base = live_server.base_url
    checklist = doughnut()
    login(phone, base, "shopper")
    assert_fits_phone(phone)
    shot(phone, "01-auditor-home")
    with phone.expect_navigation():
        phone.locator("form.start-form button").first.tap()
    phone.wait_for_url(re.compile(r".*/visits/\d+/stage/0$"))
    visit_id = int(re.search(r"/visits/(\d+)/", phone.url).group(1))
    for index, stage in enumerate(checklist.stages):
        assert_fits_phone(phone)
        for tp in stage.touchpoints:
            for item in tp.items:
                answer_item(phone, item)
        phone.locator(f"#feeling-{stage.key} input[value='4'] + span").tap()
        phone.locator(f"#feeling-{stage.key} .save-state .ok").wait_for()
        # a confirmed save leaves the phone's outbox at once, not at the next page load
        expect(phone.locator("#net-status")).to_be_hidden()
        assert phone.evaluate("() => Outbox.all().then(e => e.length)") == 0
        if index == 0:
            shot(phone, "02-first-stage-answered")
        with phone.expect_navigation():
            phone.locator(".stage-nav .btn.primary").tap()
    assert "/submit" in phone.url
    # saves whose confirmation raced the page change are replayed, and the badge clears
    phone.wait_for_function("() => document.getElementById('net-status').hidden === true")
    shot(phone, "03-summary")
    phone.locator("form button[type=submit]").tap()
    phone.wait_for_url(re.compile(r".*/submit\?done=1$"))
    shot(phone, "04-submitted")

    db = connect(live_server.config["DATABASE"])
    row = next(db.query("SELECT status, score FROM visits WHERE id = ?", [visit_id]))
    assert row["status"] == "submitted" and row["score"] is not None
    assert db.execute("SELECT count(*) FROM photos WHERE visit_id = ?", [visit_id]).fetchone()[0] >= 1
    timers = [i for i in checklist.items() if i.type == "timer"]
    assert db.execute("SELECT count(*) FROM journey_marks WHERE visit_id = ?", [visit_id]).fetchone()[0] == \
        len({e for i in timers for e in i.timer_events})  # each event once per visit

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, locale="en-US")
    reviewer = context.new_page()
    login(reviewer, base, "reviewer")
    reviewer.locator(f"a[href='/review/{visit_id}']").tap()
    shot(reviewer, "05-review")
    reviewer.locator("button[value=approve]").tap()
    reviewer.wait_for_url("**/home")
    context.close()
    assert next(db.query("SELECT status FROM visits WHERE id = ?", [visit_id]))["status"] == "released"
