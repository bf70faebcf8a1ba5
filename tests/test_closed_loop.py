"""Verification that is right: only a later released visit that asked, answered and
passed the item verifies an action; failing it again reopens (or follows up);
N/A, unanswered and skipped items prove nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from checklists import load_checklist_text
from fieldapp.actions import loop, workflow
from fieldapp.audit import workflow as visit_service
from fieldapp.storage import actions as action_store
from fieldapp.storage import checklist_store, visits

CHECKLIST = """
id: loop-test
version: 1
kind: mystery_shop
title: {ko: 순환 점검, en: Loop check}
pass_score: 50
stages:
  - key: s
    title: {ko: 매장, en: Store}
    journey_stage: purchase
    touchpoints:
      - key: t
        title: {ko: 계산대, en: Counter}
        importance: 3
        items:
          - key: counter_clean
            type: yes_no_na
            critical: true
            title: {ko: 계산대가 깨끗하다, en: The counter is clean}
          - key: has_testers
            type: yes_no
            title: {ko: 테스터가 있다, en: There are testers}
          - key: testers_clean
            type: yes_no
            relevant: "${has_testers} = 'yes'"
            title: {ko: 테스터가 깨끗하다, en: The testers are clean}
"""
T0 = datetime(2026, 11, 1, 3, 0, tzinfo=timezone.utc)


def at(days: float) -> str:
    return (T0 + timedelta(days=days)).isoformat(timespec="seconds")


@pytest.fixture
def world(app, db):
    """The test checklist stored, HU03, its manager, the shopper and the reviewer."""
    with app.app_context():
        row_id = checklist_store.save_checklist(db, load_checklist_text(CHECKLIST))
    ids = {r["username"]: r["id"] for r in db.query("SELECT id, username FROM users")}
    store = next(db.query("SELECT id FROM stores WHERE code = 'HU03'"))["id"]
    return {"row": row_id, "store": store, **ids}


def released(app, db, world, answers: dict, day: float) -> dict:
    """A visit with these answers, submitted and released through the real workflow."""
    visit_id = visits.create_visit(db, checklist_row_id=world["row"], store_id=world["store"],
                                   auditor_id=world["shopper"], covert=True, started_at=at(day))
    for key, value in answers.items():
        visits.save_answer(db, visit_id=visit_id, item_key=key, value=value, user_id=world["shopper"])
    score = visit_service.score_of(db, visit_id)
    with db.atomic():
        visits.transition(db, visit_id=visit_id, to_status="submitted", actor_id=world["shopper"],
                          fields={"score": score.score, "passed": int(score.passed),
                                  "score_json": json.dumps(visit_service._jsonable(score))})
    with app.test_request_context():
        loop.release(db, visit_id, actor_id=world["reviewer"], comment="", today=at(day)[:10])
    return visits.get_visit(db, visit_id)


def action_on(app, db, world, visit: dict, key: str, *, done_day: float | None) -> int:
    with app.test_request_context():
        action_id = workflow.create(db, visit=visit, item_key=key, owner_id=world["crew"], owner_name="crew",
                                    due_date="2026-12-31", note="", actor_id=world["manager2"])
        if done_day is not None:
            workflow.complete(db, action_store.get_action(db, action_id), actor_id=world["crew"])
            with db.atomic():
                db.execute("UPDATE actions SET done_at = ? WHERE id = ?", [at(done_day), action_id])
    return action_id


def status(db, action_id: int) -> dict:
    return action_store.get_action(db, action_id)


BASE = {"counter_clean": "no", "has_testers": "yes", "testers_clean": "no"}


@pytest.mark.parametrize("key, later, expected", [
    ("counter_clean", {"counter_clean": "yes"}, "verified"),          # passed
    ("counter_clean", {"counter_clean": "no"}, "open"),               # failed again: reopened
    ("counter_clean", {"counter_clean": "na"}, "done"),               # N/A proves nothing
    ("counter_clean", {"has_testers": "no"}, "done"),                 # unanswered proves nothing
    ("testers_clean", {"has_testers": "no", "testers_clean": "yes"}, "done"),  # skipped: stale answer ignored
    ("testers_clean", {"has_testers": "yes", "testers_clean": "yes"}, "verified"),
])
def test_later_released_visit_decides_only_when_it_answered_the_item(app, db, world, key, later, expected):
    """Pass verifies, fail reopens; N/A, unanswered and skipped leave the action done."""
    first = released(app, db, world, BASE, 0)
    action_id = action_on(app, db, world, first, key, done_day=1)
    visit = released(app, db, world, later, 2)
    action = status(db, action_id)
    assert action["status"] == expected
    assert action["verified_visit_id"] == (visit["id"] if expected == "verified" else None)
    assert action["reopened_visit_id"] == (visit["id"] if expected == "open" else None)
    kinds = [e["kind"] for e in action_store.events_of(db, action_id)]
    assert kinds[-1] == {"verified": "verified", "open": "reopened", "done": "done"}[expected]


def test_failing_again_is_never_credited_to_an_earlier_passing_visit(app, db, world):
    """The bug: releasing a visit that failed the item again marked the action verified,
    credited to an older visit. The released visit decides, and it reopens."""
    first = released(app, db, world, BASE, 0)
    action_id = action_on(app, db, world, first, "counter_clean", done_day=1)
    # an older visit (started before the fix) that passed is released late: it proves nothing
    released(app, db, world, {**BASE, "counter_clean": "yes"}, 0.5)
    assert status(db, action_id)["status"] == "done"
    failing = released(app, db, world, BASE, 3)
    action = status(db, action_id)
    assert (action["status"], action["verified_visit_id"], action["reopened_visit_id"]) == \
        ("open", None, failing["id"])


def test_a_verified_action_that_fails_again_gets_a_linked_follow_up(app, db, world):
    """Verified, then failed again later: a high-priority follow-up linked to it, same owner."""
    first = released(app, db, world, BASE, 0)
    action_id = action_on(app, db, world, first, "counter_clean", done_day=1)
    passing = released(app, db, world, {**BASE, "counter_clean": "yes"}, 2)
    assert status(db, action_id)["verified_visit_id"] == passing["id"]
    failing = released(app, db, world, BASE, 4)
    follow = next(db.query("SELECT * FROM actions WHERE follow_up_of = ?", [action_id]))
    assert (follow["visit_id"], follow["owner_id"], follow["priority"], follow["status"]) == \
        (failing["id"], world["crew"], "high", "open")
    assert status(db, action_id)["status"] == "verified"
    assert [e["kind"] for e in action_store.events_of(db, action_id)][-1] == "follow_up"


def test_an_open_action_notes_a_repeat_failure(app, db, world):
    """Not yet done and failed again: stays open, and its thread says so."""
    first = released(app, db, world, BASE, 0)
    action_id = action_on(app, db, world, first, "counter_clean", done_day=None)
    released(app, db, world, BASE, 2)
    assert status(db, action_id)["status"] == "open"
    assert [e["kind"] for e in action_store.events_of(db, action_id)][-1] == "failed_again"


def test_reopening_tells_the_owner_and_the_managers(app, db, world):
    """The owner (store staff) and the store's manager find 'reopened' in their inbox."""
    first = released(app, db, world, BASE, 0)
    action_id = action_on(app, db, world, first, "counter_clean", done_day=1)
    released(app, db, world, BASE, 2)
    for user in ("crew", "manager2"):
        rows = list(db.query("SELECT link FROM notifications WHERE user_id = ? AND event = 'action_reopened'",
                             [world[user]]))
        assert [r["link"] for r in rows] == [f"/actions/{action_id}"]


def test_release_with_a_critical_failure_notifies_managers_and_coordinator(app, db, world):
    """visit_released to the store's managers; critical_failed to them and the reviewers."""
    visit = released(app, db, world, BASE, 0)
    got = {(r["user_id"], r["event"]) for r in db.query(
        "SELECT user_id, event FROM notifications WHERE link = ?", [f"/reports/visits/{visit['id']}"])}
    assert got == {(world["manager2"], "visit_released"), (world["manager2"], "critical_failed"),
                   (world["reviewer"], "critical_failed")}
