"""A visit laid out for reading: stages, touchpoints, items with answers,
photos, timings, notes and scores. The review page, the manager's screen and
the PDF report all render this one structure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from checklists import Checklist, item_failed, relevant_keys
from fieldapp.audit import journey
from fieldapp.storage import checklist_store, corrections, photos, visits
from fieldapp.storage import journey as journey_store


# Item types answered with images (the answer is their count).
IMAGE_TYPES = ("photo", "signature")


@dataclass
class ItemView:
    item: object
    value: object = None
    note: str = ""
    failed: bool | None = None
    photos: list = field(default_factory=list)
    timings: list = field(default_factory=list)
    relevant: bool = True  # skip logic: False = hidden, not required, not scored


@dataclass
class TouchpointView:
    touchpoint: object
    score: float | None
    items: list


@dataclass
class StageView:
    stage: object
    index: int
    score: float | None
    emotion: int | None
    note: str
    touchpoints: list


@dataclass
class VisitView:
    visit: dict
    checklist: Checklist
    stages: list
    score: dict
    events: list
    clock: journey.Clock | None = None
    corrections: dict = field(default_factory=dict)  # item key -> reviewers' corrections, oldest first

    @property
    def failed_items(self) -> list[ItemView]:
        return [iv for sv in self.stages for tv in sv.touchpoints for iv in tv.items if iv.failed]

    @property
    def relevance(self) -> dict:
        """What static/relevance.js needs about items on other stages (skip logic offline)."""
        items = [iv for sv in self.stages for tv in sv.touchpoints for iv in tv.items]
        return {"rules": {iv.item.key: iv.item.relevant for iv in items if iv.item.relevant},
                "order": [iv.item.key for iv in items],
                "answers": {iv.item.key: iv.value for iv in items if iv.value is not None}}

    @property
    def timer_items(self) -> list[ItemView]:
        return [iv for sv in self.stages for tv in sv.touchpoints for iv in tv.items
                if iv.item.type == "timer" and iv.value is not None]


def build(db, visit: dict) -> VisitView:
    """Gather everything stored on ``visit`` into a ``VisitView``."""
    checklist = checklist_store.load_pinned(db, visit["checklist_row_id"])
    answers = visits.answers_of(db, visit["id"])
    notes = visits.stage_notes_of(db, visit["id"])
    by_item_photos: dict[str, list] = {}
    for photo in photos.photos_of(db, visit["id"]):
        by_item_photos.setdefault(photo["item_key"], []).append(photo)
    by_item_timings: dict[str, list] = {}
    for timing in visits.timings_of(db, visit["id"]):
        by_item_timings.setdefault(timing["item_key"], []).append(timing)
    score = json.loads(visit["score_json"]) if visit.get("score_json") else {}
    stage_scores = score.get("stages", {})
    tp_scores = score.get("touchpoints", {})
    counts = {k: len(v) for k, v in by_item_photos.items()}
    asked = relevant_keys(checklist, {**{k: r["value"] for k, r in answers.items()},
                                      **{i.key: counts[i.key] for i in checklist.items()
                                         if i.type in IMAGE_TYPES and counts.get(i.key)}})
    stages = []
    for index, stage in enumerate(checklist.stages):
        tps = []
        for tp in stage.touchpoints:
            items = []
            for item in tp.items:
                row = answers.get(item.key)
                value = row["value"] if row else None
                if item.type in IMAGE_TYPES and by_item_photos.get(item.key):
                    value = len(by_item_photos[item.key])
                items.append(ItemView(item=item, value=value, note=row["note"] if row else "",
                                      failed=item_failed(item, value)
                                      if value is not None and item.key in asked else None,
                                      relevant=item.key in asked,
                                      photos=by_item_photos.get(item.key, []),
                                      timings=by_item_timings.get(item.key, [])))
            tps.append(TouchpointView(tp, tp_scores.get(tp.key), items))
        note = notes.get(stage.key, {})
        stages.append(StageView(stage, index, stage_scores.get(stage.key), note.get("emotion"),
                                note.get("note", ""), tps))
    clock = journey.build_clock(checklist, journey_store.marks_of(db, visit["id"]))
    fixed: dict[str, list] = {}
    for c in corrections.corrections_of(db, visit["id"]):
        fixed.setdefault(c["item_key"], []).append(c)
    return VisitView(visit, checklist, stages, score, visits.events_of(db, visit["id"]), clock, fixed)
