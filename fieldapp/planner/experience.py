"""How much samples, a production line in view and entertainment shorten the felt wait,
learned from the auditors' own visits (``simulation.wait_feeling``).

A visit counts when it has a measured wait at the counter and a feeling
(1-5) for the stage where the auditor queued. Checklist items whose key
names the factor (``sample_offered``, ``line_visible``, ...) say whether
it was present; a yes/true answer (or a choice named yes) is present.
"""

from __future__ import annotations

from datetime import date, timedelta

from fieldapp.planner import observations
from fieldapp.storage import checklist_store, journey, planning
from simulation.experience import DEFAULT_MULTIPLIERS
from simulation.wait_feeling import WaitFeelingError, estimate_wait_factors

# record key of simulation.wait_feeling -> checklist item keys that record it
FACTOR_ITEMS = {
    "samples_offered": ("sample_offered", "samples_offered", "free_sample_offered"),
    "production_in_view": ("line_visible", "production_in_view", "production_visible"),
    "entertainment": ("entertainment", "entertainment_present"),
}


def _present(value) -> bool:
    if isinstance(value, dict):
        value = value.get("value", value.get("choice"))
    return value is True or str(value).strip().lower() in ("yes", "true", "1", "y", "예")


def field_records(db, store_ids: list[int], date_from: str, date_to: str, need_rating: bool = True) -> list[dict]:
    """One record per visit: wait_min, rating (None when not given and not ``need_rating``), the
    three factors as booleans, and the store-local clock hour the wait began."""
    rows = journey.marks_for(db, store_ids, date_from, date_to)  # each visit's journey clock
    records = observations.timing_records(rows)
    waits = observations.waits_by_visit(records)
    order = sorted(waits)
    _w, starts = observations.waits_and_starts(records, "00:00")
    hour_of = {visit: int(start // 60) for visit, start in zip(order, starts)}
    stage_of: dict[int, str] = {}
    for row in rows:
        if row["event"] == observations.ARRIVE and row["visit_id"] not in stage_of:
            stage = observations.queueing_stage(checklist_store.load_pinned(db, row["checklist_row_id"]))
            if stage is not None:
                stage_of[row["visit_id"]] = stage
    emotions = planning.stage_emotions(db, list(stage_of))
    keys = [k for keys in FACTOR_ITEMS.values() for k in keys]
    answers = planning.answers_for(db, list(stage_of), keys)
    out = []
    for visit, stage in stage_of.items():
        if visit not in waits or (need_rating and (visit, stage) not in emotions):
            continue
        rec = {"visit": visit, "hour": hour_of.get(visit), "wait_min": waits[visit],
               "rating": emotions.get((visit, stage))}
        for factor, item_keys in FACTOR_ITEMS.items():
            rec[factor] = any(_present(answers.get((visit, k))) for k in item_keys)
        out.append(rec)
    return out


def learned_factors(db, row: dict) -> dict | None:
    """The estimate for a field baseline's stores and period, with the assumed factor beside it;
    None for a template (no field data)."""
    calibration = row.get("calibration") or {}
    if calibration.get("template") or not calibration.get("period"):
        return None
    store_ids = [row["store_id"]] if row.get("store_id") else calibration.get("store_ids") or []
    if not store_ids:
        return None
    date_from, date_to = calibration["period"]
    try:
        estimate = estimate_wait_factors(field_records(db, store_ids, date_from, date_to))
    except WaitFeelingError:
        return None
    for factor in estimate["factors"].values():
        factor["assumed"] = getattr(DEFAULT_MULTIPLIERS, factor["model_key"], None)
    return estimate


def default_period() -> tuple[str, str]:
    today = date.today()
    return (today - timedelta(days=365)).isoformat(), today.isoformat()
