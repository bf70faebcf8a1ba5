"""Corrective actions: created from a failed item, done with evidence (verification by later
visits: tests/test_closed_loop.py)."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

from tests.audit_helpers import jpeg_bytes
from tests.test_reports import EN, login, released_visit

FUTURE = (date.today() + timedelta(days=10)).isoformat()


def failed_yes_no(db, code: str = "HD02") -> tuple[int, str]:
    """A released visit of ``code`` and one yes/no item it failed."""
    from fieldapp.storage import checklist_store

    for row in db.query("SELECT v.id, v.score_json, v.checklist_row_id FROM visits v JOIN stores s "
                        "ON s.id = v.store_id WHERE s.code = ? AND v.status = 'released' "
                        "ORDER BY v.started_at", [code]):
        checklist = checklist_store.load_pinned(db, row["checklist_row_id"])
        for key in json.loads(row["score_json"])["failed_items"]:
            if checklist.item(key).type == "yes_no":
                return row["id"], key
    raise AssertionError("no failed yes/no item in the demo data")


def user_id(db, username: str) -> int:
    return next(db.query("SELECT id FROM users WHERE username = ?", [username]))["id"]


def create_action(client, auth, visit_id, item_key, **overrides):
    from fieldapp.storage.db import connect

    if "owner_id" not in overrides:
        db = connect(client.application.config["DATABASE"])
        overrides["owner_id"] = user_id(db, "manager")
        db.close()
    data = {"item_key": item_key, "due_date": FUTURE, "note": "닦아 주세요", "priority": "normal",
            "csrf_token": auth.token(), **overrides}
    return client.post(f"/visits/{visit_id}/actions", data=data, headers=EN)


def new_action_id(db) -> int:
    return db.execute("SELECT max(id) FROM actions").fetchone()[0]


def test_manager_creates_action_from_failed_item(app, db):
    """The form opens from the failed item; a valid post stores the action and logs it."""
    manager, auth = login(app, "manager")
    visit_id, key = failed_yes_no(db)
    assert f"/visits/{visit_id}/actions/new?item={key}" in \
        manager.get(f"/reports/visits/{visit_id}").get_data(as_text=True)
    assert manager.get(f"/visits/{visit_id}/actions/new?item={key}").status_code == 200
    r = create_action(manager, auth, visit_id, key)
    assert r.status_code == 302
    action = next(db.query("SELECT * FROM actions WHERE id = ?", [new_action_id(db)]))
    assert (action["visit_id"], action["item_key"], action["status"], action["owner_id"]) == \
        (visit_id, key, "open", user_id(db, "manager"))
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'action_create' AND object_id = ?",
                      [str(action["id"])]).fetchone()[0] == 1


def test_bad_form_names_fields_and_keeps_typing(app, db):
    """Missing owner and a past due date: 422, messages by the fields, the note kept."""
    manager, auth = login(app, "manager")
    visit_id, key = failed_yes_no(db)
    before = db.execute("SELECT count(*) FROM actions").fetchone()[0]
    r = create_action(manager, auth, visit_id, key, owner_id=" ", due_date="2001-01-01", note="바닥 청소 <b>꼭</b>")
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert 'id="err-owner_id"' in body and 'id="err-due_date"' in body and 'id="err-note"' not in body
    assert "바닥 청소 &lt;b&gt;꼭&lt;/b&gt;" in body
    assert db.execute("SELECT count(*) FROM actions").fetchone()[0] == before


def test_action_only_from_a_failed_item_of_a_visible_visit(app, db):
    """A passed item or another store's visit gives 404."""
    manager, auth = login(app, "manager")
    visit_id, key = failed_yes_no(db)
    passed_key = next(k for k in ("line_visible", "hairnets_gloves", "entrance_clean")
                      if k not in json.loads(next(db.query("SELECT score_json FROM visits WHERE id = ?",
                                                           [visit_id]))["score_json"])["failed_items"])
    assert manager.get(f"/visits/{visit_id}/actions/new?item={passed_key}").status_code == 404
    assert create_action(manager, auth, visit_id, passed_key).status_code == 404
    other_visit, other_key = failed_yes_no(db, "HU03")
    assert manager.get(f"/visits/{other_visit}/actions/new?item={other_key}").status_code == 404
    assert create_action(manager, auth, other_visit, other_key).status_code == 404


def test_roles(app, db):
    """Auditors get 403; another store's manager gets 404 on the action."""
    manager, auth = login(app, "manager")
    visit_id, key = failed_yes_no(db)
    create_action(manager, auth, visit_id, key)
    action_id = new_action_id(db)
    shopper, _ = login(app, "shopper")
    assert shopper.get("/actions").status_code == 403
    assert shopper.get(f"/actions/{action_id}").status_code == 403
    outsider, oauth = login(app, "manager2")
    assert outsider.get(f"/actions/{action_id}").status_code == 404
    assert outsider.post(f"/actions/{action_id}/done", data={"csrf_token": oauth.token()}).status_code == 404
    reviewer, rauth = login(app, "reviewer")
    assert reviewer.get(f"/actions/{action_id}").status_code == 200
    assert reviewer.post(f"/actions/{action_id}/done", data={"csrf_token": rauth.token()}).status_code == 403


def test_done_with_photo_evidence(app, db):
    """Done with a photo: stored on the action's visit, visible to the manager, logged."""
    manager, auth = login(app, "manager")
    visit_id, key = failed_yes_no(db)
    create_action(manager, auth, visit_id, key)
    action_id = new_action_id(db)
    r = manager.post(f"/actions/{action_id}/done", data={
        "csrf_token": auth.token(), "photo": (io.BytesIO(jpeg_bytes()), "fixed.jpg")},
        content_type="multipart/form-data")
    assert r.status_code == 302
    action = next(db.query("SELECT * FROM actions WHERE id = ?", [action_id]))
    assert action["status"] == "done" and action["done_at"]
    photo = next(db.query("SELECT * FROM photos WHERE id = ?", [action["evidence_photo_id"]]))
    assert photo["visit_id"] == visit_id and photo["item_key"] == f"action:{action_id}"
    assert manager.get(f"/photos/{photo['id']}/thumb").status_code == 200
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'action_done' AND object_id = ?",
                      [str(action_id)]).fetchone()[0] == 1
    # the evidence photo is not one of the item's photos in the visit report
    body = manager.get(f"/reports/visits/{visit_id}").get_data(as_text=True)
    assert f"/photos/{photo['id']}/thumb" not in body


def test_done_with_a_non_photo_is_refused(app, db):
    """A text file as evidence: 422 with the message, the action stays open."""
    manager, auth = login(app, "manager")
    visit_id, key = failed_yes_no(db)
    create_action(manager, auth, visit_id, key)
    action_id = new_action_id(db)
    r = manager.post(f"/actions/{action_id}/done", data={
        "csrf_token": auth.token(), "photo": (io.BytesIO(b"not an image"), "x.jpg")},
        content_type="multipart/form-data", headers=EN)
    assert r.status_code == 422
    assert "not a photo" in r.get_data(as_text=True)
    assert next(db.query("SELECT status FROM actions WHERE id = ?", [action_id]))["status"] == "open"


def test_verify_without_a_later_visit_changes_nothing(app, db):
    """Just done, no visit since: 409 and still done."""
    manager, auth = login(app, "manager")
    visit_id, key = failed_yes_no(db)
    create_action(manager, auth, visit_id, key)
    action_id = new_action_id(db)
    manager.post(f"/actions/{action_id}/done", data={"csrf_token": auth.token()})
    r = manager.post(f"/actions/{action_id}/verify", data={"csrf_token": auth.token()})
    assert r.status_code == 409
    assert next(db.query("SELECT status FROM actions WHERE id = ?", [action_id]))["status"] == "done"


def test_overdue_actions_stand_out(app, db):
    """The demo's overdue action is marked on the list and in the store PDF."""
    manager, _ = login(app, "manager")
    body = manager.get("/actions", headers=EN).get_data(as_text=True)
    overdue = db.execute("SELECT count(*) FROM actions a JOIN memberships m ON m.store_id = a.store_id "
                         "JOIN users u ON u.id = m.user_id WHERE u.username = 'manager' AND a.status = 'open' "
                         "AND a.due_date < date('now', '+9 hours')").fetchone()[0]
    assert overdue >= 1
    assert body.count('class="row action-row overdue"') == overdue
