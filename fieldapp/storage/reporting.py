"""Read-only queries behind reports and dashboards: released visits over a
period, their answers, and the chain they belong to.

Periods are dates in the organisation's time zone (``YYYY-MM-DD``, both ends
included); visits store UTC ISO stamps, so the bounds are converted here, once.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from fieldapp.storage import IN_LIST, as_list, stores


def utc_bounds(start: date, end: date, tz=None) -> tuple[str, str]:
    """``[start 00:00, end+1 00:00)`` local to ``tz`` (default Asia/Seoul) as UTC ISO
    strings, comparable with stored stamps."""
    tz = tz or ZoneInfo(stores.DEFAULT_TIMEZONE)
    lo = datetime.combine(start, time(0), tz).astimezone(timezone.utc)
    hi = datetime.combine(end + timedelta(days=1), time(0), tz).astimezone(timezone.utc)
    return lo.isoformat(timespec="seconds"), hi.isoformat(timespec="seconds")




def released_visits(db, store_ids: list[int], start: date, end: date,
                    checklist_id: str | None = None) -> list[dict]:
    """Released visits of ``store_ids`` started within the period, oldest first,
    each with its decoded ``score_detail``."""
    if not store_ids:
        return []
    lo, hi = utc_bounds(start, end, _org_zone(db, store_ids[0]))
    params: list = [as_list(store_ids), lo, hi]
    extra = ""
    if checklist_id:
        extra = " AND c.checklist_id = ?"
        params.append(checklist_id)
    rows = list(db.query(
        f"SELECT v.id, v.store_id, v.started_at, v.score, v.passed, v.covert, v.score_json, "
        f"v.checklist_row_id, v.auditor_id, s.name AS store_name, s.code AS store_code, s.region, "
        f"s.chain, c.checklist_id, c.version AS checklist_version, c.title_ko, c.title_en, "
        f"u.display_name AS auditor_name, u.mystery_shopper AS auditor_mystery_shopper "
        f"FROM visits v JOIN stores s ON s.id = v.store_id "
        f"JOIN checklists c ON c.id = v.checklist_row_id JOIN users u ON u.id = v.auditor_id "
        f"WHERE v.store_id {IN_LIST} AND v.status = 'released' "
        f"AND v.started_at >= ? AND v.started_at < ?{extra} ORDER BY v.started_at, v.id", params))
    for row in rows:
        row["score_detail"] = json.loads(row["score_json"]) if row["score_json"] else {}
    return rows


def _org_zone(db, store_id: int):
    """The time zone of the organisation a store belongs to."""
    store = stores.get_store(db, store_id)
    try:
        return ZoneInfo(stores.org_timezone(db, store["org_id"] if store else None))
    except (KeyError, ValueError):
        return ZoneInfo(stores.DEFAULT_TIMEZONE)


def chain_store_ids(db, org_id: int, chain: str) -> list[int]:
    """Every store of one chain in an organisation (for chain averages only)."""
    return [r["id"] for r in db.query("SELECT id FROM stores WHERE org_id = ? AND chain = ? ORDER BY id",
                                      [org_id, chain])]


def answer_values(db, visit_ids: list[int], item_keys: list[str]) -> list[dict]:
    """``visit_id``, ``item_key`` and decoded ``value`` of the given items on the given visits."""
    if not visit_ids or not item_keys:
        return []
    return [{"visit_id": row["visit_id"], "item_key": row["item_key"],
             "value": json.loads(row["value_json"]) if row["value_json"] else None}
            for row in db.query(
                f"SELECT visit_id, item_key, value_json FROM answers WHERE visit_id {IN_LIST} "
                f"AND item_key {IN_LIST}", [as_list(visit_ids), as_list(item_keys)])]


def stage_emotions(db, visit_ids: list[int]) -> list[dict]:
    if not visit_ids:
        return []
    return list(db.query(
        f"SELECT visit_id, stage_key, emotion FROM stage_notes WHERE visit_id {IN_LIST} "
        f"AND emotion IS NOT NULL", [as_list(visit_ids)]))


def regions_of(db, store_ids: list[int]) -> list[str]:
    if not store_ids:
        return []
    return [r["region"] for r in db.query(
        f"SELECT DISTINCT region FROM stores WHERE id {IN_LIST} ORDER BY region", [as_list(store_ids)])]


def checklists_used(db, store_ids: list[int]) -> list[dict]:
    """Checklists (by id, newest title) that released visits of these stores used."""
    if not store_ids:
        return []
    return list(db.query(
        f"SELECT c.checklist_id, max(c.title_ko) AS title_ko, max(c.title_en) AS title_en "
        f"FROM checklists c WHERE EXISTS (SELECT 1 FROM visits v INDEXED BY visits_checklist_released "
        f"WHERE v.checklist_row_id = c.id AND v.status = 'released' AND v.store_id {IN_LIST}) "
        f"GROUP BY c.checklist_id ORDER BY c.checklist_id", [as_list(store_ids)]))


def later_released_visits(db, store_id: int, after: str) -> list[dict]:
    """Released visits of one store started after ``after`` (UTC ISO), oldest first."""
    return list(db.query(
        "SELECT id, started_at, checklist_row_id FROM visits WHERE store_id = ? AND status = 'released' "
        "AND started_at > ? ORDER BY started_at, id", [store_id, after]))
