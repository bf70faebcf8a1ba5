"""Reviewers' corrections of answers on submitted visits: old and new value, who, why."""

from __future__ import annotations

import json

from fieldapp.storage import now


def correct_answer(db, *, visit_id: int, item_key: str, old, new, reason: str, actor_id: int) -> int:
    """Record the correction and store the new value (a submitted visit, so not via save_answer)."""
    stamp = now()
    with db.atomic():
        correction_id = db.execute(
            "INSERT INTO answer_corrections (visit_id, item_key, old_json, new_json, reason, actor_id, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [visit_id, item_key, json.dumps(old, ensure_ascii=False), json.dumps(new, ensure_ascii=False),
             reason, actor_id, stamp]).lastrowid
        db.execute(
            "INSERT INTO answers (visit_id, item_key, value_json, note, updated_by, updated_at) "
            "VALUES (?, ?, ?, '', ?, ?) ON CONFLICT (visit_id, item_key) DO UPDATE SET "
            "value_json = excluded.value_json, updated_by = excluded.updated_by, "
            "updated_at = excluded.updated_at",
            [visit_id, item_key, json.dumps(new, ensure_ascii=False), actor_id, stamp])
    return correction_id


def set_score(db, visit_id: int, *, score: float, passed: bool, score_json: str) -> None:
    with db.atomic():
        db.execute("UPDATE visits SET score = ?, passed = ?, score_json = ?, updated_at = ? WHERE id = ?",
                   [score, int(passed), score_json, now(), visit_id])


def corrections_of(db, visit_id: int) -> list[dict]:
    rows = list(db.query(
        "SELECT c.*, u.display_name AS actor_name FROM answer_corrections c "
        "LEFT JOIN users u ON u.id = c.actor_id WHERE c.visit_id = ? ORDER BY c.id", [visit_id]))
    for row in rows:
        row["old"] = json.loads(row["old_json"]) if row["old_json"] else None
        row["new"] = json.loads(row["new_json"]) if row["new_json"] else None
    return rows
