"""Review: approve releases to the store's manager, return sends back to the auditor."""

import pytest

from tests.audit_helpers import doughnut, start_assignment
from tests.conftest import Auth
from tests.test_audit_flow import complete_visit


@pytest.fixture
def submitted(app, client, auth):
    visit_id = start_assignment(client, auth)
    token = auth.token()
    complete_visit(client, token, visit_id, doughnut())
    assert client.post(f"/visits/{visit_id}/submit", data={"csrf_token": token}).status_code == 302
    return visit_id


def login(app, username):
    c = app.test_client()
    a = Auth(c)
    a.login(username)
    return c, a


def test_reviewer_sees_queue_and_approves(app, submitted, db):
    reviewer, auth = login(app, "reviewer")
    assert f"/review/{submitted}" in reviewer.get("/home").get_data(as_text=True)
    r = reviewer.post(f"/review/{submitted}/decide", data={"decision": "approve", "csrf_token": auth.token()})
    assert r.status_code == 302
    events = [e["to_status"] for e in db.query(
        "SELECT to_status FROM visit_events WHERE visit_id = ? ORDER BY id", [submitted])]
    assert events == ["draft", "submitted", "reviewed", "released"]
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'approve' AND object_id = ?",
                      [str(submitted)]).fetchone()[0] == 1


def test_manager_sees_only_released_visits_of_own_stores(app, submitted, db):
    store = next(db.query("SELECT s.code FROM visits v JOIN stores s ON s.id = v.store_id WHERE v.id = ?",
                          [submitted]))["code"]
    own, other = ("manager", "manager2") if store in ("GN01", "HD02") else ("manager2", "manager")
    manager, _ = login(app, own)
    assert manager.get(f"/review/{submitted}").status_code == 404  # not released yet
    reviewer, rauth = login(app, "reviewer")
    reviewer.post(f"/review/{submitted}/decide", data={"decision": "approve", "csrf_token": rauth.token()})
    page = manager.get(f"/review/{submitted}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "mystery shopper" in body and "Shopper" not in body.split("History")[0]
    outsider, _ = login(app, other)
    assert outsider.get(f"/review/{submitted}").status_code == 404


def test_return_needs_a_note_and_reopens_for_the_auditor(app, client, auth, submitted, db):
    reviewer, rauth = login(app, "reviewer")
    r = reviewer.post(f"/review/{submitted}/decide", data={"decision": "return", "csrf_token": rauth.token()})
    assert r.status_code == 422
    r = reviewer.post(f"/review/{submitted}/decide",
                      data={"decision": "return", "comment": "사진이 흐립니다", "csrf_token": rauth.token()})
    assert r.status_code == 302
    assert next(db.query("SELECT status FROM visits WHERE id = ?", [submitted]))["status"] == "returned"
    page = client.get(f"/visits/{submitted}/submit").get_data(as_text=True)
    assert "사진이 흐립니다" in page
    assert client.post(f"/visits/{submitted}/submit", data={"csrf_token": auth.token()}).status_code == 302


def test_auditor_and_planner_cannot_decide(app, client, auth, submitted):
    assert client.post(f"/review/{submitted}/decide",
                       data={"decision": "approve", "csrf_token": auth.token()}).status_code == 403
    planner, pauth = login(app, "planner")
    assert planner.post(f"/review/{submitted}/decide",
                        data={"decision": "approve", "csrf_token": pauth.token()}).status_code == 403
    assert planner.get(f"/review/{submitted}").status_code == 403


def test_reviewer_comment_needs_text(app, submitted, db):
    reviewer, rauth = login(app, "reviewer")
    bad = reviewer.post(f"/review/{submitted}/comment", data={"body": "  ", "csrf_token": rauth.token()})
    assert bad.status_code == 422
    ok = reviewer.post(f"/review/{submitted}/comment", data={"body": "좋은 관찰", "csrf_token": rauth.token()})
    assert ok.status_code == 302
    assert "좋은 관찰" in reviewer.get(f"/review/{submitted}").get_data(as_text=True)


def test_assignment_form_keeps_values_and_names_errors(app, db):
    manager, auth = login(app, "manager")
    r = manager.post("/assignments", data={"window_start": "2026-12-05", "window_end": "2026-12-01",
                                           "note": "점심 피크", "csrf_token": auth.token()},
                     headers={"Accept-Language": "en"})
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert 'id="err-window_end"' in body and 'id="err-store_id"' in body and "점심 피크" in body
    foreign = next(db.query("SELECT id FROM stores WHERE code = 'HU03'"))["id"]
    checklist = next(db.query("SELECT id FROM checklists LIMIT 1"))["id"]
    auditor = next(db.query("SELECT id FROM users WHERE username = 'shopper'"))["id"]
    r = manager.post("/assignments", data={"store_id": foreign, "checklist_row_id": checklist,
                                           "auditor_id": auditor, "window_start": "2026-12-01",
                                           "window_end": "2026-12-02", "csrf_token": auth.token()})
    assert r.status_code == 422
    own = next(db.query("SELECT id FROM stores WHERE code = 'GN01'"))["id"]
    r = manager.post("/assignments", data={"store_id": own, "checklist_row_id": checklist,
                                           "auditor_id": auditor, "window_start": "2026-12-01",
                                           "window_end": "2026-12-02", "covert": "1",
                                           "csrf_token": auth.token()})
    assert r.status_code == 422  # a store never plans its own mystery shop (issue 12)
    staff = next(db.query("SELECT id FROM users WHERE username = 'staff'"))["id"]
    r = manager.post("/assignments", data={"store_id": own, "checklist_row_id": checklist,
                                           "auditor_id": staff, "window_start": "2026-12-01",
                                           "window_end": "2026-12-02", "csrf_token": auth.token()})
    assert r.status_code == 302
