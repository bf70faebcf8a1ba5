"""Corrective actions on failed items: open -> done (with optional photo) -> verified.

Writes take part in the caller's transaction (``with db.atomic():`` in the
service layer) so a state change and its audit-log line land together.
"""

from __future__ import annotations

from fieldapp.storage import IN_LIST, as_list, now

STATUSES = ("open", "done", "verified")

_SELECT = (
    "SELECT a.*, s.name AS store_name, s.code AS store_code, s.region, v.started_at AS visit_started_at, "
    "v.checklist_row_id, u.display_name AS created_by_name "
    "FROM actions a JOIN stores s ON s.id = a.store_id JOIN visits v ON v.id = a.visit_id "
    "LEFT JOIN users u ON u.id = a.created_by ")


def insert_action(db, *, visit_id: int, store_id: int, item_key: str, owner: str, due_date: str,
                  note: str, created_by: int) -> int:
    return db["actions"].insert({
        "visit_id": visit_id, "store_id": store_id, "item_key": item_key, "owner": owner,
        "due_date": due_date, "note": note, "status": "open", "created_by": created_by,
        "created_at": now()}).last_pk


def get_action(db, action_id: int) -> dict | None:
    rows = list(db.query(_SELECT + "WHERE a.id = ?", [action_id]))
    return rows[0] if rows else None


def actions_in_stores(db, store_ids: list[int], statuses: tuple[str, ...] = STATUSES,
                      limit: int = 200) -> list[dict]:
    """Actions of these stores, the most urgent (earliest due) first."""
    if not store_ids:
        return []
    return list(db.query(
        _SELECT + f"WHERE a.store_id {IN_LIST} AND a.status {IN_LIST} "
        f"ORDER BY CASE a.status WHEN 'open' THEN 0 WHEN 'done' THEN 1 ELSE 2 END, a.due_date, a.id "
        f"LIMIT ?", [as_list(store_ids), as_list(statuses), limit]))


def actions_of_visit(db, visit_id: int) -> list[dict]:
    return list(db.query(_SELECT + "WHERE a.visit_id = ? ORDER BY a.id", [visit_id]))


def mark_done(db, action_id: int, *, evidence_photo_id: int | None) -> None:
    db["actions"].update(action_id, {"status": "done", "done_at": now(),
                                     "evidence_photo_id": evidence_photo_id})


def mark_verified(db, action_id: int, *, verified_visit_id: int, at: str | None = None) -> None:
    db["actions"].update(action_id, {"status": "verified", "verified_visit_id": verified_visit_id,
                                     "verified_at": at or now()})


def reopen(db, action_id: int) -> None:
    db["actions"].update(action_id, {"status": "open", "done_at": None, "verified_at": None,
                                     "verified_visit_id": None})
