"""Discarding a visit started by mistake: only while nothing was recorded on it."""

from __future__ import annotations

from fieldapp.storage import audit_log


def is_empty(db, visit_id: int) -> bool:
    """True when the visit has no answer, photo, stage note or journey mark."""
    row = db.execute(
        "SELECT (SELECT count(*) FROM answers WHERE visit_id = :v) + "
        "(SELECT count(*) FROM photos WHERE visit_id = :v) + "
        "(SELECT count(*) FROM stage_notes WHERE visit_id = :v) + "
        "(SELECT count(*) FROM journey_marks WHERE visit_id = :v)", {"v": visit_id}).fetchone()
    return row[0] == 0


def discard_visit(db, visit_id: int, actor_id: int) -> bool:
    """Delete an empty draft visit, reopen its assignment and log it; False when it is not empty."""
    with db.atomic():
        visit = db.execute("SELECT status, assignment_id, store_id FROM visits WHERE id = ?",
                           [visit_id]).fetchone()
        if visit is None or visit[0] != "draft" or not is_empty(db, visit_id):
            return False
        db.execute("DELETE FROM visit_events WHERE visit_id = ?", [visit_id])
        db.execute("DELETE FROM visits WHERE id = ?", [visit_id])
        if visit[1] is not None:
            db.execute("UPDATE assignments SET status = 'open' WHERE id = ? AND status = 'started'", [visit[1]])
        audit_log.record(db, actor_id=actor_id, action="discard", object_type="visit", object_id=visit_id,
                         detail=f"store={visit[2]} assignment={visit[1]}")
    return True
