"""Exactly once, always: races against the real server (gunicorn, 2 workers x 4 threads).

Phones are threads with their own sessions and a fresh connection per request,
released together by a barrier; the database file is then read back.
"""

from __future__ import annotations

import threading

import pytest

from checklists import score_visit
from fieldapp.audit import workflow
from fieldapp.storage import actions as action_store
from fieldapp.storage import users, visits
from fieldapp.storage.db import connect
from tests.audit_helpers import doughnut, start_assignment
from tests.conftest import Auth, make_app
from tests.live_server import Phone, served
from tests.test_audit_flow import complete_visit

PHONES = 8


def _together(work, n=PHONES):
    """Run ``work(i)`` in n threads released at the same moment; return their results."""
    barrier, results = threading.Barrier(n), [None] * n

    def run(i):
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _open_assignment(db, username="shopper") -> int:
    user = users.get_by_username(db, username)
    row = db.execute("SELECT a.id FROM assignments a WHERE a.auditor_id = ? AND a.status = 'open' "
                     "AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.assignment_id = a.id) "
                     "ORDER BY a.id LIMIT 1", [user["id"]]).fetchone()
    assert row, "the demo has an open assignment for the shopper"
    return row[0]


def test_one_assignment_started_from_many_phones_at_once_gives_one_visit(instance):
    """Eight phones of the same shopper tap Start together: one visit, and every phone is sent to it."""
    db = connect(str(instance / "cem.sqlite3"))
    assignment_id = _open_assignment(db)
    with served(instance) as base:
        phones = [Phone(base) for _ in range(PHONES)]
        for phone in phones:
            assert phone.login("shopper").status_code == 302
        replies = _together(lambda i: phones[i].post(f"/assignments/{assignment_id}/start",
                                                     data={"csrf_token": phones[i].token}))
    assert [r.status_code for r in replies] == [302] * PHONES
    assert len({r.headers["Location"] for r in replies}) == 1
    count = db.execute("SELECT count(*) FROM visits WHERE assignment_id = ?", [assignment_id]).fetchone()[0]
    db.close()
    assert count == 1


def _answered_visit(instance) -> int:
    """A draft visit of the shopper with every item answered (passing), ready to submit."""
    client = make_app(instance).test_client()
    auth = Auth(client)
    visit_id = start_assignment(client, auth)
    complete_visit(client, auth.token(), visit_id, doughnut())
    return visit_id


def test_an_answer_racing_the_submit_lands_before_the_frozen_score_or_gets_409(instance):
    """Answers flipping an item while the visit is submitted: each is stored before the
    score is frozen (and counted in it) or refused with 409; none contradicts the score."""
    visit_id = _answered_visit(instance)
    db = connect(str(instance / "cem.sqlite3"))
    item = next(i for i in doughnut().items() if i.type == "yes_no" and not i.photo_on_fail)
    with served(instance) as base:
        phones = [Phone(base) for _ in range(PHONES)]
        for phone in phones:
            phone.login("shopper")

        def work(i):
            if i == 0:
                return phones[0].post(f"/visits/{visit_id}/submit", data={"csrf_token": phones[0].token})
            return [phones[i].post(f"/visits/{visit_id}/items/{item.key}",
                                   data={"value": ("no", "yes")[(i + k) % 2]},
                                   headers={"HX-Request": "true"}) for k in range(4)]

        replies = _together(work)
    submitted = replies[0]
    answers = [r for rs in replies[1:] for r in rs]
    assert submitted.status_code == 302
    assert {r.status_code for r in answers} <= {200, 409}
    visit = visits.get_visit(db, visit_id)
    assert visit["status"] == "submitted"
    checklist = doughnut()
    fresh = score_visit(checklist, workflow.scoring_answers(db, checklist, visit_id))
    assert fresh.score == visit["score"]
    stored = visits.answers_of(db, visit_id)[item.key]
    assert stored["updated_at"] <= visit["submitted_at"]
    db.close()


def test_an_answer_to_a_submitted_visit_is_refused_by_storage(instance):
    """The check sits in the same transaction as the write, not only in the route."""
    visit_id = _answered_visit(instance)
    db = connect(str(instance / "cem.sqlite3"))
    user_id = visits.get_visit(db, visit_id)["auditor_id"]
    workflow.submit(db, visit_id, user_id)
    item = next(i for i in doughnut().items() if i.type == "yes_no" and not i.photo_on_fail)
    with pytest.raises(visits.Frozen):
        visits.save_answer(db, visit_id=visit_id, item_key=item.key, value="no", user_id=user_id)
    with pytest.raises(visits.Frozen):
        visits.set_stage_note(db, visit_id=visit_id, stage_key=doughnut().stages[0].key, emotion=1)
    with pytest.raises(visits.Frozen):
        workflow.mark_event(db, visit_id=visit_id, event="late_event", at="2026-01-01T00:00:00+00:00",
                            user_id=user_id)
    db.close()


def test_a_corrective_action_marked_done_at_once_from_many_phones_is_done_once(instance):
    """Eight managers' taps on Done together: one done, one thread entry, one audit-log line."""
    db = connect(str(instance / "cem.sqlite3"))
    action = db.execute("SELECT id FROM actions WHERE status = 'open' ORDER BY id LIMIT 1").fetchone()
    assert action, "the demo has an open action"
    action_id = action[0]
    with served(instance) as base:
        phones = [Phone(base) for _ in range(PHONES)]
        for phone in phones:
            assert phone.login("manager").status_code == 302
        replies = _together(lambda i: phones[i].post(f"/actions/{action_id}/done",
                                                     data={"csrf_token": phones[i].token}))
    codes = sorted(r.status_code for r in replies)
    assert codes.count(302) == 1 and set(codes) <= {302, 409}
    logged = db.execute("SELECT count(*) FROM audit_log WHERE action = 'action_done' AND object_id = ?",
                        [str(action_id)]).fetchone()[0]
    assert logged == 1 and action_store.get_action(db, action_id)["status"] == "done"
    db.close()


def test_completing_an_action_twice_with_a_stale_read_counts_once(instance):
    """The done-once rule sits in the UPDATE (WHERE status = 'open'), not in the route's
    read: two requests that both read "open" still make one done and one log line."""
    from fieldapp.actions import workflow as action_workflow

    db = connect(str(instance / "cem.sqlite3"))
    action_id = db.execute("SELECT id FROM actions WHERE status = 'open' ORDER BY id LIMIT 1").fetchone()[0]
    manager = users.get_by_username(db, "manager")
    stale = action_store.get_action(db, action_id)  # both requests read it while open
    action_workflow.complete(db, stale, actor_id=manager["id"])
    with pytest.raises(Exception):  # noqa: B017  (the old code raised nothing: that is the bug)
        action_workflow.complete(db, stale, actor_id=manager["id"])
    logged = db.execute("SELECT count(*) FROM audit_log WHERE action = 'action_done' AND object_id = ?",
                        [str(action_id)]).fetchone()[0]
    assert logged == 1
    db.close()
