"""Report numbers computed from stored rows: plain functions, no Flask.

Labels stay as checklist ``Text`` objects (or keys); the view layer picks the
language. Every figure here comes from released visits' stored scores and
answers, so a report never disagrees with the visit it summarises.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from checklists import Checklist, item_score, normalize_answer
from fieldapp.audit import view_models as visit_view
from fieldapp.storage import actions as action_store
from fieldapp.storage import checklist_store, comments, reporting

# --- small statistics ---------------------------------------------------------

def mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def percentile(values, q: float) -> float | None:
    """Linear-interpolated percentile (``q`` in 0..100), as NumPy's default."""
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    pos = (len(values) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


def is_overdue(action: dict, today: str) -> bool:
    return action["status"] == "open" and action["due_date"] < today


# --- one visit ----------------------------------------------------------------

@dataclass
class VisitReport:
    view: visit_view.VisitView
    comments: list
    item_comments: dict
    decision_notes: list
    actions: list
    covert: bool
    item_scores: dict = field(default_factory=dict)

    @property
    def visit(self) -> dict:
        return self.view.visit

    @property
    def checklist(self) -> Checklist:
        return self.view.checklist

    @property
    def photo_ids(self) -> set[int]:
        return {p["id"] for sv in self.view.stages for tv in sv.touchpoints for iv in tv.items
                for p in iv.photos}

    @property
    def photos(self) -> list[dict]:
        return [p for sv in self.view.stages for tv in sv.touchpoints for iv in tv.items for p in iv.photos]


def visit_report(db, visit: dict) -> VisitReport:
    """Everything the visit report shows, from the stored visit."""
    view = visit_view.build(db, visit)
    all_comments = comments.comments_of(db, visit["id"])
    by_item: dict[str, list] = defaultdict(list)
    general = []
    for c in all_comments:
        (by_item[c["item_key"]] if c["item_key"] else general).append(c)
    notes = [e for e in view.events if e.get("comment")]
    scores = {}
    for sv in view.stages:
        for tv in sv.touchpoints:
            for iv in tv.items:
                if iv.value is not None:
                    scores[iv.item.key] = item_score(iv.item, normalize_answer(iv.item, iv.value))
    actions = action_store.actions_of_visit(db, visit["id"])
    for a in actions:
        a["item"] = _item_or_none(view.checklist, a["item_key"])
    return VisitReport(view=view, comments=general, item_comments=dict(by_item), decision_notes=notes,
                       actions=actions, covert=bool(visit["covert"]),
                       item_scores=scores)


def _item_or_none(checklist: Checklist, key: str):
    try:
        return checklist.item(key)
    except KeyError:
        return None


def journey_points(report: VisitReport) -> list[dict]:
    """Per stage, in visit order: stage, journey tag, score and felt emotion."""
    return [{"stage": sv.stage, "journey": sv.stage.journey_stage, "score": sv.score,
             "emotion": sv.emotion} for sv in report.view.stages]


def visit_waits(report: VisitReport) -> list[dict]:
    return [{"item": iv.item, "seconds": float(iv.value), "target": iv.item.target_sec}
            for iv in report.view.timer_items]


# --- a store or region over a period -----------------------------------------

@dataclass
class PeriodReport:
    store_ids: list
    stores: list
    start: date
    end: date
    checklist: Checklist | None
    visits: list
    chain_visits: list
    trend: list = field(default_factory=list)
    stage_rows: list = field(default_factory=list)
    failed_items: list = field(default_factory=list)
    ipa: list = field(default_factory=list)
    waits: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    emotions: list = field(default_factory=list)

    @property
    def average(self) -> float | None:
        return mean(v["score"] for v in self.visits)

    @property
    def pass_rate(self) -> float | None:
        if not self.visits:
            return None
        return 100 * sum(1 for v in self.visits if v["passed"]) / len(self.visits)

    @property
    def chain_average(self) -> float | None:
        return mean(v["score"] for v in self.chain_visits)


def dominant_checklist_id(visits: list[dict]) -> str | None:
    counts = Counter(v["checklist_id"] for v in visits)
    return counts.most_common(1)[0][0] if counts else None


def period_report(db, *, stores: list[dict], org_id: int, start: date, end: date,
                  checklist_id: str | None = None, today: str | None = None) -> PeriodReport:
    """Aggregate released visits of ``stores`` between ``start`` and ``end`` (local dates)."""
    store_ids = [s["id"] for s in stores]
    visits = reporting.released_visits(db, store_ids, start, end, checklist_id)
    checklist_id = checklist_id or dominant_checklist_id(visits)
    visits = [v for v in visits if v["checklist_id"] == checklist_id]
    chains = sorted({s["chain"] for s in stores})
    chain_ids = sorted({i for c in chains for i in reporting.chain_store_ids(db, org_id, c)})
    chain_visits = reporting.released_visits(db, chain_ids, start, end, checklist_id) if checklist_id else []
    checklist = checklist_store.load_pinned(db, visits[-1]["checklist_row_id"]) if visits else None
    report = PeriodReport(store_ids=store_ids, stores=stores, start=start, end=end, checklist=checklist,
                          visits=visits, chain_visits=chain_visits)
    report.actions = action_store.actions_in_stores(db, store_ids, ("open", "done"))
    today = today or end.isoformat()
    for a in report.actions:
        a["overdue"] = is_overdue(a, today)
        a["item"] = _item_or_none(checklist, a["item_key"]) if checklist else None
    if checklist is None:
        return report
    report.trend = [(v["started_at"], v["score"]) for v in visits if v["score"] is not None]
    report.stage_rows = _stage_rows(checklist, visits, chain_visits)
    report.failed_items = failed_item_counts(checklist, visits)
    report.ipa = _ipa(checklist, visits)
    report.waits = wait_stats(db, checklist, visits)
    report.emotions = _emotions(db, checklist, visits)
    return report


def _stage_rows(checklist: Checklist, visits, chain_visits) -> list[dict]:
    rows = []
    for stage in checklist.stages:
        rows.append({"stage": stage, "journey": stage.journey_stage,
                     "scope": mean(v["score_detail"].get("stages", {}).get(stage.key) for v in visits),
                     "chain": mean(v["score_detail"].get("stages", {}).get(stage.key) for v in chain_visits)})
    return rows


def failed_item_counts(checklist: Checklist, visits: list[dict], stage_key: str | None = None,
                       limit: int = 10) -> list[dict]:
    """The items failed most often: count, share of visits, critical flag."""
    counts: Counter = Counter()
    for v in visits:
        counts.update(set(v["score_detail"].get("failed_items", [])))
    rows = []
    for key, n in counts.most_common():
        try:
            item = checklist.item(key)
        except KeyError:
            continue
        stage = checklist.stage_of(key)
        if stage_key and stage.key != stage_key:
            continue
        rows.append({"key": key, "item": item, "stage": stage, "touchpoint": checklist.touchpoint_of(key),
                     "count": n, "rate": 100 * n / len(visits), "critical": item.critical})
    return rows[:limit]


def _ipa(checklist: Checklist, visits) -> list[dict]:
    points = []
    for number, tp in enumerate(checklist.touchpoints(), start=1):
        perf = mean(v["score_detail"].get("touchpoints", {}).get(tp.key) for v in visits)
        points.append({"number": number, "touchpoint": tp, "importance": tp.importance, "performance": perf})
    valid = [p for p in points if p["performance"] is not None]
    if valid:
        mi = mean(p["importance"] for p in valid)
        mp = mean(p["performance"] for p in valid)
        for p in valid:
            high_i, high_p = p["importance"] >= mi, p["performance"] >= mp
            p["quadrant"] = {(True, False): "concentrate", (True, True): "keep",
                             (False, False): "low", (False, True): "overkill"}[(high_i, high_p)]
    return points


def wait_stats(db, checklist: Checklist, visits: list[dict]) -> list[dict]:
    """Per timer item: number measured, median, p90, target and share over target."""
    timers = [i for i in checklist.items() if i.type == "timer"]
    values = reporting.answer_values(db, [v["id"] for v in visits], [i.key for i in timers])
    by_key: dict[str, list[float]] = defaultdict(list)
    for row in values:
        if isinstance(row["value"], (int, float)):
            by_key[row["item_key"]].append(float(row["value"]))
    out = []
    for item in timers:
        vals = by_key.get(item.key, [])
        if not vals:
            continue
        over = sum(1 for x in vals if item.target_sec and x > item.target_sec)
        out.append({"item": item, "n": len(vals), "median": percentile(vals, 50), "p90": percentile(vals, 90),
                    "target": item.target_sec, "over_share": 100 * over / len(vals) if item.target_sec else None})
    return out


def _emotions(db, checklist: Checklist, visits) -> list[dict]:
    by_stage: dict[str, list[int]] = defaultdict(list)
    for row in reporting.stage_emotions(db, [v["id"] for v in visits]):
        by_stage[row["stage_key"]].append(row["emotion"])
    return [{"stage": s, "emotion": mean(by_stage.get(s.key, []))} for s in checklist.stages]


# --- dashboard ----------------------------------------------------------------

def store_ranking(stores: list[dict], visits: list[dict], actions: list[dict], today: str,
                  stage_key: str | None = None) -> list[dict]:
    """Stores by average score (or one stage's score), best first, with a sparkline series."""
    by_store: dict[int, list] = defaultdict(list)
    for v in visits:
        by_store[v["store_id"]].append(v)

    def score_of(v):
        if stage_key:
            return v["score_detail"].get("stages", {}).get(stage_key)
        return v["score"]

    rows = []
    for s in stores:
        vs = by_store.get(s["id"], [])
        series = [score_of(v) for v in vs if score_of(v) is not None]
        store_actions = [a for a in actions if a["store_id"] == s["id"] and a["status"] == "open"]
        rows.append({"store": s, "visits": len(vs), "average": mean(series),
                     "pass_rate": 100 * sum(1 for v in vs if v["passed"]) / len(vs) if vs else None,
                     "series": series, "last": vs[-1]["started_at"] if vs else None,
                     "open_actions": len(store_actions),
                     "overdue_actions": sum(1 for a in store_actions if is_overdue(a, today))})
    rows.sort(key=lambda r: (r["average"] is None, -(r["average"] or 0), r["store"]["name"]))
    for rank, r in enumerate(rows, start=1):
        r["rank"] = rank
    return rows
