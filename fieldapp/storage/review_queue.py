"""What the reviewer's queue flags on each waiting visit."""

from __future__ import annotations

from fieldapp.storage import IN_LIST, as_list


def queue_flags(db, visit_ids: list[int]) -> dict[int, dict]:
    """Per visit: critical failures, how many times it was submitted, hours waiting since."""
    if not visit_ids:
        return {}
    return {r["id"]: r for r in db.query(
        f"SELECT v.id, coalesce(json_array_length(v.score_json, '$.critical_failures'), 0) AS critical, "
        f"(SELECT count(*) FROM visit_events e WHERE e.visit_id = v.id AND e.to_status = 'submitted') "
        f"AS submissions, (julianday('now') - julianday(v.submitted_at)) * 24.0 AS hours_waiting "
        f"FROM visits v WHERE v.id {IN_LIST}", [as_list(visit_ids)])}


def return_notes(db, visit_ids: list[int]) -> dict[int, str]:
    """The reviewer's latest return note of each visit (for the auditor's home)."""
    if not visit_ids:
        return {}
    return {r["visit_id"]: r["comment"] for r in db.query(
        f"SELECT e.visit_id, e.comment FROM visit_events e WHERE e.visit_id {IN_LIST} "
        f"AND e.to_status = 'returned' ORDER BY e.id", [as_list(visit_ids)])}
