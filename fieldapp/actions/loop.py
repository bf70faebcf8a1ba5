"""The closed loop: what a released visit means for the store's corrective actions,
and who is told when a visit is released or returned.

The rule (issue 16): an action is verified only by a *later* released visit
that asked the same item (relevant under skip logic), answered it, and passed
it. A later visit that fails the item again reopens a done action, opens a
linked follow-up for a verified one, and notes it on an open one; each says
so in the action's thread and tells its owner. A visit that skipped the item,
left it unanswered, answered N/A, or whose item was disputed away, proves
nothing either way.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from checklists import item_failed, normalize_answer, relevant_keys
from fieldapp.actions import workflow
from fieldapp.audit import workflow as visit_service
from fieldapp.notify import workflow as notify
from fieldapp.storage import actions as action_store
from fieldapp.storage import audit_log, checklist_store, disputes, reporting, visits
from fieldapp.storage import notify as notify_store

FOLLOW_UP_DAYS = 7


def verdict(db, visit: dict, item_key: str, _cache: dict | None = None) -> str | None:
    """How ``visit`` answered ``item_key``: ``"passed"``, ``"failed"`` or None (proves nothing)."""
    checklist = checklist_store.load_pinned(db, visit["checklist_row_id"])
    try:
        item = checklist.item(item_key)
    except KeyError:
        return None  # a checklist version without the item
    if item_key in disputes.accepted_items(db, visit["id"]):
        return None  # disputed away: N/A
    answers = visit_service.scoring_answers(db, checklist, visit["id"])
    if item_key not in relevant_keys(checklist, answers):
        return None  # skipped by skip logic
    value = normalize_answer(item, answers.get(item_key))
    failed = item_failed(item, value, {"answers": answers, "visit_start": visit.get("started_at")})
    if failed is None:
        return None  # unanswered, N/A, or an item that never fails
    return "failed" if failed else "passed"


def apply_visit(db, action: dict, visit: dict, outcome: str | None, *, actor_id: int | None,
                today: str) -> str | None:
    """Move one action by one released visit's verdict; return what happened (or None)."""
    if outcome is None or visit["id"] == action["visit_id"]:
        return None
    started = visit["started_at"]
    status = action["status"]
    if status == "done" and started > (action["done_at"] or ""):
        if outcome == "passed":
            action_store.mark_verified(db, action["id"], verified_visit_id=visit["id"])
            _record(db, action, actor_id, "verified", visit)
            return "verified"
        action_store.reopen(db, action["id"], visit_id=visit["id"])
        _record(db, action, actor_id, "reopened", visit)
        _tell_reopened(db, action, visit)
        return "reopened"
    if status == "verified" and outcome == "failed" and started > _started_of(db, action["verified_visit_id"]):
        due = (date.fromisoformat(today) + timedelta(days=FOLLOW_UP_DAYS)).isoformat()
        follow_id = action_store.insert_action(
            db, visit_id=visit["id"], store_id=action["store_id"], item_key=action["item_key"],
            owner=action["owner"], owner_id=action["owner_id"], due_date=due, note=action["note"],
            created_by=actor_id, priority="high", follow_up_of=action["id"])
        action_store.add_event(db, action_id=follow_id, actor_id=actor_id, kind="follow_up",
                               detail={"of": action["id"], "visit": visit["id"]})
        _record(db, action, actor_id, "follow_up", visit, follow_up=follow_id)
        _tell_reopened(db, {**action, "id": follow_id, "due_date": due}, visit)
        return "follow_up"
    if status == "open" and outcome == "failed" and started > action["visit_started_at"]:
        _record(db, action, actor_id, "failed_again", visit)
        return "failed_again"
    return None


def after_release(db, visit_id: int, *, actor_id: int | None, today: str) -> dict[str, int]:
    """Apply a just-released visit to the store's actions and tell the store; counts by outcome."""
    visit = visits.get_visit(db, visit_id)
    counts: dict[str, int] = {}
    with db.atomic():
        for key in action_store.item_keys_of_store_actions(db, visit["store_id"]):
            outcome = verdict(db, visit, key)
            for action in action_store.open_actions_of_store_item(db, visit["store_id"], key):
                done = apply_visit(db, action, visit, outcome, actor_id=actor_id, today=today)
                if done:
                    counts[done] = counts.get(done, 0) + 1
        _tell_release(db, visit)
    return counts


def release(db, visit_id: int, *, actor_id: int, comment: str, today: str) -> dict[str, int]:
    """Approve and release a visit, verify the store's actions by it, tell the store: one transaction."""
    with db.atomic():
        visit_service.approve(db, visit_id, actor_id, comment=comment)
        return after_release(db, visit_id, actor_id=actor_id, today=today)


def return_visit(db, visit_id: int, *, actor_id: int, note: str) -> None:
    """Return a visit to its auditor, who is told with the reviewer's note."""
    with db.atomic():
        visit_service.return_to_auditor(db, visit_id, actor_id, note)
        visit = visits.get_visit(db, visit_id)
        notify.send(db, event="visit_returned", recipients=[visit["auditor_id"]],
                    params={"store": visit.get("store_name") or _store_name(db, visit), "note": note},
                    link=f"/visits/{visit_id}")


def replay(db, action: dict, *, actor_id: int | None, today: str) -> str | None:
    """Apply every released visit since the action to it, oldest first (the "check" button)."""
    last = None
    for later in reporting.later_released_visits(db, action["store_id"], action["visit_started_at"]):
        fresh = action_store.get_action(db, action["id"])
        full = visits.get_visit(db, later["id"])
        with db.atomic():
            done = apply_visit(db, fresh, full, verdict(db, full, action["item_key"]), actor_id=actor_id,
                               today=today)
        if done and done != "failed_again":
            last = done
        if done == "follow_up":
            break
    return last


def _started_of(db, visit_id: int | None) -> str:
    row = visits.get_visit(db, visit_id) if visit_id else None
    return row["started_at"] if row else ""


def _store_name(db, visit: dict) -> str:
    from fieldapp.storage import stores

    store = stores.get_store(db, visit["store_id"])
    return store["name"] if store else ""


def _local_date(stamp: str) -> str:
    from fieldapp.web.timefmt import local

    return local(stamp, "%Y-%m-%d")


def _record(db, action: dict, actor_id, kind: str, visit: dict, **detail) -> None:
    action_store.add_event(db, action_id=action["id"], actor_id=actor_id, kind=kind,
                           detail={"visit": visit["id"], "date": _local_date(visit["started_at"]), **detail})
    audit_log.record(db, actor_id=actor_id, action=f"action_{kind}", object_type="action",
                     object_id=action["id"], detail=f"visit={visit['id']}")


def _tell_reopened(db, action: dict, visit: dict) -> None:
    action = {**action_store.get_action(db, action["id"])}
    people = {p for p in [action["owner_id"], *notify_store.store_managers(db, action["store_id"])] if p}
    notify.send(db, event="action_reopened", recipients=sorted(people),
                params=workflow.params_of(db, action, date=_local_date(visit["started_at"])),
                link=workflow.link(action["id"]))


def _tell_release(db, visit: dict) -> None:
    """Release to the store's managers; a failed critical item at once to them and the coordinators."""
    score = json.loads(visit["score_json"]) if visit.get("score_json") else {}
    store = _store_name(db, visit)
    day = _local_date(visit["started_at"])
    managers = notify_store.store_managers(db, visit["store_id"])
    link = f"/reports/visits/{visit['id']}"
    notify.send(db, event="visit_released", recipients=managers, link=link,
                params={"store": store, "date": day, "failed": len(score.get("failed_items", [])),
                        "score": "–" if visit.get("score") is None else f"{visit['score']:.0f}"})
    critical = score.get("critical_failures", [])
    if not critical:
        return
    checklist = checklist_store.load_pinned(db, visit["checklist_row_id"])
    org_id = _org_of(db, visit)
    people = sorted(set(managers) | set(notify_store.coordinators(db, org_id)))
    for key in critical:
        try:
            title = checklist.item(key).title
            item = {"ko": title.ko, "en": title.en}
        except KeyError:
            item = key
        notify.send(db, event="critical_failed", recipients=people, link=link,
                    params={"store": store, "date": day, "item": item})


def _org_of(db, visit: dict) -> int:
    from fieldapp.storage import stores

    return stores.get_store(db, visit["store_id"])["org_id"]
