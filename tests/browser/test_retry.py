"""A failed answer post shows "not saved — retry" and loses nothing typed."""

import re

import pytest

from fieldapp.storage.db import connect
from tests.audit_helpers import doughnut
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_failed_post_shows_retry_and_keeps_what_was_typed(live_server, phone):
    base = live_server.base_url
    checklist = doughnut()
    stage_index, text_item = next(
        (i, it) for i, s in enumerate(checklist.stages) for tp in s.touchpoints for it in tp.items
        if it.type in ("text", "number"))
    login(phone, base, "shopper")
    phone.locator("form.start-form button").first.tap()
    phone.wait_for_url(re.compile(r".*/visits/\d+/stage/0$"))
    visit_id = int(re.search(r"/visits/(\d+)/", phone.url).group(1))
    phone.goto(f"{base}/visits/{visit_id}/stage/{stage_index}")

    failures = {"left": 1}

    def fail_once(route):
        if failures["left"]:
            failures["left"] -= 1
            route.fulfill(status=500, body="boom")
        else:
            route.continue_()

    phone.route(re.compile(rf".*/items/{text_item.key}$"), fail_once)
    typed = "12" if text_item.type == "number" else "직원이 매우 친절했음"
    field = phone.locator(f"#item-{text_item.key} [name=value]")
    field.fill(typed)
    field.dispatch_event("change")
    retry = phone.locator(f"#item-{text_item.key} .retry-state")
    retry.wait_for(state="visible")
    assert "unsaved" in phone.locator(f"#item-{text_item.key}").get_attribute("class")
    assert field.input_value() == typed
    shot(phone, "06-not-saved-retry")
    db = connect(live_server.config["DATABASE"])
    assert db.execute("SELECT count(*) FROM answers WHERE visit_id = ? AND item_key = ?",
                      [visit_id, text_item.key]).fetchone()[0] == 0

    retry.locator("button").tap()
    phone.locator(f"#item-{text_item.key} .save-state .ok").wait_for()
    assert phone.locator(f"#item-{text_item.key} [name=value]").input_value() == typed
    stored = next(db.query("SELECT value_json FROM answers WHERE visit_id = ? AND item_key = ?",
                           [visit_id, text_item.key]))["value_json"]
    assert typed in stored or float(typed) == float(stored)
    phone.reload()
    assert phone.locator(f"#item-{text_item.key} [name=value]").input_value() == typed
