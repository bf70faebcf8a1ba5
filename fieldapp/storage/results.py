"""Each visit's frozen results as rows, and the SQL aggregates reports read.

A visit's score JSON stays the record; when the score is frozen (submit) the
same transaction writes one row per stage, touchpoint and scored item, so
dashboards and period reports sum rows over covering indexes instead of
re-reading and re-parsing every visit's JSON on every request.

A ``Scope`` is the released visits of some stores between two local dates,
optionally of one checklist; every aggregate below takes one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime

from fieldapp.storage import IN_LIST, as_list, hours, reporting, stores

# --- writing ------------------------------------------------------------------


def numeric(value) -> float | None:
    """The answer as a number when it is one (waits, ratings, counts), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


STAGE_INSERT = ("INSERT INTO visit_stage_results (visit_id, stage_key, score, store_id, started_at, "
                "checklist_row_id, released) VALUES (?, ?, ?, ?, ?, ?, ?)")
TOUCHPOINT_INSERT = "INSERT INTO visit_touchpoint_results (visit_id, touchpoint_key, score) VALUES (?, ?, ?)"
ITEM_INSERT = ("INSERT INTO visit_item_results (visit_id, item_key, score, failed, value, store_id, started_at, "
               "checklist_row_id, released) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")


def result_rows(visit: dict, *, stages: dict, touchpoints: dict, items) -> tuple[list, list, list]:
    """The stage, touchpoint and item rows of one visit (``id``, ``store_id``,
    ``started_at``, ``checklist_row_id``, ``status``), for the three INSERTs above."""
    vid = visit["id"]
    where = (visit["store_id"], visit["started_at"], visit["checklist_row_id"], int(visit["status"] == "released"))
    return ([(vid, k, v, *where) for k, v in stages.items()],
            [(vid, k, v) for k, v in touchpoints.items()],
            [(vid, r.key, r.score, int(r.failed), numeric(r.value), *where) for r in items])


def write_visit_results(db, visit_id: int, *, stages: dict, touchpoints: dict, items) -> None:
    """Replace a visit's result rows (a re-submitted or re-scored visit is scored afresh).

    ``items`` are ``checklists.ItemResult``; joins the caller's transaction.
    """
    visit = dict(zip(("id", "store_id", "started_at", "checklist_row_id", "status"), db.execute(
        "SELECT id, store_id, started_at, checklist_row_id, status FROM visits WHERE id = ?",
        [visit_id]).fetchone()))
    stage_rows, tp_rows, item_rows = result_rows(visit, stages=stages, touchpoints=touchpoints, items=items)
    with db.atomic():
        for table in ("visit_stage_results", "visit_touchpoint_results", "visit_item_results"):
            db.execute(f"DELETE FROM {table} WHERE visit_id = ?", [visit_id])
        db.conn.executemany(STAGE_INSERT, stage_rows)
        db.conn.executemany(TOUCHPOINT_INSERT, tp_rows)
        db.conn.executemany(ITEM_INSERT, item_rows)


def mark_released(db, visit_id: int) -> None:
    """The visit went to the store: its failures and stage scores now count (part of
    the release transaction)."""
    db.execute("UPDATE visit_item_results SET released = 1 WHERE visit_id = ?", [visit_id])
    db.execute("UPDATE visit_stage_results SET released = 1 WHERE visit_id = ?", [visit_id])


def rows_of_visit(db, visit_id: int) -> dict:
    """A visit's stored result rows, shaped like the scorer's output (for tests and checks)."""
    return {
        "stages": {r["stage_key"]: r["score"] for r in db.query(
            "SELECT stage_key, score FROM visit_stage_results WHERE visit_id = ?", [visit_id])},
        "touchpoints": {r["touchpoint_key"]: r["score"] for r in db.query(
            "SELECT touchpoint_key, score FROM visit_touchpoint_results WHERE visit_id = ?", [visit_id])},
        "items": {r["item_key"]: r for r in db.query(
            "SELECT item_key, score, failed, value FROM visit_item_results WHERE visit_id = ?", [visit_id])},
    }


# --- which visits -------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Released visits of ``store_ids`` started in ``[lo, hi)`` (UTC), of ``row_ids`` if set."""

    store_ids: tuple
    lo: str
    hi: str
    row_ids: tuple | None = None
    every_store: bool = False  # store_ids are all the stores there are: a query may skip the store filter

    def where(self, alias: str = "v") -> tuple[str, list]:
        sql = (f"{alias}.status = 'released' AND {alias}.store_id {IN_LIST} "
               f"AND {alias}.started_at >= ? AND {alias}.started_at < ?")
        params: list = [as_list(self.store_ids), self.lo, self.hi]
        if self.row_ids is not None:
            sql += f" AND {alias}.checklist_row_id {IN_LIST}"
            params.append(as_list(self.row_ids))
        return sql, params

    def of_checklist(self, db, checklist_id: str | None) -> Scope:
        ids = tuple(r["id"] for r in db.query("SELECT id FROM checklists WHERE checklist_id = ?",
                                              [checklist_id]))
        return replace(self, row_ids=ids)


def scope(db, store_ids, start: date, end: date, checklist_id: str | None = None) -> Scope:
    """The scope for local dates ``start``..``end`` (both included) in the stores' time zone."""
    store_ids = tuple(store_ids)
    if store_ids:
        lo, hi = reporting.utc_bounds(start, end, reporting._org_zone(db, store_ids[0]))
    else:
        lo, hi = reporting.utc_bounds(start, end)
    out = Scope(store_ids, lo, hi, every_store=stores.are_every_store(db, store_ids))
    return out.of_checklist(db, checklist_id) if checklist_id else out


def dominant_checklist_id(db, s: Scope) -> str | None:
    """The checklist most visits in scope used (ties: the one used first)."""
    where, params = s.where()
    row = db.execute(
        f"SELECT c.checklist_id FROM (SELECT v.checklist_row_id AS row_id, count(*) AS n, "
        f"min(v.started_at) AS first FROM visits v WHERE {where} GROUP BY v.checklist_row_id) x "
        f"JOIN checklists c ON c.id = x.row_id GROUP BY c.checklist_id "
        f"ORDER BY sum(x.n) DESC, min(x.first) LIMIT 1", params).fetchone()
    return row[0] if row else None


def latest_row_id(db, s: Scope) -> int | None:
    """The checklist version of the newest visit in scope (the one reports label by).

    Each store's newest visit is one index seek; the newest of those is the answer
    (ordering a year of a chain's visits would read them all)."""
    where, params = s.where("n")
    row = db.execute(
        f"SELECT v.checklist_row_id FROM visits v WHERE v.id IN (SELECT (SELECT n.id FROM visits n "
        f"WHERE n.store_id = j.value AND {where} ORDER BY n.started_at DESC, n.id DESC LIMIT 1) "
        f"FROM json_each(?) j) ORDER BY v.started_at DESC, v.id DESC LIMIT 1",
        [*params, as_list(s.store_ids)]).fetchone()
    return row[0] if row else None


# --- aggregates ---------------------------------------------------------------


def summary(db, s: Scope) -> dict:
    """Visits, average score and visits passed."""
    where, params = s.where()
    row = db.execute(f"SELECT count(*), avg(v.score), total(v.passed) FROM visits v WHERE {where}",
                     params).fetchone()
    return {"visits": row[0], "average": row[1], "passed": int(row[2])}


SPARK_POINTS = 36  # a sparkline's points at most: visits in the same 1/36 of the period are averaged


def store_summaries(db, s: Scope, stage_key: str | None = None) -> dict[int, dict]:
    """Per store: visits, average (of the visit score or one stage's), passed, last visit."""
    where, params = s.where()
    if stage_key:
        sql = (f"SELECT v.store_id, count(*), avg(r.score), total(v.passed), max(v.started_at) "
               f"FROM visits v LEFT JOIN visit_stage_results r ON r.visit_id = v.id AND r.stage_key = ? "
               f"WHERE {where} GROUP BY v.store_id")
        params = [stage_key, *params]
    else:
        sql = (f"SELECT v.store_id, count(*), avg(v.score), total(v.passed), max(v.started_at) "
               f"FROM visits v WHERE {where} GROUP BY v.store_id")
    return {r[0]: {"visits": r[1], "average": r[2], "passed": int(r[3]), "last": r[4]}
            for r in db.execute(sql, params)}


def store_series(db, s: Scope, store_ids: list[int], stage_key: str | None = None,
                 points: int = SPARK_POINTS) -> dict[int, list[float]]:
    """Per store of ``store_ids`` (a page of the ranking, not the chain): the mean
    score of each of ``points`` equal slices of the period that has visits, oldest
    first, so a sparkline costs the same for 10 visits or 300."""
    where, params = replace(s, store_ids=tuple(store_ids)).where()
    score = "r.score" if stage_key else "v.score"
    join = ("JOIN visit_stage_results r ON r.visit_id = v.id AND r.stage_key = ? " if stage_key else "")
    out: dict[int, list[float]] = {}
    for store_id, _slice, mean in db.execute(
            f"SELECT v.store_id, CAST((julianday(v.started_at) - julianday(?)) * ? AS INTEGER) AS slice, "
            f"avg({score}) FROM visits v {join}WHERE {where} AND {score} IS NOT NULL "
            f"GROUP BY v.store_id, slice ORDER BY v.store_id, slice",
            [s.lo, points / max(_days(s.lo, s.hi), 1e-9), *([stage_key] if stage_key else []), *params]):
        out.setdefault(store_id, []).append(mean)
    return out


def _days(lo: str, hi: str) -> float:
    return (datetime.fromisoformat(hi) - datetime.fromisoformat(lo)).total_seconds() / 86400


def failed_counts(db, s: Scope, item_keys: list[str]) -> list[tuple[str, int]]:
    """``(item_key, released visits in scope failing it)``, for these items.

    One count per item over a covering partial index of released failures, so no
    visit is read: by item, store and start for some stores (a seek per store),
    by item and start when the scope is every store (no store filter at all).
    """
    versions = f" AND f.checklist_row_id {IN_LIST}" if s.row_ids is not None else ""
    if s.every_store:
        index, where, params = "visit_item_failures_by_date", "f.started_at >= ? AND f.started_at < ?", [s.lo, s.hi]
    else:
        index, where = "visit_item_failures", f"f.store_id {IN_LIST} AND f.started_at >= ? AND f.started_at < ?"
        params = [as_list(s.store_ids), s.lo, s.hi]
    params += [as_list(s.row_ids)] if s.row_ids is not None else []
    return [tuple(r) for r in db.execute(
        f"SELECT k.value, (SELECT count(*) FROM visit_item_results f INDEXED BY {index} "
        f"WHERE f.item_key = k.value AND f.failed = 1 AND f.released = 1 AND {where}{versions}) AS n "
        f"FROM json_each(?) k", [*params, as_list(item_keys)]) if r[1]]


def stage_means(db, s: Scope, stage_keys: list[str]) -> dict[str, float | None]:
    """Per stage, the mean stage score of the visits in scope.

    Stage rows carry their visit's store, start, version and released flag, so
    each stage's sums are read from one covering partial index, never the visits.
    When the scope is every store, its whole hours come from ``visit_stage_hours``
    (kept by triggers) and only the partial hours at its ends from the rows.
    """
    def versions(column: str) -> str:
        return f" AND {column} {IN_LIST}" if s.row_ids is not None else ""
    version_params = [as_list(s.row_ids)] if s.row_ids is not None else []
    sums: dict[str, list] = {}

    def add(rows):
        for key, n, total in rows:
            if n:
                sums[key] = [a + b for a, b in zip(sums.get(key, [0, 0.0]), (n, total))]

    def from_rows(index, where, params):  # a scan per stage, its two sums packed in one value
        add((key, *json.loads(packed)) for key, packed in db.execute(
            f"SELECT k.value, (SELECT json_array(count(r.score), total(r.score)) FROM visit_stage_results r "
            f"INDEXED BY {index} WHERE r.stage_key = k.value AND r.released = 1 AND {where}"
            f"{versions('r.checklist_row_id')}) FROM json_each(?) k",
            [*params, *version_params, as_list(stage_keys)]))

    if s.every_store:
        whole, edges = hours.split(s.lo, s.hi)
        if whole:
            add(db.execute(f"SELECT stage_key, sum(n), sum(total) FROM visit_stage_hours WHERE stage_key {IN_LIST} "
                           f"AND hour >= ? AND hour < ?{versions('checklist_row_id')} GROUP BY stage_key",
                           [as_list(stage_keys), *whole, *version_params]))
        for a, b in edges:
            from_rows("visit_stage_by_time", "r.started_at >= ? AND r.started_at < ?", [a, b])
    else:
        from_rows("visit_stage_released", f"r.store_id {IN_LIST} AND r.started_at >= ? AND r.started_at < ?",
                  [as_list(s.store_ids), s.lo, s.hi])
    return {key: total / n for key, (n, total) in sums.items()}


def touchpoint_means(db, s: Scope) -> dict[str, float | None]:
    where, params = s.where()
    return dict(db.execute(
        f"SELECT r.touchpoint_key, avg(r.score) FROM visits v "
        f"JOIN visit_touchpoint_results r ON r.visit_id = v.id WHERE {where} GROUP BY r.touchpoint_key",
        params).fetchall())


def item_values(db, s: Scope, item_keys: list[str]) -> list[tuple[str, float]]:
    """``(item_key, value)`` of numeric answers to these items (waits in seconds)."""
    if not item_keys:
        return []
    where, params = s.where()
    return db.execute(
        f"SELECT r.item_key, r.value FROM visits v JOIN visit_item_results r ON r.visit_id = v.id "
        f"AND r.item_key {IN_LIST} WHERE {where} AND r.value IS NOT NULL", [as_list(item_keys), *params]
    ).fetchall()


def emotion_means(db, s: Scope) -> dict[str, float]:
    """Per stage, the mean felt emotion (1-5) auditors recorded."""
    where, params = s.where()
    return dict(db.execute(
        f"SELECT n.stage_key, avg(n.emotion) FROM visits v JOIN stage_notes n ON n.visit_id = v.id "
        f"WHERE {where} AND n.emotion IS NOT NULL GROUP BY n.stage_key", params).fetchall())


TREND_DOTS = 120  # a trend shows each visit up to this many; beyond, one dot per day or week


def trend(db, s: Scope, most: int = TREND_DOTS) -> tuple[int, list[tuple]]:
    """The score over time, as ``(days per dot, dots)``.

    Up to ``most`` visits: ``(0, [(started_at, score)])``, one dot per visit, oldest
    first. More: ``(days, [(first local day offset, visits, mean, lowest, highest)])``,
    one dot per day, or per week when a day a dot would still be more than
    ``most`` dots, grouped in SQL, so a chart of a year costs what one of a month does.
    """
    where, params = s.where()
    n = db.execute(f"SELECT count(*) FROM visits v WHERE {where} AND v.score IS NOT NULL", params).fetchone()[0]
    if n <= most:
        return 0, db.execute(f"SELECT v.started_at, v.score FROM visits v WHERE {where} AND v.score IS NOT NULL "
                             f"ORDER BY v.started_at, v.id", params).fetchall()
    days = 1 if _days(s.lo, s.hi) <= most else 7
    return days, db.execute(
        f"SELECT CAST((julianday(v.started_at) - julianday(?)) / ? AS INTEGER) * ? AS day, count(*), "
        f"avg(v.score), min(v.score), max(v.score) FROM visits v WHERE {where} AND v.score IS NOT NULL "
        f"GROUP BY day ORDER BY day", [s.lo, days, days, *params]).fetchall()


VISIT_COLUMNS = ("SELECT v.id, v.store_id, v.started_at, v.score, v.passed, v.covert, v.auditor_id, "
                 "v.checklist_row_id, s.name AS store_name, s.code AS store_code, s.region, "
                 "c.checklist_id, u.display_name AS auditor_name, "
                 "u.mystery_shopper AS auditor_mystery_shopper "
                 "FROM visits v JOIN stores s ON s.id = v.store_id "
                 "JOIN checklists c ON c.id = v.checklist_row_id JOIN users u ON u.id = v.auditor_id ")


def visits_newest_first(db, s: Scope, limit: int = -1):
    """Visits in scope with store, checklist and auditor, newest first: a lazy iterator of dicts."""
    where, params = s.where()
    if limit < 0:
        return db.query(VISIT_COLUMNS + f"WHERE {where} ORDER BY v.started_at DESC, v.id DESC", params)
    # a few: pick them from the covering index first, then join their details
    return db.query(VISIT_COLUMNS + f"WHERE v.id IN (SELECT v.id FROM visits v WHERE {where} "
                    f"ORDER BY v.started_at DESC, v.id DESC LIMIT ?) ORDER BY v.started_at DESC, v.id DESC",
                    [*params, limit])
