"""Customers' answers as rows reports add up, and the SQL aggregates over them.

An answer's JSON stays the record. When it is submitted, the same transaction
writes one row per rated stage and touchpoint (``voice.parts``), carrying its
store, submission time, checklist version and whether it counts (submitted,
not flagged as spam); flagging updates that flag. NPS and overall ratings are
already columns of the answer. So a chain's customer figures are sums over
covering indexes (and, for every store, over whole hours of ``voice_part_hours``,
which triggers keep), never a re-read of every answer.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from fieldapp.storage import IN_LIST, as_list, hours

PART_INSERT = ("INSERT INTO voice_parts (response_id, part, value, store_id, submitted_at, checklist_row_id, "
               "counted) VALUES (?, ?, ?, ?, ?, ?, ?)")
COUNTED = "x.status = 'submitted' AND x.flagged = 0"


def write_parts(db, response_id: int, parts: dict[str, float]) -> None:
    """Replace an answer's rows (a panel member may re-submit); joins the caller's transaction."""
    where = db.execute(
        f"SELECT x.store_id, x.submitted_at, r.checklist_row_id, {COUNTED} FROM voice_responses x "
        f"JOIN voice_rounds r ON r.id = x.round_id WHERE x.id = ?", [response_id]).fetchone()
    with db.atomic():
        db.execute("DELETE FROM voice_parts WHERE response_id = ?", [response_id])
        if where and where[1]:
            db.conn.executemany(PART_INSERT, [(response_id, k, v, *where) for k, v in parts.items()])


def recount(db, response_id: int) -> None:
    """The answer was flagged or unflagged: its rows count or not (same transaction)."""
    db.execute(f"UPDATE voice_parts SET counted = (SELECT {COUNTED} FROM voice_responses x WHERE x.id = ?) "
               f"WHERE response_id = ?", [response_id, response_id])


def parts_of(db, response_id: int) -> dict[str, float]:
    return dict(db.execute("SELECT part, value FROM voice_parts WHERE response_id = ?", [response_id]).fetchall())


def _where(store_ids, lo: str, hi: str, round_ids=None) -> tuple[str, list]:
    sql = f"{COUNTED} AND x.store_id {IN_LIST} AND x.submitted_at >= ? AND x.submitted_at < ?"
    params = [as_list(store_ids), lo, hi]
    if round_ids is not None:
        sql += f" AND x.round_id {IN_LIST}"
        params.append(as_list(round_ids))
    return sql, params


def answers_per_round(db, store_ids, lo: str, hi: str) -> dict[int, int]:
    """Counted answers per survey round in the period (to pick the most used checklist)."""
    where, params = _where(store_ids, lo, hi)
    return dict(db.execute(f"SELECT x.round_id, count(*) FROM voice_responses x WHERE {where} "
                           f"GROUP BY x.round_id", params).fetchall())


def store_counts(db, store_ids, lo: str, hi: str, round_ids) -> dict[int, dict]:
    """Per store: answers, NPS answers with promoters and detractors, overall ratings
    with the satisfied (4-5) and their sums on 0..100 (for ``insights.csat_of_sums``)."""
    where, params = _where(store_ids, lo, hi, round_ids)
    nps = "CASE WHEN x.nps BETWEEN 0 AND 10 THEN x.nps END"
    overall = "CASE WHEN x.overall BETWEEN 1 AND 5 THEN (x.overall - 1) * 25.0 END"
    return {r[0]: {"n": r[1], "nps_n": r[2], "promoters": int(r[3]), "detractors": int(r[4]), "overall_n": r[5],
                   "satisfied": int(r[6]), "total": r[7], "total_sq": r[8]}
            for r in db.execute(
                f"SELECT x.store_id, count(*), count({nps}), total({nps} >= 9), total({nps} <= 6), count({overall}), "
                f"total({overall} >= 75), total({overall}), total({overall} * {overall}) "
                f"FROM voice_responses x WHERE {where} GROUP BY x.store_id", params)}


def part_sums(db, store_ids, lo: str, hi: str, row_ids, parts: list[str], *,
              every_store: bool = False) -> dict[str, tuple]:
    """Per part (``stage:<key>``, ``tp:<key>``): ``(n, satisfied, total, total_sq)`` of the
    counted answers' means on 0..100 (for ``insights.csat_of_sums``).

    For some stores, one scan of a covering index (part, store, time) per part.
    For every store, the whole hours of the period come from ``voice_part_hours``
    (kept by triggers) and only its partial first and last hour from the rows.
    """
    if every_store:
        whole, edges = hours.split(lo, hi)
        sums = _hour_sums(db, *whole, row_ids, parts) if whole else {}
        for a, b in edges:
            _add(sums, _row_sums(db, "voice_parts_by_time", "", [], a, b, row_ids, parts))
    else:
        sums = _row_sums(db, "voice_parts_counted", f"AND p.store_id {IN_LIST} ", [as_list(store_ids)],
                         lo, hi, row_ids, parts)
    # ratings 1-5 to 0..100: x = 25 (v - 1)
    return {part: (n, int(satisfied), 25 * (total - n), 625 * (total_sq - 2 * total + n))
            for part, (n, satisfied, total, total_sq) in sums.items() if n}


def _hour_sums(db, first_hour: str, last_hour: str, row_ids, parts) -> dict[str, list]:
    return {r[0]: list(r[1:]) for r in db.execute(
        f"SELECT part, sum(n), sum(satisfied), sum(total), sum(total_sq) FROM voice_part_hours "
        f"WHERE part {IN_LIST} AND hour >= ? AND hour < ? AND checklist_row_id {IN_LIST} GROUP BY part",
        [as_list(parts), first_hour, last_hour, as_list(row_ids)])}


def _row_sums(db, index: str, where: str, params: list, lo: str, hi: str, row_ids, parts) -> dict[str, list]:
    """One scan of ``index`` per part, its four sums packed in one value (a join
    grouped by part would sort every row first)."""
    out = {}
    for part, packed in db.execute(
            f"SELECT k.value, (SELECT json_array(count(*), total(p.value >= 4), total(p.value), "
            f"total(p.value * p.value)) FROM voice_parts p INDEXED BY {index} WHERE p.part = k.value "
            f"AND p.counted = 1 {where}AND p.submitted_at >= ? AND p.submitted_at < ? "
            f"AND p.checklist_row_id {IN_LIST}) FROM json_each(?) k",
            [*params, lo, hi, as_list(row_ids), as_list(parts)]):
        out[part] = json.loads(packed)
    return out


def _add(sums: dict[str, list], more: dict[str, list]) -> None:
    for part, values in more.items():
        sums[part] = [a + b for a, b in zip(sums.get(part, [0, 0, 0.0, 0.0]), values)]


def newest_answers(db, store_ids, lo: str, hi: str, round_ids, recent_days: int = 3):
    """Counted answers newest first, with their round's NPS item and store: a lazy
    iterator, so a caller looking for the latest few comments reads only those.
    The last ``recent_days`` are read first (a chain's whole period need not be
    sorted to find its newest answers), then the rest."""
    edge = max(lo, (datetime.fromisoformat(hi) - timedelta(days=recent_days)).isoformat(timespec="seconds"))
    for a, b in ((edge, hi), (lo, edge)):
        if a >= b:
            continue
        where, params = _where(store_ids, a, b, round_ids)
        for row in db.query(
                f"SELECT x.id, x.store_id, x.submitted_at, x.answers_json, r.nps_item, s.name AS store_name "
                f"FROM voice_responses x JOIN voice_rounds r ON r.id = x.round_id "
                f"JOIN stores s ON s.id = x.store_id WHERE {where} ORDER BY x.submitted_at DESC, x.id DESC", params):
            row["answers"] = json.loads(row.pop("answers_json"))
            yield row
