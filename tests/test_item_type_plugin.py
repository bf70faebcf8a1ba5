"""A new item type is one class plus its widget and display templates.

The test registers a type the app has never seen, gives it a widget and a
display template, and walks it through load, answer, score, the phone's
widget and the visit report, touching no other type's code.
"""

import re

import jinja2
import pytest

from checklists import AnswerError, ItemType, load_checklist_text, register_item_type, unregister_item_type
from fieldapp.storage import checklist_store, users, visits
from tests.conftest import make_app

CHECKLIST = """\
id: plugin-check
version: 1
kind: internal_audit
title: {ko: 플러그인 점검, en: Plugin check}
stages:
  - key: s1
    title: {ko: 매장, en: Store}
    journey_stage: purchase
    touchpoints:
      - key: t1
        title: {ko: 진열, en: Shelf}
        importance: 3
        items:
          - key: shelf_stars
            type: test_stars10
            title: {ko: 진열 별점, en: Shelf stars}
            required: true
            pass_from: 6
"""

WIDGET = ('<input class="stars10" type="number" name="value" min="0" max="10" '
          'value="{{ shown }}">')
DISPLAY = "{{ iv.value }} ★/10"


class Stars10(ItemType):
    """0 to 10 stars; passes from ``pass_from``."""

    name = "test_stars10"
    from checklists import Key
    keys = {"pass_from": Key("int")}

    def parse_text(self, item, s):
        if not s.isdigit() or not 0 <= int(s) <= 10:
            raise AnswerError("Give 0 to 10 stars.", "test_stars10")
        return int(s)

    def normalize(self, item, value):
        if not isinstance(value, int):
            raise self.bad(item, value)
        return value

    def scorable(self, item):
        return True

    def score(self, item, value):
        return value / 10

    def failed(self, item, value):
        return value < (item.pass_from or 0)


@pytest.fixture
def plugin_app(instance):
    register_item_type(Stars10)
    app = make_app(instance)
    app.jinja_loader = jinja2.ChoiceLoader([
        jinja2.DictLoader({"items/widget_test_stars10.html": WIDGET,
                           "items/display_test_stars10.html": DISPLAY}),
        app.jinja_loader])
    yield app
    unregister_item_type("test_stars10")


def test_a_new_type_goes_from_file_to_report(plugin_app):
    app = plugin_app
    from fieldapp.storage.db import connect

    db = connect(app.config["DATABASE"])
    checklist = load_checklist_text(CHECKLIST, source="plugin.yaml")
    row_id = checklist_store.save_checklist(db, checklist)
    staff = users.get_by_username(db, "staff")
    store_id = users.store_ids_of(db, staff["id"])[0]
    visit_id = visits.create_visit(db, checklist_row_id=row_id, store_id=store_id,
                                   auditor_id=staff["id"], covert=False)
    db.close()

    client = app.test_client()
    from tests.conftest import Auth
    auth = Auth(client)
    auth.login("staff")
    stage = client.get(f"/visits/{visit_id}/stage/0").get_data(as_text=True)
    assert 'class="stars10"' in stage                      # the type's own widget
    token = auth.token(f"/visits/{visit_id}/stage/0")
    headers = {"X-CSRFToken": token, "HX-Request": "true"}
    bad = client.post(f"/visits/{visit_id}/items/shelf_stars", data={"value": "11"},
                      headers=headers)
    assert "Give 0 to 10 stars." in bad.get_data(as_text=True)   # unknown code: its own words
    ok = client.post(f"/visits/{visit_id}/items/shelf_stars", data={"value": "4"}, headers=headers)
    assert ok.status_code == 200 and 'value="4"' in ok.get_data(as_text=True)
    done = client.post(f"/visits/{visit_id}/submit", data={"csrf_token": token})
    assert done.status_code == 302

    db = connect(app.config["DATABASE"])
    row = visits.get_visit(db, visit_id)
    db.close()
    assert row["score"] == pytest.approx(40.0) and not row["passed"]  # 4/10, and failed

    auth.login("admin")
    report = client.get(f"/reports/visits/{visit_id}").get_data(as_text=True)
    assert re.search(r"4 ★/10", report)                   # the type's own display
