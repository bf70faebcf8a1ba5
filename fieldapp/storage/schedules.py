"""Schedules (recurring assignments) and the visits they plan (slots).

A slot is one store on one occurrence of a schedule, unique on
``(schedule_id, store_id, occurrence)`` so generating twice creates nothing
twice. A slot is assigned (``assignment_id``) by rotation or when an auditor
claims it from the job board.
"""

from __future__ import annotations

import json

from fieldapp.storage import IN_LIST, as_list, now

SCHEDULE_FIELDS = ("name", "checklist_row_id", "store_mode", "store_value", "frequency",
                   "interval_days", "weekdays", "month_day", "window_days", "covert",
                   "assign_mode", "claim_limit", "horizon_days", "start_date")


def create_schedule(db, *, org_id: int, created_by: int | None, values: dict) -> int:
    with db.atomic():
        return db["schedules"].insert({
            "org_id": org_id, "created_by": created_by, "created_at": now(), "active": 1,
            **{k: values[k] for k in SCHEDULE_FIELDS}}).last_pk


def get_schedule(db, schedule_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM schedules WHERE id = ?", [schedule_id]))
    return rows[0] if rows else None


def org_schedules(db, org_id: int) -> list[dict]:
    return list(db.query(
        "SELECT s.*, c.title_ko, c.title_en, "
        "(SELECT count(*) FROM schedule_slots x WHERE x.schedule_id = s.id) AS slot_count, "
        "(SELECT count(*) FROM schedule_slots x WHERE x.schedule_id = s.id AND x.assignment_id IS NULL) "
        "AS open_count FROM schedules s JOIN checklists c ON c.id = s.checklist_row_id "
        "WHERE s.org_id = ? ORDER BY s.active DESC, s.name", [org_id]))


def active_schedules(db) -> list[dict]:
    return list(db.query("SELECT * FROM schedules WHERE active = 1 ORDER BY id"))


def set_active(db, schedule_id: int, active: bool) -> None:
    with db.atomic():
        db.execute("UPDATE schedules SET active = ? WHERE id = ?", [int(active), schedule_id])


def stores_for(db, schedule: dict) -> list[dict]:
    """The stores a schedule covers: a list of codes, a region or a store type."""
    mode, value = schedule["store_mode"], schedule["store_value"]
    if mode == "list":
        return list(db.query(
            f"SELECT * FROM stores WHERE org_id = ? AND code {IN_LIST} ORDER BY code",
            [schedule["org_id"], as_list(json.loads(value))]))
    column = "region" if mode == "region" else "store_type"
    return list(db.query(f"SELECT * FROM stores WHERE org_id = ? AND {column} = ? ORDER BY code",
                         [schedule["org_id"], value]))


def insert_slot(db, *, schedule_id: int, store_id: int, occurrence: str, window_start: str,
                window_end: str, planned_date: str) -> int | None:
    """Add a slot unless that store already has one for that occurrence; its id, or None."""
    with db.atomic():
        cursor = db.execute(
            "INSERT OR IGNORE INTO schedule_slots (schedule_id, store_id, occurrence, window_start, "
            "window_end, planned_date, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [schedule_id, store_id, occurrence, window_start, window_end, planned_date, now()])
        return cursor.lastrowid if cursor.rowcount else None


def assign_slot(db, slot_id: int, assignment_id: int) -> bool:
    """Give an open slot its assignment; False when someone else took it first."""
    with db.atomic():
        cursor = db.execute("UPDATE schedule_slots SET assignment_id = ? "
                            "WHERE id = ? AND assignment_id IS NULL", [assignment_id, slot_id])
        return cursor.rowcount == 1


def get_slot(db, slot_id: int) -> dict | None:
    rows = list(db.query(
        "SELECT x.*, s.org_id, s.checklist_row_id, s.covert, s.claim_limit, s.active, s.name, "
        "s.created_by, st.region, st.name AS store_name FROM schedule_slots x "
        "JOIN schedules s ON s.id = x.schedule_id JOIN stores st ON st.id = x.store_id "
        "WHERE x.id = ?", [slot_id]))
    return rows[0] if rows else None


def slots_of(db, schedule_id: int, from_date: str) -> list[dict]:
    """A schedule's slots whose window has not ended, with store and (coordinator's view) auditor."""
    return list(db.query(
        "SELECT x.*, st.code AS store_code, st.name AS store_name, a.status, a.window_end AS "
        "assignment_window_end, u.display_name AS auditor_name FROM schedule_slots x "
        "JOIN stores st ON st.id = x.store_id LEFT JOIN assignments a ON a.id = x.assignment_id "
        "LEFT JOIN users u ON u.id = a.auditor_id "
        "WHERE x.schedule_id = ? AND coalesce(a.window_end, x.window_end) >= ? "
        "ORDER BY x.window_start, x.planned_date, st.code", [schedule_id, from_date]))


def last_auditor_at(db, store_id: int, before: str | None = None) -> int | None:
    """Who was assigned the store's latest assignment (not cancelled), optionally before a date."""
    sql = "SELECT auditor_id FROM assignments WHERE store_id = ? AND status != 'cancelled'"
    params: list = [store_id]
    if before:
        sql += " AND window_start < ?"
        params.append(before)
    row = db.execute(sql + " ORDER BY window_start DESC, id DESC LIMIT 1", params).fetchone()
    return row[0] if row else None


def open_load(db, auditor_ids: list[int], from_date: str) -> dict[int, int]:
    """Open or started assignments per auditor whose window has not ended."""
    counts = {i: 0 for i in auditor_ids}
    for row in db.query(
            f"SELECT auditor_id, count(*) AS n FROM assignments WHERE auditor_id {IN_LIST} "
            f"AND status IN ('open','started') AND window_end >= ? GROUP BY auditor_id",
            [as_list(auditor_ids), from_date]):
        counts[row["auditor_id"]] = row["n"]
    return counts


def claimed_count(db, schedule_id: int, auditor_id: int) -> int:
    """The auditor's not-yet-finished assignments from one schedule (the claim limit counts these)."""
    return db.execute("SELECT count(*) FROM assignments WHERE schedule_id = ? AND auditor_id = ? "
                      "AND status IN ('open','started')", [schedule_id, auditor_id]).fetchone()[0]


def job_board(db, org_id: int, today: str, *, region: str, mystery_shopper: bool) -> list[dict]:
    """Unassigned slots an auditor may claim: their region (any if they have none), window not
    ended, active schedules; covert ones only for mystery shoppers."""
    return list(db.query(
        "SELECT x.*, st.code AS store_code, st.name AS store_name, st.region, st.address, "
        "s.covert, s.claim_limit, s.name AS schedule_name, c.title_ko, c.title_en "
        "FROM schedule_slots x JOIN schedules s ON s.id = x.schedule_id "
        "JOIN stores st ON st.id = x.store_id JOIN checklists c ON c.id = s.checklist_row_id "
        "WHERE s.org_id = ? AND s.active = 1 AND x.assignment_id IS NULL AND x.window_end >= ? "
        "AND (? = '' OR st.region = ?) AND (s.covert = 0 OR ? = 1) "
        "ORDER BY x.window_start, x.planned_date, st.code LIMIT 200",
        [org_id, today, region, region, int(mystery_shopper)]))


def extend_window(db, assignment_id: int, window_end: str) -> None:
    with db.atomic():
        db.execute("UPDATE assignments SET window_end = ? WHERE id = ?", [window_end, assignment_id])
        db.execute("UPDATE schedule_slots SET window_end = ? WHERE assignment_id = ?",
                   [window_end, assignment_id])


def insert_assignment(db, *, slot: dict, schedule: dict, auditor_id: int, assigned_by: int | None) -> int:
    """The assignment a slot becomes, carrying its schedule and planned day."""
    with db.atomic():
        return db["assignments"].insert({
            "checklist_row_id": schedule["checklist_row_id"], "store_id": slot["store_id"],
            "auditor_id": auditor_id, "assigned_by": assigned_by,
            "window_start": slot["window_start"], "window_end": slot["window_end"],
            "covert": int(schedule["covert"]), "note": schedule["name"], "status": "open",
            "created_at": now(), "schedule_id": schedule["id"],
            "planned_date": slot["planned_date"]}).last_pk
