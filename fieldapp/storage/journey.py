"""A visit's journey clock: one mark per stopwatch event, and the log of every change."""

from __future__ import annotations

from fieldapp.storage import IN_LIST, as_list, now


def add_mark(db, *, visit_id: int, event: str, at: str, user_id: int | None,
             client_id: str | None = None, time_flag: str | None = None) -> bool:
    """Mark ``event`` at the phone's time ``at``; an event already marked stays as it was.

    A replayed client id or a second tap on another phone adds nothing: the
    first mark that reached the server is the one the visit keeps.
    :return: True when the mark was new.
    """
    stamp = now()
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO journey_marks (visit_id, event, at, client_id, marked_by, created_at, "
            "time_flag) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [visit_id, event, at, client_id, user_id, stamp, time_flag])
        if cursor.rowcount == 1:
            _log(db, visit_id, event, "mark", None, at, user_id, stamp)
    return cursor.rowcount == 1


def correct_mark(db, *, visit_id: int, event: str, at: str, user_id: int) -> str | None:
    """Move a mark to ``at``, keeping the first time it had; :return: the old time or None."""
    stamp = now()
    with db.atomic():
        row = db.execute("SELECT at FROM journey_marks WHERE visit_id = ? AND event = ?",
                         [visit_id, event]).fetchone()
        if row is None:
            return None
        db.execute("UPDATE journey_marks SET at = ?, original_at = coalesce(original_at, ?), "
                   "corrected_by = ?, corrected_at = ?, time_flag = NULL "
                   "WHERE visit_id = ? AND event = ?", [at, row[0], user_id, stamp, visit_id, event])
        _log(db, visit_id, event, "correct", row[0], at, user_id, stamp)
    return row[0]


def undo_mark(db, *, visit_id: int, event: str, user_id: int) -> str | None:
    """Take a mark back; :return: the time it had, or None when it was not marked."""
    stamp = now()
    with db.atomic():
        row = db.execute("SELECT at FROM journey_marks WHERE visit_id = ? AND event = ?",
                         [visit_id, event]).fetchone()
        if row is None:
            return None
        db.execute("DELETE FROM journey_marks WHERE visit_id = ? AND event = ?", [visit_id, event])
        _log(db, visit_id, event, "undo", row[0], None, user_id, stamp)
    return row[0]


def marks_of(db, visit_id: int) -> list[dict]:
    """The visit's marks in time order, with who marked and who corrected them."""
    return list(db.query(
        "SELECT m.*, u.display_name AS marked_by_name, c.display_name AS corrected_by_name "
        "FROM journey_marks m LEFT JOIN users u ON u.id = m.marked_by "
        "LEFT JOIN users c ON c.id = m.corrected_by WHERE m.visit_id = ? ORDER BY m.at, m.id",
        [visit_id]))


def log_of(db, visit_id: int) -> list[dict]:
    return list(db.query(
        "SELECT l.*, u.display_name AS actor_name FROM journey_mark_log l "
        "LEFT JOIN users u ON u.id = l.actor_id WHERE l.visit_id = ? ORDER BY l.id", [visit_id]))


def marks_for(db, store_ids: list[int], date_from: str, date_to: str) -> list[dict]:
    """Journey marks of finished visits to these stores started in [date_from, date_to]."""
    if not store_ids:
        return []
    return list(db.query(
        f"SELECT m.visit_id, m.event, m.at, s.code AS store, v.checklist_row_id "
        f"FROM journey_marks m JOIN visits v ON v.id = m.visit_id JOIN stores s ON s.id = v.store_id "
        f"WHERE v.store_id {IN_LIST} AND v.status IN ('submitted','reviewed','released') "
        f"AND substr(v.started_at, 1, 10) BETWEEN ? AND ? ORDER BY m.visit_id, m.at, m.id",
        [as_list(store_ids), date_from, date_to]))


def store_waits(db, store_id: int, start: str, end: str, exclude_visit: int,
                limit: int = 200) -> list[float]:
    """Seconds from ``start`` to ``end`` on the store's other finished visits (newest first)."""
    return [r["s"] for r in db.query(
        "SELECT (julianday(b.at) - julianday(a.at)) * 86400.0 AS s FROM visits v "
        "JOIN journey_marks a ON a.visit_id = v.id AND a.event = ? "
        "JOIN journey_marks b ON b.visit_id = v.id AND b.event = ? "
        "WHERE v.store_id = ? AND v.id != ? AND v.status IN ('submitted','reviewed','released') "
        "ORDER BY v.started_at DESC LIMIT ?", [start, end, store_id, exclude_visit, limit])
        if r["s"] is not None and r["s"] >= 0]


def _log(db, visit_id, event, action, old_at, new_at, actor_id, stamp) -> None:
    db.execute("INSERT INTO journey_mark_log (visit_id, event, action, old_at, new_at, actor_id, at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)", [visit_id, event, action, old_at, new_at, actor_id, stamp])
