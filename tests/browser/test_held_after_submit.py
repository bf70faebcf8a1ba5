"""An answer that reaches a visit submitted meanwhile (from another phone) is refused with
409 and held in this phone's outbox with a message, not silently dropped nor stored."""

import re

import pytest

from fieldapp.storage.db import connect
from tests.audit_helpers import doughnut, passing_value
from tests.browser.conftest import login
from tests.conftest import Auth
from tests.test_audit_flow import complete_visit

pytestmark = pytest.mark.browser

HELD = """() => new Promise(resolve => {
  const req = indexedDB.open("cem-outbox", 1);
  req.onsuccess = () => { const t = req.result.transaction("saves", "readonly").objectStore("saves").getAll();
                          t.onsuccess = () => resolve(t.result.map(e => e.held || 0)); };
})"""


def test_an_answer_after_the_submit_is_held_on_the_phone(live_server, browser):
    base = live_server.base_url
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True,
                                  has_touch=True, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, base, "shopper")
    with page.expect_navigation():
        page.locator("form.start-form button").first.tap()
    page.wait_for_url(re.compile(r".*/visits/\d+/stage/0$"))
    visit_id = int(re.search(r"/visits/(\d+)/", page.url).group(1))

    other = live_server.test_client()  # the second phone completes and submits the visit
    auth = Auth(other)
    auth.login("shopper")
    complete_visit(other, auth.token(), visit_id, doughnut())
    assert other.post(f"/visits/{visit_id}/submit", data={"csrf_token": auth.token()}).status_code == 302
    db = connect(live_server.config["DATABASE"])
    frozen = db.execute("SELECT score, status FROM visits WHERE id = ?", [visit_id]).fetchone()
    item = next(i for tp in doughnut().stages[0].touchpoints for i in tp.items if i.type == "yes_no")
    stored = db.execute("SELECT value_json FROM answers WHERE visit_id = ? AND item_key = ?",
                        [visit_id, item.key]).fetchone()[0]

    page.locator(f"#item-{item.key} input[value='no'] + span").tap()
    page.locator(f"#item-{item.key} .save-state.field-error").wait_for()
    assert "submitted meanwhile" in page.locator(f"#item-{item.key} .save-state").inner_text()
    assert page.evaluate(HELD) == [409]
    assert page.locator("#net-status").is_hidden()  # held saves do not count as waiting
    assert db.execute("SELECT score, status FROM visits WHERE id = ?", [visit_id]).fetchone() == frozen
    assert db.execute("SELECT value_json FROM answers WHERE visit_id = ? AND item_key = ?",
                      [visit_id, item.key]).fetchone()[0] == stored == f'"{passing_value(item)}"'
    context.close()
