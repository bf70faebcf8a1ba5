"""Visits and everything recorded on them: answers, notes, timings, states."""

from __future__ import annotations

import json
import sqlite3

from fieldapp.storage import IN_LIST, as_list, audit_log, now, results

# Which state may follow which: a returned visit goes back to the auditor.
TRANSITIONS = {
    "draft": {"submitted"},
    "submitted": {"returned", "reviewed"},
    "returned": {"submitted"},
    "reviewed": {"released", "returned"},
    "released": set(),
}
EDITABLE = ("draft", "returned")


class TransitionError(ValueError):
    """A state change the workflow does not allow (e.g. a double submit)."""


class Frozen(TransitionError):
    """A change to a visit that is no longer a draft (submitted meanwhile): the reply is a 409."""


def require_editable(db, visit_id: int) -> None:
    """Refuse a change unless the visit is a draft or returned, inside the caller's transaction.

    Called inside ``atomic()`` (BEGIN IMMEDIATE holds the write lock), so a
    submit cannot slip in between this check and the write that follows it.
    """
    row = db.execute("SELECT status FROM visits WHERE id = ?", [visit_id]).fetchone()
    if row is None or row[0] not in EDITABLE:
        raise Frozen(f"visit {visit_id} is not editable")


def create_visit(db, *, checklist_row_id: int, store_id: int, auditor_id: int, covert: bool,
                 assignment_id: int | None = None, started_at: str | None = None,
                 latitude: float | None = None, longitude: float | None = None) -> int:
    """Start a visit pinned to one stored checklist version."""
    stamp = started_at or now()
    with db.atomic():
        visit_id = db["visits"].insert({
            "assignment_id": assignment_id, "checklist_row_id": checklist_row_id,
            "store_id": store_id, "auditor_id": auditor_id, "covert": int(covert),
            "status": "draft", "started_at": stamp, "latitude": latitude,
            "longitude": longitude, "created_at": stamp, "updated_at": stamp,
        }).last_pk
        db["visit_events"].insert({"visit_id": visit_id, "actor_id": auditor_id,
                                   "from_status": None, "to_status": "draft", "at": stamp})
        audit_log.record(db, actor_id=auditor_id, action="start", object_type="visit",
                         object_id=visit_id)
        if assignment_id is not None:
            db.execute("UPDATE assignments SET status = 'started' WHERE id = ? AND status = 'open'",
                       [assignment_id])
    return visit_id


def create_assignment_visit(db, assignment: dict, *, auditor_id: int,
                            latitude: float | None = None, longitude: float | None = None) -> int:
    """The one visit of an assignment: started now, or the one another phone started first.

    The UNIQUE index on ``visits.assignment_id`` decides (migration 0004), not a
    read before the insert: of several phones starting at once one inserts, the
    others get its visit.
    """
    try:
        return create_visit(db, checklist_row_id=assignment["checklist_row_id"],
                            store_id=assignment["store_id"], auditor_id=auditor_id,
                            covert=bool(assignment["covert"]), assignment_id=assignment["id"],
                            latitude=latitude, longitude=longitude)
    except sqlite3.IntegrityError:
        existing = visit_of_assignment(db, assignment["id"])
        if existing is None:
            raise
        return existing


def get_visit(db, visit_id: int) -> dict | None:
    rows = list(db.query(
        "SELECT v.*, s.name AS store_name, s.code AS store_code, s.region, s.chain, "
        "c.checklist_id, c.version AS checklist_version, c.content_hash, c.title_ko, c.title_en, "
        "c.kind AS checklist_kind, u.display_name AS auditor_name, u.mystery_shopper AS auditor_mystery_shopper "
        "FROM visits v JOIN stores s ON s.id = v.store_id "
        "JOIN checklists c ON c.id = v.checklist_row_id JOIN users u ON u.id = v.auditor_id "
        "WHERE v.id = ?", [visit_id]))
    return rows[0] if rows else None


def save_answer(db, *, visit_id: int, item_key: str, value, user_id: int,
                note: str | None = None, client_id: str | None = None,
                client_ts: str | None = None) -> bool:
    """Store one answer (upsert). A later client timestamp wins, never arrival order.

    One statement does the check and the write: the transaction starts by
    writing, so it waits (busy_timeout) for another writer instead of failing
    with "database is locked" on a read-to-write upgrade, and no other save
    can slip in between the timestamp check and the write.

    :return: False when a newer edit of the same item was already stored.
    """
    stamp = now()
    with db.atomic():
        require_editable(db, visit_id)
        cursor = db.execute(
            "INSERT INTO answers (visit_id, item_key, value_json, note, client_id, client_ts, "
            "updated_by, updated_at) VALUES (:visit, :item, :value, coalesce(:note, ''), "
            ":client_id, :client_ts, :user, :stamp) "
            "ON CONFLICT (visit_id, item_key) DO UPDATE SET value_json = excluded.value_json, "
            "note = coalesce(:note, answers.note), client_id = excluded.client_id, "
            "client_ts = coalesce(excluded.client_ts, answers.client_ts), "
            "updated_by = excluded.updated_by, updated_at = excluded.updated_at "
            "WHERE excluded.client_ts IS NULL OR answers.client_ts IS NULL "
            "OR answers.client_ts <= excluded.client_ts",
            {"visit": visit_id, "item": item_key, "value": json.dumps(value, ensure_ascii=False),
             "note": note, "client_id": client_id, "client_ts": client_ts, "user": user_id,
             "stamp": stamp})
        if cursor.rowcount == 0:
            return False
        db.execute("UPDATE visits SET updated_at = ? WHERE id = ?", [stamp, visit_id])
    return True


def answers_of(db, visit_id: int) -> dict[str, dict]:
    """Stored answers by item key, each with ``value`` decoded and its ``note``."""
    out = {}
    for row in db.query("SELECT * FROM answers WHERE visit_id = ?", [visit_id]):
        row["value"] = json.loads(row["value_json"]) if row["value_json"] is not None else None
        out[row["item_key"]] = row
    return out


def answer_values(db, visit_id: int) -> dict:
    """Just the values, the shape ``checklists.score_visit`` takes."""
    return {k: r["value"] for k, r in answers_of(db, visit_id).items() if r["value"] is not None}


def set_stage_note(db, *, visit_id: int, stage_key: str, emotion: int | None = None,
                   note: str | None = None, client_ts: str | None = None) -> bool:
    """Store a stage's feeling and/or note (None keeps what is stored).

    As with answers, a later client timestamp wins, never arrival order.
    :return: False when a newer edit was already stored.
    """
    with db.atomic():
        require_editable(db, visit_id)
        cursor = db.execute(
            "INSERT INTO stage_notes (visit_id, stage_key, emotion, note, updated_at, client_ts) "
            "VALUES (:visit, :stage, :emotion, coalesce(:note, ''), :stamp, :client_ts) "
            "ON CONFLICT (visit_id, stage_key) DO UPDATE SET "
            "emotion = coalesce(:emotion, stage_notes.emotion), note = coalesce(:note, stage_notes.note), "
            "updated_at = :stamp, client_ts = coalesce(:client_ts, stage_notes.client_ts) "
            "WHERE :client_ts IS NULL OR stage_notes.client_ts IS NULL OR stage_notes.client_ts <= :client_ts",
            {"visit": visit_id, "stage": stage_key, "emotion": emotion, "note": note,
             "stamp": now(), "client_ts": client_ts})
    return cursor.rowcount > 0


def stage_notes_of(db, visit_id: int) -> dict[str, dict]:
    return {r["stage_key"]: r for r in db.query(
        "SELECT * FROM stage_notes WHERE visit_id = ?", [visit_id])}


def add_timing(db, *, visit_id: int, item_key: str, touchpoint_key: str, event: str,
               at: str, client_id: str | None = None) -> bool:
    """Record one stopwatch mark; a replayed client id is stored once.

    Written first (the UNIQUE client id decides), so the transaction waits for
    the write lock rather than failing on a read-to-write upgrade.
    """
    with db.atomic():
        require_editable(db, visit_id)
        cursor = db.execute(
            "INSERT INTO timings (visit_id, item_key, touchpoint_key, event, at, client_id, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_id) DO NOTHING",
            [visit_id, item_key, touchpoint_key, event, at, client_id, now()])
    return cursor.rowcount == 1


def timings_of(db, visit_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM timings WHERE visit_id = ? ORDER BY item_key, at, id",
                         [visit_id]))


def clear_timings(db, *, visit_id: int, item_key: str) -> None:
    with db.atomic():
        require_editable(db, visit_id)
        db.execute("DELETE FROM timings WHERE visit_id = ? AND item_key = ?", [visit_id, item_key])


def transition(db, *, visit_id: int, to_status: str, actor_id: int | None, comment: str = "",
               at: str | None = None, fields: dict | None = None) -> None:
    """Move a visit to ``to_status`` and log who, when, from and to, in one transaction.

    :raise TransitionError: the move is not allowed from the current state.
    """
    stamp = at or now()
    with db.atomic():
        row = db.execute("SELECT status FROM visits WHERE id = ?", [visit_id]).fetchone()
        if row is None:
            raise TransitionError("no such visit")
        if to_status not in TRANSITIONS[row[0]]:
            raise TransitionError(f"a {row[0]} visit cannot become {to_status}")
        update = {"status": to_status, "updated_at": stamp, **(fields or {})}
        if to_status == "submitted":
            update["submitted_at"] = stamp
        if to_status == "released":
            update["released_at"] = stamp
        db["visits"].update(visit_id, update)
        if to_status == "released":
            results.mark_released(db, visit_id)  # reports count its failures from now on
        db["visit_events"].insert({"visit_id": visit_id, "actor_id": actor_id,
                                   "from_status": row[0], "to_status": to_status,
                                   "comment": comment, "at": stamp})


def events_of(db, visit_id: int) -> list[dict]:
    return list(db.query(
        "SELECT e.*, u.display_name AS actor_name, u.role AS actor_role FROM visit_events e "
        "LEFT JOIN users u ON u.id = e.actor_id WHERE visit_id = ? ORDER BY e.id", [visit_id]))


def visits_of_auditor(db, auditor_id: int, limit: int = 50) -> list[dict]:
    return list(db.query(
        "SELECT v.id, v.status, v.started_at, v.score, v.passed, s.name AS store_name, "
        "c.title_ko, c.title_en FROM visits v JOIN stores s ON s.id = v.store_id "
        "JOIN checklists c ON c.id = v.checklist_row_id WHERE v.auditor_id = ? "
        "ORDER BY v.started_at DESC LIMIT ?", [auditor_id, limit]))


def visits_in_stores(db, store_ids: list[int], statuses: tuple[str, ...], limit: int = 50) -> list[dict]:
    if not store_ids:
        return []
    return list(db.query(
        f"SELECT v.id, v.status, v.started_at, v.submitted_at, v.score, v.passed, v.covert, "
        f"s.name AS store_name, c.title_ko, c.title_en, u.display_name AS auditor_name, "
        f"u.mystery_shopper AS auditor_mystery_shopper "
        f"FROM visits v JOIN stores s ON s.id = v.store_id "
        f"JOIN checklists c ON c.id = v.checklist_row_id JOIN users u ON u.id = v.auditor_id "
        f"WHERE v.store_id {IN_LIST} AND v.status {IN_LIST} "
        f"ORDER BY v.started_at DESC LIMIT ?", [as_list(store_ids), as_list(statuses), limit]))


def visit_of_assignment(db, assignment_id: int) -> int | None:
    """The newest visit started for an assignment, if any."""
    row = db.execute("SELECT id FROM visits WHERE assignment_id = ? ORDER BY id DESC LIMIT 1",
                     [assignment_id]).fetchone()
    return row[0] if row else None


def delete_answer(db, *, visit_id: int, item_key: str) -> None:
    with db.atomic():
        require_editable(db, visit_id)
        db.execute("DELETE FROM answers WHERE visit_id = ? AND item_key = ?", [visit_id, item_key])


def released_visits_of_store(db, store_id: int) -> list[dict]:
    """A store's released visits, oldest first, with their stored score record."""
    return list(db.query(
        "SELECT id, started_at, score_json FROM visits WHERE store_id = ? AND status = 'released' "
        "ORDER BY started_at", [store_id]))
