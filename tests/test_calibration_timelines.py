"""Calibration reads each visit's journey timeline: every marked event counts, so a
visit whose timed items were never completed in pairs still gives its wait and service."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from fieldapp.audit import workflow as visit_service
from fieldapp.planner import observations
from fieldapp.storage import checklist_store, visits
from simulation.calibration import calibrate


def shopper_and_store(db):
    user = next(db.query("SELECT id FROM users WHERE username = 'shopper'"))["id"]
    store = next(db.query("SELECT id FROM stores WHERE code = 'HD02'"))["id"]
    row = next(r for r in checklist_store.latest_checklists(db) if r["checklist_id"] == "doughnut-mystery-shop")
    return user, store, row["id"]


def timeline_visits(db, n=40, seed=42):
    """Visits marked only on the clock: queue joined, order taken, served (no greeting,
    no sample), so no timed item but "order -> served" has both its events."""
    rng = random.Random(seed)
    user, store, checklist_row = shopper_and_store(db)
    start = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
    services = []
    for k in range(n):
        joined = start + timedelta(days=k % 20, minutes=37 * k % 300)
        visit_id = visits.create_visit(db, checklist_row_id=checklist_row, store_id=store, auditor_id=user,
                                       covert=True, started_at=joined.isoformat(timespec="seconds"))
        wait, service = rng.uniform(0.5, 6.0), rng.gammavariate(4.0, 0.3)
        services.append(service)
        for event, at in (("queue_joined", joined), ("order_taken", joined + timedelta(minutes=wait)),
                          ("served", joined + timedelta(minutes=wait + service))):
            visit_service.mark_event(db, visit_id=visit_id, event=event, user_id=user,
                                     at=at.isoformat(timespec="milliseconds"))
        db.execute("UPDATE visits SET status = 'submitted' WHERE id = ?", [visit_id])
    return store, services


def test_every_marked_event_becomes_an_observation(db):
    store, _services = timeline_visits(db, n=6)
    data = observations.field_data(db, [store], "2025-03-01", "2025-03-31")
    per_visit = {}
    for rec in data["timings"]:
        per_visit.setdefault(rec["visit"], set()).add(rec["event"])
    assert len(per_visit) == 6
    assert all(events == {"queue_joined", "order_taken", "served"} for events in per_visit.values())
    # the wait queue_joined -> order_taken comes from the clock though no item pairs those two
    assert data["visits"] == 6


def test_baseline_from_timelines_matches_the_measured_service(db):
    store, services = timeline_visits(db)
    data = observations.field_data(db, [store], "2025-03-01", "2025-03-31")
    traffic = [{"store": "HD02", "day": "2025-03-03", "slot_start": f"{h:02d}:{m:02d}", "count": 10}
               for h in range(10, 16) for m in (0, 15, 30, 45)]
    result = calibrate(data["timings"], traffic, [{"hour": h, "servers": 2} for h in range(10, 16)],
                       station=observations.STATION, check=False)
    service = result.report["service"]
    assert service["n"] == len(services)
    assert service["mean_min"] == pytest.approx(sum(services) / len(services), rel=0.02)
    assert result.scenario["stations"][0]["name"] == observations.STATION
