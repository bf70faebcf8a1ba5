"""Assignments: a checklist for an auditor at a store within a date window."""

from __future__ import annotations

from fieldapp.storage import IN_LIST, as_list, now


def create_assignment(db, *, checklist_row_id: int, store_id: int, auditor_id: int,
                      assigned_by: int, window_start: str, window_end: str, covert: bool,
                      note: str = "") -> int:
    with db.atomic():
        return db["assignments"].insert({
            "checklist_row_id": checklist_row_id, "store_id": store_id, "auditor_id": auditor_id,
            "assigned_by": assigned_by, "window_start": window_start, "window_end": window_end,
            "covert": int(covert), "note": note, "status": "open", "created_at": now()}).last_pk


def get_assignment(db, assignment_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM assignments WHERE id = ?", [assignment_id]))
    return rows[0] if rows else None


def open_for_auditor(db, auditor_id: int, today: str) -> list[dict]:
    """Open or started assignments whose window has not ended, soonest first."""
    return list(db.query(
        "SELECT a.*, s.name AS store_name, s.region, c.title_ko, c.title_en, "
        "(SELECT v.id FROM visits v WHERE v.assignment_id = a.id ORDER BY v.id DESC LIMIT 1) AS visit_id "
        "FROM assignments a JOIN stores s ON s.id = a.store_id "
        "JOIN checklists c ON c.id = a.checklist_row_id "
        "WHERE a.auditor_id = ? AND a.status IN ('open','started') AND a.window_end >= ? "
        "ORDER BY a.window_start, a.id", [auditor_id, today]))


def open_in_stores(db, store_ids: list[int], *, with_covert: bool = True) -> list[dict]:
    """Open assignments at these stores; ``with_covert=False`` for the store's own side,
    who must learn nothing in advance of a mystery shop (not its date, window or shopper)."""
    if not store_ids:
        return []
    covert = "" if with_covert else "AND a.covert = 0 "
    return list(db.query(
        f"SELECT a.*, s.name AS store_name, c.title_ko, c.title_en, u.display_name AS auditor_name, "
        f"u.mystery_shopper AS auditor_mystery_shopper "
        f"FROM assignments a JOIN stores s ON s.id = a.store_id "
        f"JOIN checklists c ON c.id = a.checklist_row_id JOIN users u ON u.id = a.auditor_id "
        f"WHERE a.store_id {IN_LIST} AND a.status IN ('open','started') {covert}"
        f"ORDER BY a.window_start", [as_list(store_ids)]))


def mark_done(db, assignment_id: int) -> None:
    """The assignment's visit was submitted."""
    db.execute("UPDATE assignments SET status = 'done' WHERE id = ?", [assignment_id])
