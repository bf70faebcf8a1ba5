"""The journey clock on a 360x640 phone: "joined the queue" is tapped once on the
first stage and every later timed item that starts with it counts from that tap."""

import re

import pytest
from playwright.sync_api import expect

from tests.audit_helpers import doughnut
from tests.browser.conftest import assert_fits_phone, login, shot

pytestmark = pytest.mark.browser


def test_queue_joined_once_counts_on_every_later_timed_item(live_server, phone):
    base = live_server.base_url
    checklist = doughnut()
    words = {k: v.ko for k, v in checklist.events}
    login(phone, base, "shopper")
    with phone.expect_navigation():
        phone.locator("form.start-form button").first.tap()
    phone.wait_for_url(re.compile(r".*/visits/\d+/stage/0$"))
    visit_id = int(re.search(r"/visits/(\d+)/", phone.url).group(1))

    bar = phone.locator("#clock-bar")
    expect(bar.locator(".clock-next .clock-btn").first).to_have_text(words["queue_joined"])
    bar.locator(".clock-btn[data-event=queue_joined]").tap()
    expect(bar.locator(".clock-log summary")).to_contain_text(words["queue_joined"])
    expect(bar.locator(".clock-running .sw-display")).to_have_text(re.compile(r"^0:0\d$"))
    assert_fits_phone(phone)
    shot(phone, "13-after-clock-stage1")

    later = [(i, checklist.stage_of(i.key)) for i in checklist.items()
             if i.type == "timer" and i.timer_events[0] == "queue_joined"]
    stage_index = {s.key: n for n, s in enumerate(checklist.stages)}
    assert len(later) >= 2 and any(stage_index[s.key] > 0 for _i, s in later)
    for item, stage in later:
        phone.goto(f"{base}/visits/{visit_id}/stage/{stage_index[stage.key]}")
        timed = phone.locator(f"#item-{item.key} .timed")
        # the bar is there on this stage too, and knows the queue is joined
        expect(phone.locator("#clock-bar .clock-btn[data-event=queue_joined]")).to_have_count(0)
        expect(timed.locator("li[data-event=queue_joined]")).to_have_class(re.compile("marked"))
        expect(timed).to_have_attribute("data-running", "1")
        end = item.timer_events[-1]
        if not phone.locator(f"#clock-bar .clock-next .clock-btn[data-event={end}]").count():
            phone.locator("#clock-bar .clock-log summary").tap()  # not next: under the marks
        phone.locator(f"#clock-bar .clock-btn[data-event={end}]").tap()
        expect(timed.locator(f"li[data-event={end}]")).to_have_class(re.compile("marked"))
        expect(timed).to_have_attribute("data-running", "")
        assert_fits_phone(phone)
        if stage_index[stage.key] > 0:
            shot(phone, "13-after-clock-later-stage")
    from fieldapp.storage.db import connect
    conn = connect(live_server.config["DATABASE"])
    try:
        marks = conn.execute("SELECT count(*) FROM journey_marks WHERE visit_id = ? AND event = 'queue_joined'",
                             [visit_id]).fetchone()[0]
        answered = {r[0] for r in conn.execute("SELECT item_key FROM answers WHERE visit_id = ?", [visit_id])}
    finally:
        conn.close()
    assert marks == 1
    assert {i.key for i, _s in later} <= answered
