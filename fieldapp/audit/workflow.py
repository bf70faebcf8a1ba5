"""What happens to a visit as a whole: scoring it and moving it through review.

Plain functions over the storage layer, so the audit views, the demo data and
the tests all go through the same rules.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from checklists import (Checklist, constraint_violations, missing_requirements, relevant_keys,
                        score_visit)
from checklists.scoring import Missing, item_results, score_results
from fieldapp.audit import journey
from fieldapp.storage import assignments, audit_log, checklist_store, photos, results, visits
from fieldapp.storage import journey as journey_store


class MissingItems(ValueError):
    """Submit refused: required answers or failure photos are missing."""

    def __init__(self, missing):
        super().__init__(f"{len(missing)} item(s) missing")
        self.missing = missing


def scoring_answers(db, checklist: Checklist, visit_id: int) -> dict:
    """Stored answers plus photo counts for photo items, as the scorer wants them."""
    values = visits.answer_values(db, visit_id)
    counts = photos.photo_counts(db, visit_id)
    for item in checklist.items():
        if item.type in ("photo", "signature") and counts.get(item.key):
            values[item.key] = counts[item.key]
    return values


def score_of(db, visit_id: int):
    visit = visits.get_visit(db, visit_id)
    checklist = checklist_store.load_pinned(db, visit["checklist_row_id"])
    return score_visit(checklist, scoring_answers(db, checklist, visit_id),
                       visit_start=visit["started_at"])


def submit(db, visit_id: int, actor_id: int, at: str | None = None) -> None:
    """Check completeness, score and freeze the visit, in one transaction.

    :raise MissingItems: what is still required, with item keys to link to.
    :raise visits.TransitionError: the visit is not a draft (e.g. a double submit).
    """
    # Read and freeze in one BEGIN IMMEDIATE transaction: an answer arriving meanwhile
    # waits for the write lock, then finds the visit frozen (visits.Frozen, a 409), so
    # no stored answer can contradict the frozen score.
    with db.atomic():
        visit = visits.get_visit(db, visit_id)
        checklist = checklist_store.load_pinned(db, visit["checklist_row_id"])
        answers = scoring_answers(db, checklist, visit_id)
        missing = submit_blockers(checklist, answers, photos.photo_counts(db, visit_id),
                                  visit["started_at"])
        if missing:
            raise MissingItems(missing)
        # one pass: the rows and the score agree
        items = item_results(checklist, answers, visit_start=visit["started_at"])
        result = score_results(checklist, items)
        visits.transition(db, visit_id=visit_id, to_status="submitted", actor_id=actor_id, at=at,
                          fields={"score": result.score, "passed": int(result.passed),
                                  "score_json": json.dumps(_jsonable(result), ensure_ascii=False)})
        results.write_visit_results(db, visit_id, stages=result.stages, touchpoints=result.touchpoints,
                                    items=items)
        if visit["assignment_id"]:
            assignments.mark_done(db, visit["assignment_id"])
        audit_log.record(db, actor_id=actor_id, action="submit", object_type="visit",
                         object_id=visit_id, detail=f"score={result.score}")


def approve(db, visit_id: int, actor_id: int, comment: str = "", at: str | None = None) -> None:
    """Reviewer approval: reviewed, then released to the store's managers."""
    with db.atomic():
        visits.transition(db, visit_id=visit_id, to_status="reviewed", actor_id=actor_id,
                          comment=comment, at=at)
        visits.transition(db, visit_id=visit_id, to_status="released", actor_id=actor_id, at=at)
        audit_log.record(db, actor_id=actor_id, action="approve", object_type="visit",
                         object_id=visit_id)


def return_to_auditor(db, visit_id: int, actor_id: int, comment: str) -> None:
    with db.atomic():
        visits.transition(db, visit_id=visit_id, to_status="returned", actor_id=actor_id,
                          comment=comment)
        audit_log.record(db, actor_id=actor_id, action="return", object_type="visit",
                         object_id=visit_id, detail=comment[:200])


def _jsonable(result) -> dict:
    data = asdict(result)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


def record_timing(db, *, visit_id: int, item, touchpoint_key: str, event: str, at: str,
                  user_id: int, client_id: str | None = None, time_flag: str | None = None) -> None:
    """A mark sent by an item's own stopwatch (pages from before the journey clock,
    still replayed from phones' outboxes): kept on the item and put on the clock."""
    with db.atomic():
        visits.add_timing(db, visit_id=visit_id, item_key=item.key, touchpoint_key=touchpoint_key,
                          event=event, at=at, client_id=client_id)
        mark_event(db, visit_id=visit_id, event=event, at=at, user_id=user_id,
                   client_id=None, time_flag=time_flag)


def mark_event(db, *, visit_id: int, event: str, at: str, user_id: int,
               client_id: str | None = None, time_flag: str | None = None) -> bool:
    """Mark a journey event once per visit and update every timed item that uses it.

    The phone takes the time, so a wait is what the auditor saw, whatever the
    network delay was. :return: False when the event was already marked.
    """
    with db.atomic():
        visits.require_editable(db, visit_id)  # a mark racing the submit: 409, kept on the phone
        before = journey_store.marks_of(db, visit_id)
        added = journey_store.add_mark(db, visit_id=visit_id, event=event, at=at, user_id=user_id,
                                       client_id=client_id, time_flag=time_flag)
        if added:
            sync_timer_answers(db, visit_id, before, user_id)
    return added


def correct_event(db, *, visit_id: int, event: str, at: str, user_id: int) -> bool:
    """Move a mark to another time; who and when go to the clock's log and the audit log."""
    with db.atomic():
        before = journey_store.marks_of(db, visit_id)
        old = journey_store.correct_mark(db, visit_id=visit_id, event=event, at=at, user_id=user_id)
        if old is None:
            return False
        audit_log.record(db, actor_id=user_id, action="clock_correct", object_type="visit",
                         object_id=visit_id, detail=f"{event}: {old} -> {at}")
        sync_timer_answers(db, visit_id, before, user_id)
    return True


def undo_event(db, *, visit_id: int, event: str, user_id: int) -> bool:
    with db.atomic():
        visits.require_editable(db, visit_id)
        before = journey_store.marks_of(db, visit_id)
        old = journey_store.undo_mark(db, visit_id=visit_id, event=event, user_id=user_id)
        if old is None:
            return False
        audit_log.record(db, actor_id=user_id, action="clock_undo", object_type="visit",
                         object_id=visit_id, detail=f"{event}: {old}")
        sync_timer_answers(db, visit_id, before, user_id)
    return True


def sync_timer_answers(db, visit_id: int, before: list[dict], user_id: int) -> None:
    """Store each timed item's wait as the clock now gives it.

    A wait the clock no longer gives (an event undone) is removed only when
    the stored answer is the one the clock had given: seconds typed by hand stay.
    """
    visit = visits.get_visit(db, visit_id)
    checklist = checklist_store.load_pinned(db, visit["checklist_row_id"])
    old_marks = {m["event"]: m for m in before}
    new_marks = {m["event"]: m for m in journey_store.marks_of(db, visit_id)}
    stored = visits.answers_of(db, visit_id)
    for item in journey.timer_items(checklist):
        old, new = journey.item_seconds(item, old_marks), journey.item_seconds(item, new_marks)
        current = stored.get(item.key, {}).get("value")
        if new is not None and new != current:
            visits.save_answer(db, visit_id=visit_id, item_key=item.key, value=new, user_id=user_id)
        elif new is None and old is not None and current == old:
            visits.delete_answer(db, visit_id=visit_id, item_key=item.key)


def submit_blockers(checklist: Checklist, answers: dict, photo_counts: dict,
                    visit_start: str | None) -> list[Missing]:
    """What stops a submit: required answers, failure photos (deadlines counted from the
    visit's start), then answers breaking their constraint (reason ``constraint``)."""
    missing = missing_requirements(checklist, answers, photo_counts, visit_start=visit_start)
    seen = {m.item_key for m in missing}
    return missing + [Missing(key, "constraint") for key, _exc in
                      constraint_violations(checklist, answers) if key not in seen]


def current_answers(db, visit: dict) -> dict:
    """The visit's answers as the checklist's rules read them (image items as counts)."""
    checklist = checklist_store.load_pinned(db, visit["checklist_row_id"])
    return scoring_answers(db, checklist, visit["id"])


def asked_keys(db, visit: dict, answers: dict | None = None) -> set[str]:
    """Keys of the items skip logic asks, given the answers (read when not given)."""
    checklist = checklist_store.load_pinned(db, visit["checklist_row_id"])
    return relevant_keys(checklist, current_answers(db, visit) if answers is None else answers)
