"""Field data as the plain records ``simulation.calibrate`` reads.

Each visit's journey clock (every event marked once, whether or not the
timed item that uses it was completed) becomes timing records of one
station, the counter: ``queue_joined`` is the arrival in the queue,
``order_taken`` the start of service and ``served`` its end (the names the
bundled checklists use; the calibrator maps them to arrive/start/end). The emotion the auditor gave the
stage where they queued is paired with the wait they measured there.
"""

from __future__ import annotations

from datetime import datetime

from fieldapp.storage import checklist_store, journey, planning

STATION = "counter"
ARRIVE, START, END = "queue_joined", "order_taken", "served"


def timing_records(rows: list[dict]) -> list[dict]:
    """One record per (visit, event), the earliest mark when a checklist repeats an event."""
    seen: dict[tuple, dict] = {}
    for row in rows:
        key = (row["visit_id"], row["event"])
        if key not in seen or row["at"] < seen[key]["timestamp"]:
            seen[key] = {"visit": row["visit_id"], "store": row["store"], "station": STATION,
                         "event": row["event"], "timestamp": row["at"]}
    return sorted(seen.values(), key=lambda r: (r["visit"], r["timestamp"]))


def waits_by_visit(records: list[dict]) -> dict[int, float]:
    """Minutes from joining the queue to being served, per visit that has both."""
    marks: dict[int, dict] = {}
    for rec in records:
        marks.setdefault(rec["visit"], {})[rec["event"]] = datetime.fromisoformat(rec["timestamp"])
    return {visit: (m[START] - m[ARRIVE]).total_seconds() / 60
            for visit, m in marks.items() if ARRIVE in m and START in m and m[START] >= m[ARRIVE]}


def waits_and_starts(records: list[dict], open_time: str) -> tuple[list[float], list[float]]:
    """Observed waits and when each began, in minutes after opening (store-local time),
    so the fit check can compare them with simulated customers of the same hours."""
    from fieldapp.web.timefmt import org_tz

    open_h, open_m = (int(x) for x in open_time.split(":"))
    arrivals = {rec["visit"]: datetime.fromisoformat(rec["timestamp"]).astimezone(org_tz())
                for rec in records if rec["event"] == ARRIVE}
    waits, starts = [], []
    for visit, wait in sorted(waits_by_visit(records).items()):
        local = arrivals[visit]
        waits.append(round(wait, 4))
        starts.append(local.hour * 60 + local.minute + local.second / 60 - (open_h * 60 + open_m))
    return waits, starts


def rating_pairs(db, rows: list[dict], waits: dict[int, float]) -> list[dict]:
    """(wait_min, rating) for visits whose queueing stage has an emotion rating."""
    queue_stage: dict[int, str] = {}
    for row in rows:
        if row["event"] == ARRIVE and row["visit_id"] not in queue_stage:
            stage = queueing_stage(checklist_store.load_pinned(db, row["checklist_row_id"]))
            if stage is not None:
                queue_stage[row["visit_id"]] = stage
    emotions = planning.stage_emotions(db, list(queue_stage))
    return [{"wait_min": round(waits[v], 3), "rating": emotions[(v, stage)]}
            for v, stage in queue_stage.items() if v in waits and (v, stage) in emotions]


def queueing_stage(checklist) -> str | None:
    """The stage where the shopper queues: that of the first timed item starting at the arrival."""
    for item in checklist.items():
        if item.type == "timer" and item.timer_events[0] == ARRIVE:
            return checklist.stage_of(item.key).key
    return None


def field_data(db, store_ids: list[int], date_from: str, date_to: str) -> dict:
    """Everything calibration needs for these stores and dates."""
    rows = journey.marks_for(db, store_ids, date_from, date_to)
    records = timing_records(rows)
    waits = waits_by_visit(records)
    return {
        "timings": records,
        "traffic": planning.traffic_for(db, store_ids, date_from, date_to),
        "staffing": planning.staffing_for(db, store_ids),
        "ratings": rating_pairs(db, rows, waits),
        "visits": len(waits),
    }
