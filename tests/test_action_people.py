"""Actions owned by people: assignment to store staff, edit and reassign recorded,
the thread with photos, list filters, the staff role, reminders, disputes, inbox."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

from fieldapp.actions import reminders
from fieldapp.storage import actions as action_store
from fieldapp.storage import notify as store
from tests.audit_helpers import jpeg_bytes
from tests.test_reports import EN, login

FUTURE = (date.today() + timedelta(days=10)).isoformat()


def ids(db) -> dict:
    return {r["username"]: r["id"] for r in db.query("SELECT id, username FROM users")}


def hu03_failed(db) -> tuple[int, str]:
    row = next(db.query("SELECT v.id, v.score_json FROM visits v JOIN stores s ON s.id = v.store_id "
                        "WHERE s.code = 'HU03' AND v.status = 'released' AND "
                        "json_array_length(v.score_json, '$.failed_items') > 0 ORDER BY v.started_at DESC"))
    return row["id"], json.loads(row["score_json"])["failed_items"][0]


def create_for_crew(app, db, **extra):
    manager, auth = login(app, "manager2")
    visit_id, key = hu03_failed(db)
    r = manager.post(f"/visits/{visit_id}/actions", data={
        "item_key": key, "owner_id": ids(db)["crew"], "due_date": FUTURE, "priority": "high", "note": "닦기",
        "csrf_token": auth.token(), **extra})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return manager, auth, int(r.headers["Location"].rsplit("/", 1)[1])


def test_assigning_to_store_staff_tells_them(app, db):
    """The owner is a user of the store; they get an 'action assigned' notification."""
    _m, _a, action_id = create_for_crew(app, db)
    action = action_store.get_action(db, action_id)
    assert (action["owner_id"], action["priority"], action["owner_name"]) == (ids(db)["crew"], "high", "한매장 Crew Han")
    rows = store.inbox(db, ids(db)["crew"])
    assert [(r["event"], r["link"]) for r in rows] == [("action_assigned", f"/actions/{action_id}")]


def test_owner_must_be_a_person_of_the_store(app, db):
    """Another store's manager cannot own HU03's action: 422 next to the field."""
    manager, auth = login(app, "manager2")
    visit_id, key = hu03_failed(db)
    r = manager.post(f"/visits/{visit_id}/actions", data={
        "item_key": key, "owner_id": ids(db)["manager"], "due_date": FUTURE, "priority": "normal",
        "note": "x", "csrf_token": auth.token()}, headers=EN)
    assert r.status_code == 422 and 'id="err-owner_id"' in r.get_data(as_text=True)


def test_edit_and_reassign_are_recorded_in_the_thread(app, db):
    """Reassigning to the manager and changing the due date: one thread entry naming both changes."""
    manager, auth, action_id = create_for_crew(app, db)
    later = (date.today() + timedelta(days=20)).isoformat()
    r = manager.post(f"/actions/{action_id}/edit", data={
        "owner_id": ids(db)["manager2"], "due_date": later, "priority": "high", "note": "닦기",
        "csrf_token": auth.token()})
    assert r.status_code == 302
    last = action_store.events_of(db, action_id)[-1]
    assert last["kind"] == "reassigned"
    assert last["detail"] == {"owner": ["한매장 Crew Han", "박점장 Manager Park"], "due_date": [FUTURE, later]}
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'action_reassign' AND object_id = ?",
                      [str(action_id)]).fetchone()[0] == 1
    page = manager.get(f"/actions/{action_id}", headers=EN).get_data(as_text=True)
    assert "Reassigned to 박점장 Manager Park." in page


def test_staff_see_only_their_store_and_finish_with_a_photo(app, db):
    """Store staff: their store's actions only; they comment and mark done with a photo,
    but cannot edit or create actions."""
    _m, _a, action_id = create_for_crew(app, db)
    crew, auth = login(app, "crew")
    listing = crew.get("/actions").get_data(as_text=True)
    other = next(db.query("SELECT a.id FROM actions a JOIN stores s ON s.id = a.store_id WHERE s.code = 'GN01'"))
    assert f"/actions/{action_id}" in listing and f"/actions/{other['id']}\"" not in listing
    assert crew.get(f"/actions/{other['id']}").status_code == 404
    assert crew.post(f"/actions/{action_id}/edit", data={"csrf_token": auth.token()}).status_code == 403
    r = crew.post(f"/actions/{action_id}/comments", data={
        "csrf_token": auth.token(), "body": "세제 주문했습니다", "photo": (io.BytesIO(jpeg_bytes()), "a.jpg")},
        content_type="multipart/form-data")
    assert r.status_code == 302
    r = crew.post(f"/actions/{action_id}/done", data={
        "csrf_token": auth.token(), "photo": (io.BytesIO(jpeg_bytes()), "b.jpg")}, content_type="multipart/form-data")
    assert r.status_code == 302
    action = action_store.get_action(db, action_id)
    assert action["status"] == "done" and action["evidence_photo_id"]
    thread = action_store.events_of(db, action_id)
    assert [e["kind"] for e in thread] == ["created", "comment", "done"]
    assert crew.get(f"/actions/{action_id}/photos/{thread[1]['photo_id']}/thumb").status_code == 200
    # the visit's own photos stay out of reach of store staff
    visit_photo = next(db.query("SELECT id FROM photos WHERE visit_id = ? AND item_key NOT LIKE 'action:%'",
                                [action["visit_id"]]), None)
    if visit_photo:
        assert crew.get(f"/photos/{visit_photo['id']}/thumb").status_code == 404
        assert crew.get(f"/actions/{action_id}/photos/{visit_photo['id']}/thumb").status_code == 404
    # the managers hear it is done
    assert [r["event"] for r in store.inbox(db, ids(db)["manager2"])][0] == "action_done"
    assert crew.post(f"/actions/{action_id}/done", data={"csrf_token": auth.token()}).status_code == 409


def test_list_filters(app, db):
    """Store, owner, status, overdue and item narrow the list (htmx gets the list alone)."""
    _m, _a, action_id = create_for_crew(app, db)
    manager, _auth = login(app, "manager2")
    crew_id = ids(db)["crew"]
    page = manager.get(f"/actions?owner={crew_id}&status=open", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert page.startswith('<section class="card" id="action-list"')
    expected = {r["id"] for r in db.query("SELECT id FROM actions WHERE owner_id = ? AND status = 'open'", [crew_id])}
    assert {int(x) for x in __import__("re").findall(r'href="/actions/(\d+)"', page)} == expected
    assert action_id in expected
    key = action_store.get_action(db, action_id)["item_key"]
    page = manager.get(f"/actions?item={key}").get_data(as_text=True)
    assert f'href="/actions/{action_id}"' in page
    overdue = manager.get("/actions?overdue=1").get_data(as_text=True)
    assert f'href="/actions/{action_id}"' not in overdue and 'action-row overdue' in overdue


def test_reminders_go_once(app, db):
    """Due tomorrow: the owner; overdue: owner and managers; running again sends nothing."""
    _m, _a, action_id = create_for_crew(app, db)
    today = date.today().isoformat()
    with db.atomic():
        db.execute("UPDATE actions SET due_date = ? WHERE id = ?", [(date.today() + timedelta(days=1)).isoformat(),
                                                                   action_id])
    with app.app_context():
        first = reminders.remind(db, today=today)
        assert reminders.remind(db, today=today) == {"due_tomorrow": 0, "overdue": 0}
    assert first["due_tomorrow"] >= 1
    def mine(user):
        return [r["event"] for r in store.inbox(db, ids(db)[user]) if r["link"] == f"/actions/{action_id}"]

    assert mine("crew") == ["action_due_tomorrow", "action_assigned"]
    with app.app_context():
        reminders.remind(db, today=(date.today() + timedelta(days=2)).isoformat())
        reminders.remind(db, today=(date.today() + timedelta(days=3)).isoformat())
    assert mine("crew") == ["action_overdue", "action_due_tomorrow", "action_assigned"]
    assert mine("manager2") == ["action_overdue"]


def test_dispute_accepted_makes_the_item_na_and_rescores(app, db):
    """Manager disputes, reviewer accepts: item N/A, stored score recomputed, logged, manager told."""
    visit_id, key = hu03_failed(db)
    before = next(db.query("SELECT score, score_json FROM visits WHERE id = ?", [visit_id]))
    manager, mauth = login(app, "manager2")
    r = manager.post(f"/visits/{visit_id}/disputes/new?item={key}", data={"reason": "그날 공사 중", "csrf_token": mauth.token()})
    assert r.status_code == 302
    dispute_id = int(r.headers["Location"].rsplit("/", 1)[1])
    assert "dispute_raised" in [n["event"] for n in store.inbox(db, ids(db)["reviewer"])]
    reviewer, rauth = login(app, "reviewer")
    r = reviewer.post(f"/disputes/{dispute_id}/decide", data={"decision": "accept", "reply": "확인했습니다",
                                                              "csrf_token": rauth.token()})
    assert r.status_code == 302
    after = next(db.query("SELECT score, score_json FROM visits WHERE id = ?", [visit_id]))
    assert key not in json.loads(after["score_json"])["failed_items"]
    assert key in json.loads(before["score_json"])["failed_items"]
    assert after["score"] != before["score"]
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'dispute_accept' AND object_id = ?",
                      [str(visit_id)]).fetchone()[0] == 1
    assert "dispute_accepted" in [n["event"] for n in store.inbox(db, ids(db)["manager2"])]
    again = reviewer.post(f"/disputes/{dispute_id}/decide", data={"decision": "reject", "reply": "x",
                                                                  "csrf_token": rauth.token()})
    assert again.status_code == 409


def test_dispute_rejected_needs_a_reply(app, db):
    """Rejecting without a reply: 422 and still open; with one: rejected, score unchanged, manager told."""
    visit_id, key = hu03_failed(db)
    before = next(db.query("SELECT score FROM visits WHERE id = ?", [visit_id]))["score"]
    manager, mauth = login(app, "manager2")
    r = manager.post(f"/visits/{visit_id}/disputes/new?item={key}", data={"reason": "아님", "csrf_token": mauth.token()})
    dispute_id = int(r.headers["Location"].rsplit("/", 1)[1])
    reviewer, rauth = login(app, "reviewer")
    r = reviewer.post(f"/disputes/{dispute_id}/decide", data={"decision": "reject", "reply": "", "csrf_token": rauth.token()})
    assert r.status_code == 422
    r = reviewer.post(f"/disputes/{dispute_id}/decide", data={"decision": "reject", "reply": "사진에 보입니다",
                                                              "csrf_token": rauth.token()})
    assert r.status_code == 302
    assert next(db.query("SELECT status, reply FROM disputes WHERE id = ?", [dispute_id])) == \
        {"status": "rejected", "reply": "사진에 보입니다"}
    assert next(db.query("SELECT score FROM visits WHERE id = ?", [visit_id]))["score"] == before
    assert "dispute_rejected" in [n["event"] for n in store.inbox(db, ids(db)["manager2"])]


def test_bell_inbox_read_unread_and_settings(app, db):
    """The bell counts unread; opening marks read; unread again; muting an event stops it
    (except urgent ones)."""
    from fieldapp.notify import workflow as notify

    manager, auth = login(app, "manager2")
    me = ids(db)["manager2"]
    with app.app_context():
        notify.send(db, event="visit_released", recipients=[me], params={"store": "HU03", "score": "80",
                                                                          "date": "2026-11-30", "failed": 1},
                    link="/home")
    home = manager.get("/home").get_data(as_text=True)
    assert '<span class="bell-count">1</span>' in home
    note = store.inbox(db, me)[0]
    r = manager.post(f"/inbox/{note['id']}/open", data={"csrf_token": auth.token()})
    assert r.status_code == 302 and r.headers["Location"] == "/home"
    assert store.unread_count(db, me) == 0
    manager.post(f"/inbox/{note['id']}/read", data={"read": "0", "csrf_token": auth.token()})
    assert store.unread_count(db, me) == 1
    other, oauth = login(app, "manager")
    assert other.post(f"/inbox/{note['id']}/open", data={"csrf_token": oauth.token()}).status_code == 404
    # mute everything that can be muted
    r = manager.post("/settings/notifications", data={"email": "park@example.com", "mode": "digest",
                                                      "csrf_token": auth.token()})
    assert r.status_code == 302
    with app.app_context():
        notify.send(db, event="visit_released", recipients=[me], params={}, link=None)
        notify.send(db, event="critical_failed", recipients=[me], params={}, link=None)
    assert [n["event"] for n in store.inbox(db, me)][:2] == ["critical_failed", "visit_released"]
    bad = manager.post("/settings/notifications", data={"email": "not-an-address", "mode": "now",
                                                        "csrf_token": auth.token()}, headers=EN)
    assert bad.status_code == 422 and "not-an-address" in bad.get_data(as_text=True)


def test_returned_visit_tells_its_auditor_with_the_note(app, db):
    """Return to the auditor: their inbox gets the reviewer's note and a link to the visit."""
    visit = next(db.query("SELECT v.id, v.auditor_id FROM visits v WHERE v.status = 'submitted' ORDER BY v.id"))
    reviewer, auth = login(app, "reviewer")
    r = reviewer.post(f"/review/{visit['id']}/decide", data={"decision": "return", "comment": "사진을 더 찍어 주세요",
                                                             "csrf_token": auth.token()})
    assert r.status_code == 302
    rows = store.inbox(db, visit["auditor_id"])
    assert [(n["event"], n["params"]["note"], n["link"]) for n in rows] == \
        [("visit_returned", "사진을 더 찍어 주세요", f"/visits/{visit['id']}")]


def test_periodic_tasks_run_for_real(app, db):
    """Each periodic task runs its real work against this instance (Huey's immediate mode)."""
    from fieldapp.ops import tasks

    with app.app_context():
        assert set(tasks.action_reminders.call_local()) == {"due_tomorrow", "overdue"}
        assert tasks.daily_digests.call_local() == 0
        assert tasks.deliver_mail_periodically.call_local() == {"sent": 0, "failed": 0}
        assert isinstance(tasks.rolling_horizon.call_local(), dict)
        assert tasks.customer_voice_retention.call_local() >= 0
    # the demo's overdue actions were reminded, once
    assert db.execute("SELECT count(*) FROM action_reminders WHERE kind = 'overdue'").fetchone()[0] >= 1


def test_admin_sees_the_outbox(app, db):
    """The outbox page lists waiting mail with its last error; 'retry now' makes it due."""
    store.enqueue_mail(db, to_addr="x@sweetring.example", subject="제목", body="본문", locale="ko")
    mail_id = db.execute("SELECT max(id) FROM mail_outbox").fetchone()[0]
    store.mark_failed(db, mail_id, "ConnectionRefusedError: [Errno 111]")
    admin, auth = login(app, "admin")
    page = admin.get("/admin/outbox", headers=EN).get_data(as_text=True)
    assert "x@sweetring.example" in page and "Errno 111" in page
    assert admin.post("/admin/outbox", data={"csrf_token": auth.token()}).status_code == 302
    from fieldapp.storage import now

    assert store.claim_due_mail(db, at=now())[0]["id"] == mail_id  # due again at once
