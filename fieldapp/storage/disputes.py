"""Store disputes of a released visit's item: open -> accepted (item N/A) or rejected."""

from __future__ import annotations

from fieldapp.storage import IN_LIST, as_list, now

_SELECT = ("SELECT d.*, s.name AS store_name, v.started_at AS visit_started_at, v.checklist_row_id, "
           "u.display_name AS raised_by_name, r.display_name AS decided_by_name FROM disputes d "
           "JOIN stores s ON s.id = d.store_id JOIN visits v ON v.id = d.visit_id "
           "LEFT JOIN users u ON u.id = d.raised_by LEFT JOIN users r ON r.id = d.decided_by ")


def insert_dispute(db, *, visit_id: int, store_id: int, item_key: str, reason: str, raised_by: int) -> int:
    return db["disputes"].insert({
        "visit_id": visit_id, "store_id": store_id, "item_key": item_key, "reason": reason,
        "status": "open", "raised_by": raised_by, "created_at": now(), "reply": ""}).last_pk


def get_dispute(db, dispute_id: int) -> dict | None:
    rows = list(db.query(_SELECT + "WHERE d.id = ?", [dispute_id]))
    return rows[0] if rows else None


def disputes_of_visit(db, visit_id: int) -> list[dict]:
    return list(db.query(_SELECT + "WHERE d.visit_id = ? ORDER BY d.id", [visit_id]))


def open_in_stores(db, store_ids: list[int]) -> list[dict]:
    return list(db.query(_SELECT + f"WHERE d.status = 'open' AND d.store_id {IN_LIST} ORDER BY d.id",
                         [as_list(store_ids)]))


def accepted_items(db, visit_id: int) -> set[str]:
    """Items of a visit that an accepted dispute made N/A."""
    return {r["item_key"] for r in db.query(
        "SELECT item_key FROM disputes WHERE visit_id = ? AND status = 'accepted'", [visit_id])}


def decide(db, dispute_id: int, *, status: str, reply: str, decided_by: int) -> bool:
    """Open -> accepted/rejected; False when it was already decided."""
    return db.execute(
        "UPDATE disputes SET status = ?, reply = ?, decided_by = ?, decided_at = ? "
        "WHERE id = ? AND status = 'open'", [status, reply, decided_by, now(), dispute_id]).rowcount == 1


def set_visit_score(db, visit_id: int, *, score, passed: bool, score_json: str) -> None:
    """Store a visit's recomputed score (after an accepted dispute)."""
    db.execute("UPDATE visits SET score = ?, passed = ?, score_json = ? WHERE id = ?",
               [score, int(passed), score_json, visit_id])
