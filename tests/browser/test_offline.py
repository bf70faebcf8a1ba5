"""Offline: answers and a stopwatch taken with no connection survive a reload
and reach the server exactly once when the connection returns."""

import re

import pytest
from playwright.sync_api import expect

from fieldapp.storage.db import connect
from tests.audit_helpers import doughnut, passing_value
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_offline_answers_and_timer_sync_once_after_reload(live_server, browser):
    base = live_server.base_url
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True,
                                  has_touch=True, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    stage = doughnut().stages[0]
    items = [i for tp in stage.touchpoints for i in tp.items]
    answers = [i for i in items if i.type in ("yes_no", "yes_no_na", "rating")][:3]
    timer = next(i for i in items if i.type == "timer")
    assert len(answers) == 3

    login(page, base, "shopper")
    with page.expect_navigation():
        page.locator("form.start-form button").first.tap()
    page.wait_for_url(re.compile(r".*/visits/\d+/stage/0$"))
    visit_id = int(re.search(r"/visits/(\d+)/", page.url).group(1))
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.reload()  # now served through the worker, which keeps a copy of the page
    page.wait_for_function(
        "() => caches.open('cem-pages-v1').then(c => c.keys()).then(k => k.length >= %d)" % len(doughnut().stages))

    context.set_offline(True)
    for item in answers:
        page.locator(f"#item-{item.key} input[value='{passing_value(item)}'] + span").tap()
        page.locator(f"#item-{item.key}.unsaved").wait_for()
    for event in timer.timer_events:  # on the journey clock, keeping the phone's tap time
        page.locator(f"#clock-bar .clock-btn[data-event={event}]").tap()
        page.locator(f"#clock-bar .clock-mark.pending[data-event={event}]").wait_for(state="attached")
    page.wait_for_function("() => document.getElementById('net-status').dataset.count == '%d'"
                           % (3 + len(timer.timer_events)))
    shot(page, "07-offline-waiting")

    page.reload()  # still offline: the worker serves the page, the outbox re-applies the saves
    # the outbox reads IndexedDB after DOMContentLoaded, so wait for it rather than race it
    for item in answers:
        expect(page.locator(f"#item-{item.key} input[value='{passing_value(item)}']")).to_be_checked()
    expect(page.locator("#clock-bar .clock-mark.pending")).to_have_count(len(timer.timer_events))
    expect(page.locator(f"#item-{timer.key} .timed-events li.marked")).to_have_count(len(timer.timer_events))
    expect(page.locator("#net-status")).to_be_visible()

    db = connect(live_server.config["DATABASE"])
    assert db.execute("SELECT count(*) FROM answers WHERE visit_id = ?", [visit_id]).fetchone()[0] == 0

    # the summary page (cached too) will not submit while saves are still on the phone
    page.goto(f"{base}/visits/{visit_id}/submit")
    expect(page.locator("button[data-wait-for-sync]")).to_be_disabled()
    expect(page.locator("#sync-first")).to_be_visible()
    page.go_back()

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => document.getElementById('net-status').hidden === true")
    shot(page, "08-back-online-synced")

    stored = {r["item_key"]: r["value_json"] for r in db.query(
        "SELECT item_key, value_json FROM answers WHERE visit_id = ?", [visit_id])}
    for item in answers:
        assert stored[item.key].strip('"') == passing_value(item)
    assert timer.key in stored
    marks = [r["event"] for r in db.query(
        "SELECT event FROM journey_marks WHERE visit_id = ? ORDER BY at, id", [visit_id])]
    assert marks == list(timer.timer_events)
    page.reload()  # nothing replays twice
    page.wait_for_timeout(500)
    assert db.execute("SELECT count(*) FROM journey_marks WHERE visit_id = ?", [visit_id]).fetchone()[0] == \
        len(timer.timer_events)
    context.close()
