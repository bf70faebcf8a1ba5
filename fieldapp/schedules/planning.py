"""Turning schedules into assignments: occurrences over a rolling horizon, visits spread
across each window, shoppers rotated, and claims from the job board.

Running a schedule twice creates nothing twice: a slot is unique per schedule,
store and occurrence, and only a newly made slot is assigned. Rotation follows
mystery-shopping practice: the same shopper does not visit the same store twice
in a row, and among the others the least loaded is chosen.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from fieldapp.storage import audit_log, users
from fieldapp.storage import schedules as store


def occurrences(schedule: dict, first: date, last: date) -> list[date]:
    """The days in ``[first, last]`` on which the schedule opens a window."""
    start = date.fromisoformat(schedule["start_date"])
    first = max(first, start)
    days: list[date] = []
    if schedule["frequency"] == "every_n_days":
        step = max(1, int(schedule["interval_days"]))
        skip = max(0, (first - start).days + step - 1) // step
        day = start + timedelta(days=skip * step)
        while day <= last:
            days.append(day)
            day += timedelta(days=step)
    elif schedule["frequency"] == "weekly":
        weekdays = {int(d) for d in str(schedule["weekdays"]).split(",") if d.strip().isdigit()}
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)
                if (first + timedelta(days=i)).weekday() in weekdays]
    else:  # monthly, on month_day (the month's last day when shorter)
        year, month = first.year, first.month
        while date(year, month, 1) <= last:
            day = date(year, month, min(int(schedule["month_day"]), calendar.monthrange(year, month)[1]))
            if first <= day <= last:
                days.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def spread(window_start: date, window_days: int, index: int, count: int) -> date:
    """The planned day of the ``index``-th of ``count`` visits: evenly across the window,
    so a region's stores are not all visited on its first day."""
    return window_start + timedelta(days=(index * window_days) // max(count, 1))


@dataclass
class RunResult:
    slots: int = 0
    assigned: int = 0
    left_open: int = 0


def run_schedule(db, schedule: dict, today: date) -> RunResult:
    """Create the slots (and, by rotation, the assignments) up to the horizon; one transaction."""
    result = RunResult()
    window = max(1, int(schedule["window_days"]))
    # an occurrence whose window is still open today counts, so a schedule made
    # mid-week still plans this week's visits
    days = occurrences(schedule, today - timedelta(days=window - 1),
                       today + timedelta(days=int(schedule["horizon_days"])))
    with db.atomic():
        targets = store.stores_for(db, schedule)
        for day in days:
            for index, target in enumerate(targets):
                slot = {"store_id": target["id"], "window_start": day.isoformat(),
                        "window_end": (day + timedelta(days=window - 1)).isoformat(),
                        "planned_date": spread(day, window, index, len(targets)).isoformat()}
                slot_id = store.insert_slot(db, schedule_id=schedule["id"], occurrence=day.isoformat(), **slot)
                if slot_id is None:
                    continue
                result.slots += 1
                if schedule["assign_mode"] != "rotate":
                    result.left_open += 1
                    continue
                auditor_id = pick_auditor(db, schedule, target, today)
                if auditor_id is None:
                    result.left_open += 1
                    continue
                slot["id"] = slot_id
                assignment_id = store.insert_assignment(db, slot=slot, schedule=schedule,
                                                        auditor_id=auditor_id,
                                                        assigned_by=schedule["created_by"])
                store.assign_slot(db, slot_id, assignment_id)
                result.assigned += 1
        if result.slots:
            audit_log.record(db, actor_id=None, action="schedule_run", object_type="schedule",
                             object_id=schedule["id"],
                             detail=f"slots={result.slots} assigned={result.assigned}")
    return result


def pick_auditor(db, schedule: dict, target: dict, today: date) -> int | None:
    """The least loaded eligible auditor who was not the store's last one, or None."""
    pool = users.auditors_for_region(db, schedule["org_id"], target["region"],
                                     mystery_only=bool(schedule["covert"]))
    last = store.last_auditor_at(db, target["id"])
    pool = [u["id"] for u in pool if u["id"] != last]
    if not pool:
        return None
    load = store.open_load(db, pool, today.isoformat())
    return min(pool, key=lambda i: (load[i], i))


def run_all(db, today: date) -> dict[int, RunResult]:
    """Run every active schedule (``fieldapp run-schedules``, or the app's periodic work)."""
    return {s["id"]: run_schedule(db, s, today) for s in store.active_schedules(db)}


class ClaimRefused(Exception):
    """A claim the job board refuses; ``code`` is looked up in web/labels.py."""

    def __init__(self, code: str, **params):
        self.code, self.params = code, params
        super().__init__(code)


def claim(db, user: dict, slot_id: int, today: date) -> int:
    """Give an open slot to the auditor who claims it; the new assignment's id.

    Refused when the slot is gone or taken, outside the auditor's region, covert
    for someone who is not a mystery shopper, over the coordinator's limit, or
    when this auditor made the store's last visit.
    """
    with db.atomic():
        slot = store.get_slot(db, slot_id)
        if slot is None or slot["org_id"] != user["org_id"] or not slot["active"] \
                or slot["window_end"] < today.isoformat():
            raise ClaimRefused("gone")
        if slot["assignment_id"] is not None:
            raise ClaimRefused("taken")
        if (user.get("region") or "") not in ("", slot["region"]) or \
                (slot["covert"] and not user["mystery_shopper"]):
            raise ClaimRefused("not_yours")
        if store.claimed_count(db, slot["schedule_id"], user["id"]) >= slot["claim_limit"]:
            raise ClaimRefused("limit", limit=slot["claim_limit"])
        if store.last_auditor_at(db, slot["store_id"]) == user["id"]:
            raise ClaimRefused("rotation")
        schedule = store.get_schedule(db, slot["schedule_id"])
        assignment_id = store.insert_assignment(db, slot=slot, schedule=schedule,
                                                auditor_id=user["id"], assigned_by=user["id"])
        if not store.assign_slot(db, slot_id, assignment_id):
            raise ClaimRefused("taken")  # rolls the assignment back with the transaction
        audit_log.record(db, actor_id=user["id"], action="claim", object_type="assignment",
                         object_id=assignment_id, detail=f"slot={slot_id}")
    return assignment_id
