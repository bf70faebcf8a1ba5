"""Reviewer quality control: a correction keeps old and new value, who and why, and
shows in the visit report and the audit log; comments are internal or for the store."""

from __future__ import annotations

import json

import pytest

from tests.audit_helpers import doughnut
from tests.test_review import submitted  # noqa: F401  (fixture: a submitted visit)


@pytest.fixture
def reviewer(app):
    from tests.conftest import Auth
    client = app.test_client()
    auth = Auth(client)
    auth.login("reviewer")
    return client, auth


def yes_no_item():
    return next(i for i in doughnut().items() if i.type == "yes_no")


def test_correction_shows_in_the_visit_report_and_the_audit_log(app, submitted, reviewer, db):  # noqa: F811
    client, auth = reviewer
    item = yes_no_item()
    before = next(db.query("SELECT score FROM visits WHERE id = ?", [submitted]))["score"]
    r = client.post(f"/review/{submitted}/items/{item.key}/correct",
                    data={"value": "no", "reason": "영수증 사진과 다릅니다", "csrf_token": auth.token()})
    assert r.status_code == 302
    row = next(db.query("SELECT * FROM answer_corrections WHERE visit_id = ?", [submitted]))
    assert (json.loads(row["old_json"]), json.loads(row["new_json"]), row["reason"]) == \
        ("yes", "no", "영수증 사진과 다릅니다")
    stored = next(db.query("SELECT value_json FROM answers WHERE visit_id = ? AND item_key = ?",
                           [submitted, item.key]))["value_json"]
    assert json.loads(stored) == "no"
    assert next(db.query("SELECT score FROM visits WHERE id = ?", [submitted]))["score"] < before
    log = next(db.query("SELECT a.detail, u.username FROM audit_log a JOIN users u ON u.id = a.actor_id "
                        "WHERE a.action = 'correct_answer' AND a.object_id = ?", [submitted]))
    assert log["username"] == "reviewer" and item.key in log["detail"] and "영수증" in log["detail"]
    report = client.get(f"/reports/visits/{submitted}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Corrected by" in report and "영수증 사진과 다릅니다" in report and "<del>yes</del>" in report
    from tests.conftest import Auth
    admin = app.test_client()
    Auth(admin).login("admin")
    log_page = admin.get("/admin/audit-log", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "영수증 사진과 다릅니다" in log_page


def test_correction_needs_a_reason_and_a_valid_value(app, submitted, reviewer, db):  # noqa: F811
    client, auth = reviewer
    item = yes_no_item()
    r = client.post(f"/review/{submitted}/items/{item.key}/correct",
                    data={"value": "maybe", "reason": "", "csrf_token": auth.token()})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert html.count('class="field-error"') >= 2 and "correct-answer\" open" in html
    assert db.execute("SELECT count(*) FROM answer_corrections").fetchone()[0] == 0


def test_internal_comments_stay_off_the_store_report(app, submitted, reviewer, db):  # noqa: F811
    client, auth = reviewer
    for body, audience in (("내부 메모: 사진 재확인", "internal"), ("매장에 전달: 진열 정리", "store")):
        client.post(f"/review/{submitted}/comment", data={"body": body, "audience": audience,
                                                          "csrf_token": auth.token()})
    page = client.get(f"/review/{submitted}").get_data(as_text=True)
    assert "내부 메모" in page and "매장에 전달" in page
    report = client.get(f"/reports/visits/{submitted}").get_data(as_text=True)
    assert "매장에 전달" in report and "내부 메모" not in report


def test_return_note_error_is_next_to_the_decision_form(app, submitted, reviewer):  # noqa: F811
    client, auth = reviewer
    r = client.post(f"/review/{submitted}/decide", data={"decision": "return", "comment": "",
                                                         "csrf_token": auth.token()})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    form = html[html.index('class="card decide"'):]
    assert 'class="field-error"' in form[:form.index("</form>")]


def test_proof_of_visit_shows_distance_timeline_and_flags(app, db):
    """Started 1.1 km from a located store, marks out of order: both flagged on the review page."""
    from datetime import UTC, datetime, timedelta

    from fieldapp.audit import view_models, workflow
    from fieldapp.review import proof
    from fieldapp.storage import checklist_store, visits
    user = next(db.query("SELECT id FROM users WHERE username = 'shopper'"))["id"]
    store = next(db.query("SELECT id FROM stores WHERE code = 'HD02'"))["id"]
    db.execute("UPDATE stores SET latitude = 37.55630, longitude = 126.92240 WHERE id = ?", [store])
    row = next(r for r in checklist_store.latest_checklists(db) if r["checklist_id"] == "doughnut-mystery-shop")
    visit_id = visits.create_visit(db, checklist_row_id=row["id"], store_id=store, auditor_id=user, covert=True,
                                   latitude=37.56630, longitude=126.92240)
    t0 = datetime.now(UTC)
    for event, minutes in (("queue_joined", 0), ("greeted", -1)):  # greeted before joining: out of order
        workflow.mark_event(db, visit_id=visit_id, event=event, user_id=user,
                            at=(t0 + timedelta(minutes=minutes)).isoformat(timespec="milliseconds"))
    found = proof.proof_of(db, view_models.build(db, visits.get_visit(db, visit_id)))
    assert 1100 <= found.distance_m <= 1125  # 0.01 degree of latitude
    assert [e["event"] for e, _s in found.timeline] == ["greeted", "queue_joined"]
    assert {code for code, _p in found.flags} >= {"far_from_store", "out_of_order"}


def test_queue_flags_waiting_time_and_resubmissions(app, submitted, reviewer, db):  # noqa: F811
    client, auth = reviewer
    db.execute("UPDATE visits SET submitted_at = datetime('now', '-50 hours') WHERE id = ?", [submitted])
    db.execute("INSERT INTO visit_events (visit_id, from_status, to_status, at) "
               "VALUES (?, 'returned', 'submitted', datetime('now'))", [submitted])
    home = client.get("/home", headers={"Accept-Language": "en"}).get_data(as_text=True)
    row = home[home.index(f'href="/review/{submitted}"'):]
    row = row[:row.index("</li>")]
    assert "waiting 2 d 2 h" in row and "resubmitted (2×)" in row


def test_proof_flags_a_visit_started_outside_its_assignment_window(app, db):
    from fieldapp.audit import view_models
    from fieldapp.review import proof
    from fieldapp.storage import visits
    assignment = next(db.query("SELECT a.* FROM assignments a JOIN users u ON u.id = a.auditor_id "
                               "WHERE u.username = 'shopper' ORDER BY a.id LIMIT 1"))
    db.execute("UPDATE assignments SET window_start = '2026-01-05', window_end = '2026-01-09' WHERE id = ?",
               [assignment["id"]])
    visit_id = visits.create_visit(db, checklist_row_id=assignment["checklist_row_id"],
                                   store_id=assignment["store_id"], auditor_id=assignment["auditor_id"],
                                   covert=True, assignment_id=assignment["id"],
                                   started_at="2026-01-12T01:00:00+00:00")
    found = proof.proof_of(db, view_models.build(db, visits.get_visit(db, visit_id)))
    assert ("outside_window", {"day": "2026-01-12", "start": "2026-01-05", "end": "2026-01-09"}) in found.flags


def test_a_returned_visit_is_on_top_of_the_auditors_home_with_the_note(app, client, auth, submitted, reviewer):  # noqa: F811
    rclient, rauth = reviewer
    rclient.post(f"/review/{submitted}/decide", data={"decision": "return", "comment": "영수증 사진을 다시 찍어 주세요",
                                                      "csrf_token": rauth.token()})
    home = client.get("/home").get_data(as_text=True)
    assert 'id="returned"' in home
    if 'id="assignments"' in home:  # the returned visit comes before new assignments
        assert home.index('id="returned"') < home.index('id="assignments"')
    assert "영수증 사진을 다시 찍어 주세요" in home[home.index('id="returned"'):]
    stage = client.get(f"/visits/{submitted}/stage/2").get_data(as_text=True)
    assert "영수증 사진을 다시 찍어 주세요" in stage
