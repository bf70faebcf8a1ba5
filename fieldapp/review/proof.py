"""Proof of visit for the reviewer: where and when the visit was started, its
journey timeline, and flags worth a second look.

Flags: started outside the assignment's window (store-local dates), marks out
of order (a timed item's end before its start), and waits far from the store's
usual ones (outside [p10 / 2, p90 x 2] of its other finished visits, when it
has at least :data:`MIN_USUAL` of them, and never within a minute of them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from fieldapp.audit import journey
from fieldapp.storage import assignments, stores
from fieldapp.storage import journey as journey_store
from fieldapp.web import timefmt

MIN_USUAL = 5  # other visits needed before a wait can be called unusual
SLACK_S = 60  # seconds: a wait this close to the usual ones is never flagged
FAR_M = 300  # started more than this far from the store: flagged


@dataclass
class Proof:
    latitude: float | None = None
    longitude: float | None = None
    distance_m: float | None = None
    store_located: bool = False
    timeline: list = field(default_factory=list)  # (mark, seconds since the first mark)
    flags: list = field(default_factory=list)  # (code, params)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def proof_of(db, view) -> Proof:
    visit = view.visit
    proof = Proof(latitude=visit.get("latitude"), longitude=visit.get("longitude"))
    store = stores.get_store(db, visit["store_id"]) or {}
    if store.get("latitude") is not None and store.get("longitude") is not None:
        proof.store_located = True
        if proof.latitude is not None and proof.longitude is not None:
            proof.distance_m = round(distance_m(proof.latitude, proof.longitude,
                                                store["latitude"], store["longitude"]))
            if proof.distance_m > FAR_M:
                proof.flags.append(("far_from_store", {"m": proof.distance_m}))
    marks = view.clock.marked if view.clock else []
    if marks:
        first = journey._t(marks[0]["at"])
        proof.timeline = [(m, (journey._t(m["at"]) - first).total_seconds()) for m in marks]
    _window_flag(db, visit, proof)
    for item, start, end in journey.out_of_order(view.checklist, view.clock.marks if view.clock else {}):
        proof.flags.append(("out_of_order", {"item": item, "start": start, "end": end}))
    for m in marks:
        if m.get("time_flag"):
            proof.flags.append(("phone_clock", {"event": m["event"], "flag": m["time_flag"]}))
    _unusual_waits(db, view, proof)
    return proof


def _window_flag(db, visit, proof: Proof) -> None:
    if not visit.get("assignment_id"):
        return
    assignment = assignments.get_assignment(db, visit["assignment_id"])
    if not assignment:
        return
    day = timefmt.local(visit["started_at"], "%Y-%m-%d")
    start, end = assignment["window_start"][:10], assignment["window_end"][:10]
    if not start <= day <= end:
        proof.flags.append(("outside_window", {"day": day, "start": start, "end": end}))


def _unusual_waits(db, view, proof: Proof) -> None:
    marks = view.clock.marks if view.clock else {}
    for item in journey.timer_items(view.checklist):
        seconds = journey.item_seconds(item, marks)
        if seconds is None:
            continue
        usual = sorted(journey_store.store_waits(db, view.visit["store_id"], item.timer_events[0],
                                                 item.timer_events[-1], view.visit["id"]))
        if len(usual) < MIN_USUAL:
            continue
        p10, p90 = usual[int(0.1 * (len(usual) - 1))], usual[int(0.9 * (len(usual) - 1))]
        # a minute of slack: "0:47 against a usual 0:00" is a short wait, not a warning
        if seconds > max(p90 * 2, p90 + SLACK_S) or (p10 >= SLACK_S and seconds < p10 / 2):
            proof.flags.append(("unusual_wait", {"item": item, "seconds": seconds, "p10": p10, "p90": p90}))
