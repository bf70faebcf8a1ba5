"""Customer answers turned into the numbers of ``insights``: NPS and CSAT per
store, region and stage, beside the mystery-shop scores, and the drivers.

Plain functions over storage rows; the pages and the period PDF call them.
Flagged answers never count. Labels stay checklist ``Text`` objects.
"""

from __future__ import annotations

from collections import Counter

from fieldapp.storage import checklist_store, reporting, results, stores, voice_results
from fieldapp.storage import voice as store
from fieldapp.voice import parts
from insights import (
    IpaPoint,
    csat_of_sums,
    disagreements,
    fix_first,
    key_drivers,
    nps_of_counts,
)

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
    return parts.touchpoint_rating(touchpoint, answers)


def _scaled(mean_rating):
    return None if mean_rating is None else (mean_rating - 1) / 4 * 100


STORES_LISTED = 50   # more stores than this: the customer table lists regions and the lowest ten
LOWEST_LISTED = 10


def summary(db, stores_, start, end, shopper_means=None) -> dict | None:
    """What the dashboard and the period report show about customers, or None without answers.

    Sums in SQL over the answers' NPS and overall columns and their stage and
    touchpoint rows (``storage.voice_results``), for the checklist most answers
    used; no answer's JSON is read but the few newest with a comment.
    ``shopper_means``: {stage key: 0..100}, or a function giving it (called only
    when there are answers to put it beside).
    """
    ids = [s["id"] for s in stores_]
    if not ids:
        return None
    lo, hi = reporting.utc_bounds(start, end)
    per_round = voice_results.answers_per_round(db, ids, lo, hi)
    if not per_round:
        return None
    rounds = {r: store.get_round(db, r) for r in per_round}
    checklists = {r["checklist_row_id"]: checklist_store.load_pinned(db, r["checklist_row_id"])
                  for r in rounds.values()}
    by_checklist = Counter()
    for round_id, n in per_round.items():
        by_checklist[checklists[rounds[round_id]["checklist_row_id"]].id] += n
    wanted = by_checklist.most_common(1)[0][0]
    round_ids = sorted(r for r in rounds if checklists[rounds[r]["checklist_row_id"]].id == wanted)
    row_ids = sorted({rounds[r]["checklist_row_id"] for r in round_ids})
    newest = max(round_ids, key=lambda r: (rounds[r]["created_at"], r))
    checklist = checklists[rounds[newest]["checklist_row_id"]]
    has_nps, has_overall = bool(rounds[newest]["nps_item"]), bool(rounds[newest]["overall_item"])
    counts = voice_results.store_counts(db, ids, lo, hi, round_ids)

    def block(rows: list[dict]) -> dict:
        total = {k: sum(r[k] for r in rows) for k in ("n", "nps_n", "promoters", "detractors", "overall_n",
                                                       "satisfied", "total", "total_sq")}
        return {"n": total["n"],
                "nps": nps_of_counts(total["nps_n"], total["promoters"], total["detractors"]) if has_nps else None,
                "overall": csat_of_sums(total["overall_n"], total["satisfied"], total["total"], total["total_sq"])
                if has_overall else None, "detractors": total["detractors"]}

    store_rows = [{"store": s, **block([counts[s["id"]]] if s["id"] in counts else [])} for s in stores_]
    regions = sorted({s["region"] for s in stores_})
    region_rows = [{"region": g, **block([counts[s["id"]] for s in stores_ if s["region"] == g and s["id"] in counts])}
                   for g in regions]
    everyone = block(list(counts.values()))
    listed, cut = store_rows, False
    if len(store_rows) > STORES_LISTED:  # a chain: the stores customers like least, regions for the rest
        answered = [r for r in store_rows if r["nps"] and r["nps"].score is not None]
        listed, cut = sorted(answered, key=lambda r: (r["nps"].score, r["store"]["name"]))[:LOWEST_LISTED], True
    means = shopper_means() if callable(shopper_means) else (shopper_means or {})
    stages = stage_rows(db, checklist, ids, lo, hi, row_ids, means, every_store=stores.are_every_store(db, ids))
    gaps = disagreements([{"key": row["stage"].key, "customers": row["csat"].mean100,
                           "customers_low": row["csat"].mean_low, "customers_high": row["csat"].mean_high,
                           "customers_n": row["csat"].n, "shoppers": row["shoppers"]} for row in stages])
    gap_of = {g.key: g for g in gaps}
    for row in stages:
        row["gap"] = gap_of.get(row["stage"].key)
    return {"checklist": checklist, **everyone, "stores": listed, "stores_cut": cut, "regions": region_rows,
            "stages": stages, "disagree": [row for row in stages if row["gap"] and row["gap"].verdict.endswith("happier")],
            "latest": latest_comments(checklist, voice_results.newest_answers(db, ids, lo, hi, round_ids))}


def stage_rows(db, checklist, store_ids, lo, hi, row_ids, shopper_means: dict, *,
               every_store: bool = False) -> list[dict]:
    """Per stage customers rated: its CSAT (with its touchpoints'), from the answers'
    stage and touchpoint rows, and the shoppers' mean stage score (stages match by key)."""
    stages = [(stage, parts.rated_touchpoints(stage)) for stage in parts.customer_stages(checklist)]
    stages = [(stage, tps) for stage, tps in stages if tps]
    names = [parts.STAGE + stage.key for stage, _ in stages] + \
        [parts.TOUCHPOINT + tp.key for _, tps in stages for tp in tps]
    sums = voice_results.part_sums(db, store_ids, lo, hi, row_ids, names, every_store=every_store)

    def csat_of(name):
        return csat_of_sums(*sums.get(name, (0, 0, 0.0, 0.0)))

    return [{"stage": stage, "csat": csat_of(parts.STAGE + stage.key), "shoppers": shopper_means.get(stage.key),
             "touchpoints": [{"touchpoint": tp, "csat": csat_of(parts.TOUCHPOINT + tp.key)} for tp in tps]}
            for stage, tps in stages]


def latest_comments(checklist, answers, limit: int = 3) -> list[dict]:
    """The newest comments (``answers`` newest first, read lazily), so a manager sees
    what customers just wrote."""
    texts = [i for i in checklist.items() if i.type == "text"]
    out = []
    for r in answers:
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
    candidates = [tp for s in parts.customer_stages(checklist) for tp in s.touchpoints
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
