"""Customer answers turned into the numbers of ``insights``: NPS and CSAT per
store, region and stage, beside the mystery-shop scores, and the drivers.

Plain functions over storage rows; the pages and the period PDF call them.
Flagged answers never count. Labels stay checklist ``Text`` objects.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from fieldapp.storage import checklist_store, reporting, results
from fieldapp.storage import voice as store
from fieldapp.voice import workflow
from insights import IpaPoint, csat, disagreements, fix_first, key_drivers, nps

MIN_ANSWERED_SHARE = 0.5   # a touchpoint answered by fewer customers is left out of the drivers


def responses_in(db, store_ids, start, end, checklist_id: str | None = None) -> tuple[list, object]:
    """Submitted, unflagged answers in the period, of one checklist (the most used one by default)."""
    if not store_ids:
        return [], None
    lo, hi = reporting.utc_bounds(start, end)
    rows = store.submitted_responses(db, list(store_ids), lo, hi)
    if not rows:
        return [], None
    checklist_of = {row_id: checklist_store.load_pinned(db, row_id)
                    for row_id in {r["checklist_row_id"] for r in rows}}
    wanted = checklist_id or checklist_of[Counter(r["checklist_row_id"] for r in rows).most_common(1)[0][0]].id
    rows = [r for r in rows if checklist_of[r["checklist_row_id"]].id == wanted]
    return rows, (checklist_of[rows[-1]["checklist_row_id"]] if rows else None)


def _ratings(checklist, touchpoint, answers) -> float | None:
    values = [answers[i.key] for i in touchpoint.items if i.type == "rating" and answers.get(i.key) is not None]
    return sum(values) / len(values) if values else None


def _scaled(mean_rating):
    return None if mean_rating is None else (mean_rating - 1) / 4 * 100


def stage_rows(checklist, responses, shopper_means: dict | None = None) -> list[dict]:
    """Per stage: customers' CSAT (with its touchpoints) and the shoppers' mean stage score
    (``shopper_means``: {stage key: 0..100}; stages match by key)."""
    shopper_means = shopper_means or {}
    rows = []
    for stage in workflow.customer_stages(checklist):
        tps = []
        for tp in stage.touchpoints:
            if not any(i.type == "rating" for i in tp.items):
                continue
            tps.append({"touchpoint": tp, "csat": csat([_ratings(checklist, tp, r["answers"]) for r in responses])})
        if not tps:
            continue
        per_response = []
        for r in responses:
            values = [_ratings(checklist, t["touchpoint"], r["answers"]) for t in tps]
            values = [v for v in values if v is not None]
            per_response.append(sum(values) / len(values) if values else None)
        rows.append({"stage": stage, "csat": csat(per_response), "touchpoints": tps,
                     "shoppers": shopper_means.get(stage.key)})
    return rows


def summary(db, stores_, start, end, shopper_means=None) -> dict | None:
    """What the dashboard and the period report show about customers, or None without answers.

    ``shopper_means``: {stage key: 0..100}, or a function giving it (called only
    when there are answers to put it beside)."""
    ids = [s["id"] for s in stores_]
    responses, checklist = responses_in(db, ids, start, end)
    if not responses:
        return None
    nps_key = responses[-1]["nps_item"]
    by_store = defaultdict(list)
    for r in responses:
        by_store[r["store_id"]].append(r)
    overall_key = responses[-1]["overall_item"]

    def block(rows):
        return {"n": len(rows), "nps": nps([r["answers"].get(nps_key) for r in rows]) if nps_key else None,
                "overall": csat([r["answers"].get(overall_key) for r in rows]) if overall_key else None}

    store_rows = [{"store": s, **block(by_store.get(s["id"], []))} for s in stores_]
    regions = sorted({s["region"] for s in stores_})
    region_rows = [{"region": g, **block([r for r in responses if r["region"] == g])} for g in regions]
    stages = stage_rows(checklist, responses, shopper_means() if callable(shopper_means) else shopper_means)
    gaps = disagreements([{"key": row["stage"].key, "customers": row["csat"].mean100,
                           "customers_low": row["csat"].mean_low, "customers_high": row["csat"].mean_high,
                           "customers_n": row["csat"].n, "shoppers": row["shoppers"]} for row in stages])
    gap_of = {g.key: g for g in gaps}
    for row in stages:
        row["gap"] = gap_of.get(row["stage"].key)
    detractors = [r for r in responses if nps_key and r["answers"].get(nps_key) is not None
                  and r["answers"][nps_key] <= 6]
    return {"checklist": checklist, "n": len(responses), **block(responses), "stores": store_rows,
            "regions": region_rows, "stages": stages, "detractors": len(detractors),
            "disagree": [row for row in stages if row["gap"] and row["gap"].verdict.endswith("happier")],
            "latest": latest_comments(checklist, responses)}


def latest_comments(checklist, responses, limit: int = 3) -> list[dict]:
    """The newest comments, so a manager sees what customers just wrote."""
    texts = [i for i in checklist.items() if i.type == "text"]
    out = []
    for r in reversed(responses):
        for item in texts:
            if r["answers"].get(item.key):
                out.append({"response": r, "item": item, "body": r["answers"][item.key],
                            "score": r["answers"].get(r["nps_item"]) if r["nps_item"] else None})
                break
        if len(out) >= limit:
            break
    return out


def dashboard_block(db, data) -> dict | None:
    """The dashboard's customer section, for the stores and period of a
    ``reports.dashboard.Dashboard``; the shoppers' stage means are read only
    when customers answered."""
    f = data.filters
    keys = [s.key for s in data.stages]
    return summary(db, data.shown, f.start, f.end, lambda: results.stage_means(db, data.scope, keys))


def period_block(stores_, report) -> dict | None:
    """The period report's customer section: beside the report's own stage scores."""
    from fieldapp.storage.db import get_db

    return summary(get_db(), stores_, report.start, report.end,
                   {r["stage"].key: r["scope"] for r in report.stage_rows})


def driver_rows(checklist, responses) -> tuple[list, list]:
    """(touchpoints used as drivers, rows {touchpoint key: 0..100, "_overall": 0..100})."""
    overall_key = responses[-1]["overall_item"] if responses else None
    skip = {responses[-1]["overall_item"], responses[-1]["nps_item"]} if responses else set()
    candidates = [tp for s in workflow.customer_stages(checklist) for tp in s.touchpoints
                  if any(i.type == "rating" for i in tp.items) and not any(i.key in skip for i in tp.items)]
    rows = [{**{tp.key: _scaled(_ratings(checklist, tp, r["answers"])) for tp in candidates},
             "_overall": _scaled(r["answers"].get(overall_key)) if overall_key else None} for r in responses]
    used = [tp for tp in candidates
            if rows and sum(row[tp.key] is not None for row in rows) >= MIN_ANSWERED_SHARE * len(rows)]
    return used, rows


def drivers(db, stores_, start, end, *, method: str = "relative_weights", n_boot: int = 300) -> dict | None:
    """Derived vs stated importance and performance of each touchpoint, with the fix-first groups."""
    responses, checklist = responses_in(db, [s["id"] for s in stores_], start, end)
    if not responses or not responses[-1]["overall_item"]:
        return None
    used, rows = driver_rows(checklist, responses)
    if len(used) < 2:
        return None
    result = key_drivers(rows, [tp.key for tp in used], "_overall", method=method, n_boot=n_boot, seed=17)
    stated_total = sum(tp.importance for tp in used)
    points, table = [], []
    for tp, res in zip(used, result.results):
        perf = [row[tp.key] for row in rows if row[tp.key] is not None]
        point = IpaPoint(tp.key, tp.key, res.share, tp.importance / stated_total * 100,
                         sum(perf) / len(perf) if perf else 0.0)
        points.append(point)
        table.append({"touchpoint": tp, "result": res, "point": point, "answered": len(perf)})
    return {"checklist": checklist, "drivers": result, "rows": table, "points": points,
            "groups": fix_first(points), "n_responses": len(responses)}
