"""What the planner reads and writes: field measurements, traffic, staffing,
saved what-ifs and background simulation jobs."""

from __future__ import annotations

import json

from fieldapp.storage import IN_LIST, as_list, now

DONE_STATES = ("submitted", "reviewed", "released")


def timings_for(db, store_ids: list[int], date_from: str, date_to: str) -> list[dict]:
    """Stopwatch marks of finished visits to these stores started in [date_from, date_to]."""
    if not store_ids:
        return []
    return list(db.query(
        f"SELECT t.visit_id, t.item_key, t.event, t.at, s.code AS store, v.checklist_row_id "
        f"FROM timings t JOIN visits v ON v.id = t.visit_id JOIN stores s ON s.id = v.store_id "
        f"WHERE v.store_id {IN_LIST} AND v.status IN ('submitted','reviewed','released') "
        f"AND substr(v.started_at, 1, 10) BETWEEN ? AND ? ORDER BY t.visit_id, t.at, t.id",
        [as_list(store_ids), date_from, date_to]))


def stage_emotions(db, visit_ids: list[int]) -> dict[tuple[int, str], int]:
    if not visit_ids:
        return {}
    return {(r["visit_id"], r["stage_key"]): r["emotion"] for r in db.query(
        f"SELECT visit_id, stage_key, emotion FROM stage_notes WHERE visit_id {IN_LIST} "
        f"AND emotion IS NOT NULL", [as_list(visit_ids)])}


def traffic_for(db, store_ids: list[int], date_from: str, date_to: str,
                weekday: int | None = None) -> list[dict]:
    """Counts per 15-minute slot of a typical store of the group (the mean over stores);
    ``weekday`` (0 = Monday) keeps only that day of the week."""
    if not store_ids:
        return []
    sql = (f"SELECT day, slot_start, CAST(round(avg(count)) AS INTEGER) AS count FROM traffic_counts "
           f"WHERE store_id {IN_LIST} AND day BETWEEN ? AND ? ")
    args = [as_list(store_ids), date_from, date_to]
    if weekday is not None:  # SQLite's %w counts from Sunday = 0
        sql, args = sql + "AND CAST(strftime('%w', day) AS INTEGER) = ? ", args + [(weekday + 1) % 7]
    return list(db.query(sql + "GROUP BY day, slot_start ORDER BY day, slot_start", args))


def staffing_for(db, store_ids: list[int], weekday: int | None = None, station: str = "counter") -> list[dict]:
    """A typical store's rota at one station: the rounded mean over the stores (and weekdays
    when ``weekday`` is None)."""
    if not store_ids:
        return []
    sql = (f"SELECT hour, CAST(round(avg(servers)) AS INTEGER) AS servers FROM rota "
           f"WHERE store_id {IN_LIST} AND station = ? ")
    args = [as_list(store_ids), station]
    if weekday is not None:
        sql, args = sql + "AND weekday = ? ", args + [weekday]
    return list(db.query(sql + "GROUP BY hour ORDER BY hour", args))


def rota_of(db, store_id: int) -> list[dict]:
    """Every rota row of one store (weekday, station, hour, servers)."""
    return list(db.query("SELECT weekday, station, hour, servers FROM rota WHERE store_id = ? "
                         "ORDER BY station, weekday, hour", [store_id]))


def traffic_days(db, store_id: int) -> dict:
    """How many days of door counts a store has, and the first and last."""
    row = db.execute("SELECT count(DISTINCT day), min(day), max(day) FROM traffic_counts WHERE store_id = ?",
                     [store_id]).fetchone()
    return {"days": row[0], "first": row[1], "last": row[2]}


def answers_for(db, visit_ids: list[int], item_keys: list[str]) -> dict[tuple[int, str], object]:
    """Answers of these items in these visits, decoded."""
    if not visit_ids or not item_keys:
        return {}
    return {(r["visit_id"], r["item_key"]): json.loads(r["value_json"]) if r["value_json"] else None
            for r in db.query(f"SELECT visit_id, item_key, value_json FROM answers WHERE visit_id {IN_LIST} "
                              f"AND item_key {IN_LIST}", [as_list(visit_ids), as_list(item_keys)])}


def save_traffic(db, rows: list[dict], dry_run: bool = False) -> dict:
    """Upsert door counts ``{store_id, day, slot_start, count}``; return how many were new, changed
    and already so (``dry_run``: only count). Joins the caller's transaction."""
    tally = {"new": 0, "changed": 0, "same": 0}
    for r in rows:
        old = db.execute("SELECT count FROM traffic_counts WHERE store_id = ? AND day = ? AND slot_start = ?",
                         [r["store_id"], r["day"], r["slot_start"]]).fetchone()
        if old is not None and old[0] == r["count"]:
            tally["same"] += 1
            continue
        tally["new" if old is None else "changed"] += 1
        if dry_run:
            continue
        db.execute("INSERT INTO traffic_counts (store_id, day, slot_start, count) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (store_id, day, slot_start) DO UPDATE SET count = excluded.count",
                   [r["store_id"], r["day"], r["slot_start"], r["count"]])
    return tally


def save_rota(db, rows: list[dict], dry_run: bool = False) -> dict:
    """Upsert rota rows ``{store_id, weekday, station, hour, servers}``; tally as ``save_traffic``."""
    tally = {"new": 0, "changed": 0, "same": 0}
    for r in rows:
        key = [r["store_id"], r["weekday"], r["station"], r["hour"]]
        old = db.execute("SELECT servers FROM rota WHERE store_id = ? AND weekday = ? AND station = ? "
                         "AND hour = ?", key).fetchone()
        if old is not None and old[0] == r["servers"]:
            tally["same"] += 1
            continue
        tally["new" if old is None else "changed"] += 1
        if dry_run:
            continue
        db.execute("INSERT INTO rota (store_id, weekday, station, hour, servers) VALUES (?, ?, ?, ?, ?) "
                   "ON CONFLICT (store_id, weekday, station, hour) DO UPDATE SET servers = excluded.servers",
                   key + [r["servers"]])
    return tally


# -- saved what-ifs ----------------------------------------------------------

def save_scenario(db, *, org_id: int, user_id: int, store_id: int | None, name: str,
                  baseline_yaml: str, calibration: dict) -> int:
    stamp = now()
    with db.atomic():
        return db["planner_scenarios"].insert({
            "org_id": org_id, "created_by": user_id, "store_id": store_id, "name": name,
            "baseline_yaml": baseline_yaml, "changes_json": "{}",
            "calibration_json": json.dumps(calibration, ensure_ascii=False),
            "created_at": stamp, "updated_at": stamp}).last_pk


def get_scenario(db, scenario_id: int, org_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM planner_scenarios WHERE id = ? AND org_id = ?",
                         [scenario_id, org_id]))
    if not rows:
        return None
    row = rows[0]
    row["changes"] = json.loads(row["changes_json"])
    row["calibration"] = json.loads(row["calibration_json"])
    return row


def update_changes(db, scenario_id: int, changes: dict) -> None:
    with db.atomic():
        db["planner_scenarios"].update(scenario_id, {"changes_json": json.dumps(changes),
                                                     "updated_at": now()})


def scenarios_of(db, org_id: int, limit: int = 30) -> list[dict]:
    return list(db.query(
        "SELECT p.id, p.name, p.updated_at, s.name AS store_name FROM planner_scenarios p "
        "LEFT JOIN stores s ON s.id = p.store_id WHERE p.org_id = ? ORDER BY p.id DESC LIMIT ?",
        [org_id, limit]))


# -- background jobs ---------------------------------------------------------

def enqueue_job(db, *, org_id: int, user_id: int, kind: str, title: str, payload: dict) -> int:
    with db.atomic():
        return db["sim_jobs"].insert({
            "org_id": org_id, "created_by": user_id, "kind": kind, "title": title,
            "input_json": json.dumps(payload, ensure_ascii=False), "status": "queued",
            "created_at": now()}).last_pk


def get_job(db, job_id: int, org_id: int | None = None) -> dict | None:
    sql, args = "SELECT * FROM sim_jobs WHERE id = ?", [job_id]
    if org_id is not None:
        sql, args = sql + " AND org_id = ?", [job_id, org_id]
    rows = list(db.query(sql, args))
    if not rows:
        return None
    row = rows[0]
    row["input"] = json.loads(row["input_json"])
    row["result"] = json.loads(row["result_json"]) if row["result_json"] else None
    return row


def jobs_of(db, org_id: int, limit: int = 20) -> list[dict]:
    return list(db.query("SELECT id, kind, title, status, progress_done, progress_total, created_at "
                         "FROM sim_jobs WHERE org_id = ? ORDER BY id DESC LIMIT ?", [org_id, limit]))


def queued_count(db) -> int:
    return db.execute("SELECT count(*) FROM sim_jobs WHERE status = 'queued'").fetchone()[0]


def claim_next_job(db) -> dict | None:
    """Mark the oldest queued job running and return it; None when there is none.

    The UPDATE's ``status = 'queued'`` guard makes the claim safe when several
    server processes look for work at once.
    """
    with db.atomic():
        row = db.execute("SELECT id FROM sim_jobs WHERE status = 'queued' ORDER BY id LIMIT 1").fetchone()
        if row is None:
            return None
        stamp = now()
        claimed = db.execute("UPDATE sim_jobs SET status = 'running', started_at = ?, heartbeat_at = ? "
                             "WHERE id = ? AND status = 'queued'", [stamp, stamp, row[0]]).rowcount
    return get_job(db, row[0]) if claimed else None


def set_progress(db, job_id: int, done: int, total: int) -> bool:
    """Record progress; return True when the planner asked to cancel."""
    with db.atomic():
        db.execute("UPDATE sim_jobs SET progress_done = ?, progress_total = ?, heartbeat_at = ? "
                   "WHERE id = ?", [done, total, now(), job_id])
    return bool(db.execute("SELECT cancel_requested FROM sim_jobs WHERE id = ?", [job_id]).fetchone()[0])


def finish_job(db, job_id: int, status: str, result: dict | None = None, error: str | None = None) -> None:
    with db.atomic():
        db.execute("UPDATE sim_jobs SET status = ?, result_json = ?, error = ?, finished_at = ? "
                   "WHERE id = ?", [status, json.dumps(result, ensure_ascii=False) if result else None,
                                    error, now(), job_id])


def request_cancel(db, job_id: int) -> None:
    with db.atomic():
        db.execute("UPDATE sim_jobs SET cancel_requested = 1 WHERE id = ? AND status IN ('queued','running')",
                   [job_id])
        db.execute("UPDATE sim_jobs SET status = 'cancelled', finished_at = ? "
                   "WHERE id = ? AND status = 'queued'", [now(), job_id])


def interrupt_stale_jobs(db, older_than: str) -> int:
    """Jobs left 'running' by a server that stopped are 'interrupted', not lost."""
    with db.atomic():
        return db.execute("UPDATE sim_jobs SET status = 'interrupted', finished_at = ? "
                          "WHERE status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < ?)",
                          [now(), older_than]).rowcount


# -- adopted what-ifs --------------------------------------------------------

def jobs_of_scenario(db, org_id: int, scenario_id: int, kind: str) -> list[dict]:
    """Finished jobs of one kind for a saved what-if, oldest first."""
    rows = list(db.query("SELECT id FROM sim_jobs WHERE org_id = ? AND kind = ? AND status = 'done' "
                         "AND json_extract(input_json, '$.scenario_id') = ? ORDER BY id",
                         [org_id, kind, scenario_id]))
    return [get_job(db, r["id"]) for r in rows]


def adopt(db, *, org_id: int, user_id: int, scenario_id: int | None, job_id: int | None, changes: dict,
          prediction: dict, from_day: str, store_ids: list[int]) -> int:
    """Record that a what-if was adopted at these stores from ``from_day``."""
    with db.atomic():
        adoption_id = db["planner_adoptions"].insert({
            "org_id": org_id, "scenario_id": scenario_id, "job_id": job_id,
            "changes_json": json.dumps(changes, ensure_ascii=False),
            "prediction_json": json.dumps(prediction, ensure_ascii=False), "from_day": from_day,
            "created_by": user_id, "created_at": now()}).last_pk
        db["planner_adoption_stores"].insert_all(
            {"adoption_id": adoption_id, "store_id": s} for s in sorted(set(store_ids)))
    return adoption_id


def adoptions_of(db, org_id: int) -> list[dict]:
    """Adopted what-ifs, newest first, each with its store ids."""
    out = []
    for row in db.query("SELECT * FROM planner_adoptions WHERE org_id = ? ORDER BY from_day DESC, id DESC",
                        [org_id]):
        row["changes"] = json.loads(row["changes_json"])
        row["prediction"] = json.loads(row["prediction_json"])
        row["store_ids"] = [r[0] for r in db.execute(
            "SELECT store_id FROM planner_adoption_stores WHERE adoption_id = ? ORDER BY store_id", [row["id"]])]
        out.append(row)
    return out
