"""What happens to a visit as a whole: scoring it and moving it through review.

Plain functions over the storage layer, so the audit views, the demo data and
the tests all go through the same rules.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from checklists import Checklist, missing_requirements, score_visit
from fieldapp.storage import assignments, audit_log, checklist_store, photos, visits


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
        if item.type == "photo" and counts.get(item.key):
            values[item.key] = counts[item.key]
    return values


def score_of(db, visit_id: int):
    visit = visits.get_visit(db, visit_id)
    checklist = checklist_store.load_pinned(db, visit["checklist_row_id"])
    return score_visit(checklist, scoring_answers(db, checklist, visit_id))


def submit(db, visit_id: int, actor_id: int, at: str | None = None) -> None:
    """Check completeness, score and freeze the visit, in one transaction.

    :raise MissingItems: what is still required, with item keys to link to.
    :raise visits.TransitionError: the visit is not a draft (e.g. a double submit).
    """
    visit = visits.get_visit(db, visit_id)
    checklist = checklist_store.load_pinned(db, visit["checklist_row_id"])
    answers = scoring_answers(db, checklist, visit_id)
    missing = missing_requirements(checklist, answers, photos.photo_counts(db, visit_id))
    if missing:
        raise MissingItems(missing)
    result = score_visit(checklist, answers)
    with db.atomic():
        visits.transition(db, visit_id=visit_id, to_status="submitted", actor_id=actor_id, at=at,
                          fields={"score": result.score, "passed": int(result.passed),
                                  "score_json": json.dumps(_jsonable(result), ensure_ascii=False)})
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
                  user_id: int, client_id: str | None = None) -> None:
    """Store one stopwatch mark; when it is the last mark, store the wait as the answer.

    The phone takes the times, so the wait is what the auditor saw, whatever
    the network delay was.
    """
    with db.atomic():
        visits.add_timing(db, visit_id=visit_id, item_key=item.key, touchpoint_key=touchpoint_key,
                          event=event, at=at, client_id=client_id)
        marks = [t for t in visits.timings_of(db, visit_id) if t["item_key"] == item.key]
        if marks and marks[-1]["event"] == item.timer_events[-1] and len(marks) >= 2:
            seconds = wait_seconds(marks)
            visits.save_answer(db, visit_id=visit_id, item_key=item.key, value=seconds,
                               user_id=user_id, client_ts=at)


def wait_seconds(marks: list[dict]) -> float:
    """Seconds from the first to the last mark of one stopwatch."""
    from datetime import datetime

    times = sorted(datetime.fromisoformat(m["at"]) for m in marks)
    return round((times[-1] - times[0]).total_seconds(), 1)
