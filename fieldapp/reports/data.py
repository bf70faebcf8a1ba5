"""Report numbers computed from stored rows: plain functions, no Flask.

Labels stay as checklist ``Text`` objects (or keys); the view layer picks the
language. A visit's report reads its stored answers and score record; period
reports and the dashboard add up the result rows frozen with each score
(``storage.results``), in SQL, so they never disagree with the visits they
summarise and never re-parse a visit's JSON.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from checklists import Checklist, item_score, normalize_answer
from fieldapp.audit import view_models as visit_view
from fieldapp.storage import actions as action_store
from fieldapp.storage import checklist_store, comments, reporting, results

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
    all_comments = comments.comments_of(db, visit["id"], audience="store")  # internal ones stay off it
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
    visit_count: int = 0
    average: float | None = None
    pass_rate: float | None = None
    chain_average: float | None = None
    trend: list = field(default_factory=list)
    trend_days: int = 0  # 0: a dot per visit; else days per dot (``results.trend``)
    stage_rows: list = field(default_factory=list)
    failed_items: list = field(default_factory=list)
    ipa: list = field(default_factory=list)
    waits: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    emotions: list = field(default_factory=list)
    open_actions: int = 0      # counted in SQL; ``actions`` lists the most urgent
    overdue_actions: int = 0


ACTIONS_LISTED = 50  # a period report lists the most urgent actions; it counts them all


def report_scope(db, store_ids: list[int], start: date, end: date, checklist_id: str | None = None,
                 used: list[str] | None = None) -> tuple[str | None, results.Scope]:
    """The checklist a report is about (the one most visits used, unless chosen)
    and the released visits of it in the period.

    ``used``: the checklists these stores' released visits ever used; when there
    is just one, it is the one (no count needed).
    """
    base = results.scope(db, store_ids, start, end)
    if not checklist_id and used is not None and len(used) == 1:
        checklist_id = used[0]
    checklist_id = checklist_id or results.dominant_checklist_id(db, base)
    return checklist_id, base.of_checklist(db, checklist_id)


def period_report(db, *, stores: list[dict], org_id: int, start: date, end: date,
                  checklist_id: str | None = None, today: str | None = None) -> PeriodReport:
    """Aggregate released visits of ``stores`` between ``start`` and ``end`` (local dates)."""
    store_ids = [s["id"] for s in stores]
    checklist_id, scope = report_scope(db, store_ids, start, end, checklist_id)
    chains = sorted({s["chain"] for s in stores})
    chain_ids = sorted({i for c in chains for i in reporting.chain_store_ids(db, org_id, c)})
    chain = results.scope(db, chain_ids, start, end, checklist_id) if checklist_id else None
    row_id = results.latest_row_id(db, scope)
    checklist = checklist_store.load_pinned(db, row_id) if row_id else None
    summary = results.summary(db, scope)
    report = PeriodReport(store_ids=store_ids, stores=stores, start=start, end=end, checklist=checklist,
                          visit_count=summary["visits"], average=summary["average"],
                          pass_rate=100 * summary["passed"] / summary["visits"] if summary["visits"] else None,
                          chain_average=results.summary(db, chain)["average"] if chain else None)
    today = today or end.isoformat()
    report.actions = action_store.actions_in_stores(db, store_ids, ("open", "done"), limit=ACTIONS_LISTED)
    counts = action_store.open_counts(db, store_ids, today).values()
    report.open_actions, report.overdue_actions = sum(c[0] for c in counts), sum(c[1] for c in counts)
    for a in report.actions:
        a["overdue"] = is_overdue(a, today)
        a["item"] = _item_or_none(checklist, a["item_key"]) if checklist else None
    if checklist is None:
        return report
    report.trend_days, report.trend = results.trend(db, scope)
    keys = [st.key for st in checklist.stages]
    here, there = results.stage_means(db, scope, keys), results.stage_means(db, chain, keys) if chain else {}
    report.stage_rows = [{"stage": st, "journey": st.journey_stage, "scope": here.get(st.key),
                          "chain": there.get(st.key)} for st in checklist.stages]
    report.failed_items = failed_item_counts(checklist, item_failures(db, checklist, scope), summary["visits"])
    report.ipa = _ipa(checklist, results.touchpoint_means(db, scope))
    report.waits = wait_stats(db, checklist, scope)
    emotions = results.emotion_means(db, scope)
    report.emotions = [{"stage": st, "emotion": emotions.get(st.key)} for st in checklist.stages]
    return report


def failed_item_counts(checklist: Checklist, counts: list[tuple], visit_count: int,
                       stage_key: str | None = None, limit: int = 10) -> list[dict]:
    """The items failed most often: count, share of visits, critical flag.

    ``counts`` are ``(item_key, visits failing it)``; ties keep checklist order.
    """
    order = {item.key: n for n, item in enumerate(checklist.items())}
    rows = []
    for key, n in sorted(counts, key=lambda c: (-c[1], order.get(c[0], len(order)))):
        try:
            item = checklist.item(key)
        except KeyError:
            continue
        stage = checklist.stage_of(key)
        if stage_key and stage.key != stage_key:
            continue
        rows.append({"key": key, "item": item, "stage": stage, "touchpoint": checklist.touchpoint_of(key),
                     "count": n, "rate": 100 * n / visit_count, "critical": item.critical})
    return rows[:limit]


def item_failures(db, checklist: Checklist, scope: results.Scope) -> list[tuple[str, int]]:
    return results.failed_counts(db, scope, [item.key for item in checklist.items()])


def _ipa(checklist: Checklist, performance: dict) -> list[dict]:
    points = []
    for number, tp in enumerate(checklist.touchpoints(), start=1):
        points.append({"number": number, "touchpoint": tp, "importance": tp.importance,
                       "performance": performance.get(tp.key)})
    valid = [p for p in points if p["performance"] is not None]
    if valid:
        mi = mean(p["importance"] for p in valid)
        mp = mean(p["performance"] for p in valid)
        for p in valid:
            high_i, high_p = p["importance"] >= mi, p["performance"] >= mp
            p["quadrant"] = {(True, False): "concentrate", (True, True): "keep",
                             (False, False): "low", (False, True): "overkill"}[(high_i, high_p)]
    return points


def wait_stats(db, checklist: Checklist, scope: results.Scope) -> list[dict]:
    """Per timer item: number measured, median, p90, target and share over target."""
    timers = [i for i in checklist.items() if i.type == "timer"]
    by_key: dict[str, list[float]] = defaultdict(list)
    for key, value in results.item_values(db, scope, [i.key for i in timers]):
        by_key[key].append(value)
    out = []
    for item in timers:
        vals = by_key.get(item.key, [])
        if not vals:
            continue
        over = sum(1 for x in vals if item.target_sec and x > item.target_sec)
        out.append({"item": item, "n": len(vals), "median": percentile(vals, 50), "p90": percentile(vals, 90),
                    "target": item.target_sec, "over_share": 100 * over / len(vals) if item.target_sec else None})
    return out


# --- dashboard ----------------------------------------------------------------

def store_ranking(db, stores: list[dict], scope: results.Scope, today: str,
                  stage_key: str | None = None) -> list[dict]:
    """Stores by average score (or one stage's score), best first, with their open
    and overdue actions counted in SQL (not from a shortened list). Sparklines are
    added by :func:`with_series` for the rows shown."""
    sums = results.store_summaries(db, scope, stage_key)
    actions = action_store.open_counts(db, [s["id"] for s in stores], today)
    rows = []
    for s in stores:
        agg = sums.get(s["id"], {"visits": 0, "average": None, "passed": 0, "last": None})
        open_n, overdue_n = actions.get(s["id"], (0, 0))
        rows.append({"store": s, "visits": agg["visits"], "average": agg["average"],
                     "pass_rate": 100 * agg["passed"] / agg["visits"] if agg["visits"] else None,
                     "series": [], "last": agg["last"], "open_actions": open_n, "overdue_actions": overdue_n})
    rows.sort(key=lambda r: (r["average"] is None, -(r["average"] or 0), r["store"]["name"]))
    for rank, r in enumerate(rows, start=1):
        r["rank"] = rank
    return rows


def with_series(db, scope: results.Scope, rows: list[dict], stage_key: str | None = None,
                chunk: int = 100):
    """The ranking rows, each with its sparkline (``results.store_series``), read
    ``chunk`` stores at a time: a page reads only its own, an export streams them all."""
    for first in range(0, len(rows), chunk):
        part = rows[first:first + chunk]
        series = results.store_series(db, scope, [r["store"]["id"] for r in part if r["visits"]], stage_key)
        for r in part:
            yield {**r, "series": series.get(r["store"]["id"], [])}
