"""Did the change deliver? An adopted what-if's prediction against what the field measured.

For each adoption: the stopwatch waits (in the changed hours when the change
had hours, else all day) and how the waits felt (the auditors' 1-5 rating of
the queueing stage, shown 0-100) at the adopting stores, before the date and
after it, each a mean with a 95% t interval; when other stores did not
adopt, the difference in differences against them over the same weeks,
which takes out what changed everywhere (season, prices). The before window
is as long as the after one, at least ``MIN_WINDOW_DAYS``.

The verdict (a code, worded by the template) reads the after-minus-before
change against the predicted one:
``too_early`` fewer than ``MIN_VISITS`` visits on either side; ``delivered``
the interval lies wholly on the predicted side of zero; ``not_delivered``
the interval excludes the prediction and does not show the predicted
direction; ``unclear`` otherwise. For ``too_early`` and ``unclear`` the date
when enough will have come in is estimated from the pace of visits since
the adoption.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from fieldapp.planner import words
from fieldapp.planner.experience import field_records
from fieldapp.storage import planning, stores
from fieldapp.storage import voice as voice_store
from simulation.stats import t_quantile

MIN_VISITS = 8
MIN_WINDOW_DAYS = 28


def _mean_ci(values: list[float]) -> dict:
    n = len(values)
    if n == 0:
        return {"n": 0, "mean": None, "ci95": [None, None], "var": None}
    m = sum(values) / n
    if n < 2:
        return {"n": 1, "mean": m, "ci95": [None, None], "var": None}
    var = sum((v - m) ** 2 for v in values) / (n - 1)
    half = t_quantile(0.975, n - 1) * math.sqrt(var / n)
    return {"n": n, "mean": m, "ci95": [m - half, m + half], "var": var}


def _difference(parts: list[tuple[int, dict]]) -> dict:
    """Sum of sign * mean with a conservative t interval (df from the smallest group)."""
    if any(p["n"] < 2 for _s, p in parts):
        return {"mean": None, "ci95": [None, None]}
    m = sum(sign * p["mean"] for sign, p in parts)
    se = math.sqrt(sum(p["var"] / p["n"] for _s, p in parts))
    half = t_quantile(0.975, max(1, min(p["n"] for _s, p in parts) - 1)) * se
    return {"mean": m, "ci95": [m - half, m + half], "se": se}


def _measures(records: list[dict], hours: set | None) -> dict:
    chosen = [r for r in records if hours is None or r["hour"] in hours]
    return {"wait": _mean_ci([r["wait_min"] for r in chosen]),
            "feeling": _mean_ci([(r["rating"] - 1) * 25 for r in chosen if r["rating"] is not None])}


def _voice(db, store_ids: list[int], day_from: str, day_to: str) -> dict:
    """Customers' overall score (a 1-5 answer shown 0-100) submitted in [day_from, day_to]."""
    rows = voice_store.submitted_responses(db, store_ids, day_from, (date.fromisoformat(day_to)
                                                                    + timedelta(days=1)).isoformat())
    values = [float(r["overall"]) for r in rows if isinstance(r.get("overall"), (int, float))]
    return _mean_ci([(v - 1) * 25 if v <= 5 else v for v in values])


def assess(db, adoption: dict, org_stores: list[dict], today: date) -> dict:
    """Everything the home page shows for one adoption."""
    start = date.fromisoformat(adoption["from_day"])
    days_after = max((today - start).days, 0)
    before_from = start - timedelta(days=max(days_after, MIN_WINDOW_DAYS))
    prediction = adoption["prediction"]
    hours = None if prediction.get("all_day", True) else set(prediction.get("hours") or [])
    adopted = adoption["store_ids"]
    others = [s["id"] for s in org_stores if s["id"] not in adopted]
    windows = {"before": (before_from.isoformat(), (start - timedelta(days=1)).isoformat()),
               "after": (start.isoformat(), today.isoformat())}
    groups = {"adopted": adopted, "others": others}
    data = {g: {w: _measures(field_records(db, ids, *windows[w], need_rating=False), hours) if ids else None
                for w in windows} for g, ids in groups.items()}
    for g, ids in groups.items():
        for w, (lo, hi) in windows.items():
            if data[g][w] is not None:
                data[g][w]["voice"] = _voice(db, ids, lo, hi)
    # the measure the verdict reads: the wait when a change of the wait was predicted, else the feeling
    predicted_wait = prediction.get("wait_diff") or {}
    wait_predicted = predicted_wait.get("ci95", [None, None])[1] is not None and (
        predicted_wait["ci95"][1] < 0 or predicted_wait["ci95"][0] > 0)
    measure = "wait" if wait_predicted else "feeling"
    if measure == "wait":
        predicted = predicted_wait
    else:
        sat = (prediction.get("metrics") or {}).get("satisfaction") or {}
        predicted = {"mean": sat.get("diff"), "ci95": sat.get("ci95", [None, None])}
    change = {}
    did = {}
    for m in ("wait", "feeling", "voice"):
        change[m] = _difference([(1, data["adopted"]["after"][m]), (-1, data["adopted"]["before"][m])])
        did[m] = _difference([(1, data["adopted"]["after"][m]), (-1, data["adopted"]["before"][m]),
                              (-1, data["others"]["after"][m]), (1, data["others"]["before"][m])]) \
            if others else None
    verdict = _verdict(measure, predicted, change[measure], did[measure], data["adopted"], start, today)
    names = {s["id"]: s["name"] for s in org_stores}
    return {"adoption": adoption, "changes": words.describe(adoption["changes"], adoption["changes"].get("_rota")),
            "stores": [names.get(i, i) for i in adopted], "others": [names[i] for i in others],
            "hours": sorted(hours) if hours else None, "windows": windows, "data": data, "change": change,
            "did": did, "measure": measure, "predicted": predicted, "verdict": verdict}


def _verdict(measure, predicted, change, did, adopted, start, today) -> dict:
    n_before = adopted["before"][measure]["n"]
    n_after = adopted["after"][measure]["n"]
    days = max((today - start).days, 1)
    pace = n_after / days * 7  # visits a week since the adoption
    sign = -1 if measure == "wait" else 1          # which way is better
    p = predicted.get("mean")

    def ready_by(more: int) -> str | None:
        if pace <= 0:
            return None
        return (today + timedelta(days=math.ceil(more / pace * 7))).isoformat()

    if n_after < MIN_VISITS or n_before < MIN_VISITS or change["mean"] is None:
        more = max(MIN_VISITS - n_after, 0) or 1
        return {"code": "too_early", "n_after": n_after, "n_before": n_before, "more": more,
                "ready_by": ready_by(more)}
    lo, hi = change["ci95"]
    better = (hi < 0) if sign < 0 else (lo > 0)
    excludes_prediction = p is not None and not (lo <= p <= hi)
    if better:
        code = "delivered" if not excludes_prediction or abs(change["mean"]) >= abs(p or 0) \
            else "delivered_less"
        return {"code": code, "n_after": n_after, "n_before": n_before}
    if excludes_prediction:
        return {"code": "not_delivered", "n_after": n_after, "n_before": n_before}
    # the interval holds both no change and the prediction: how many more visits until it does not
    # narrow enough to exclude zero with some margin, for the smaller of the predicted and measured effect
    half = (hi - lo) / 2
    effect = min(abs(p), abs(change["mean"])) if p and change["mean"] * p > 0 else abs(p or 0)
    target = 0.8 * effect if effect > 0 else half / 2
    factor = (half / target) ** 2
    more = max(int(math.ceil(n_after * (factor - 1))), 2)
    return {"code": "unclear", "n_after": n_after, "n_before": n_before, "more": more,
            "ready_by": ready_by(more)}


def for_home(db, org_id: int, today: date) -> list[dict]:
    org_stores = stores.org_stores(db, org_id)
    return [assess(db, a, org_stores, today) for a in planning.adoptions_of(db, org_id)]
