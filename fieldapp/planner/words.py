"""The planner's language: what a what-if changed, in words; which levers a kind of
business has; verdicts and statistics said plainly. Codes in, translated sentences out."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# -- which levers a kind of business has ---------------------------------------------------

ALL_LEVERS = ("staff", "samples", "show_in_view", "entertainment", "wait_info_shown", "express", "service")
LEVERS = {
    "bakery": ALL_LEVERS,
    "store": ALL_LEVERS,
    "car_rental": ("staff", "entertainment", "wait_info_shown", "express", "service"),
    "call_centre": ("staff", "wait_info_shown", "service"),
}
TEMPLATES = {  # bundled scenario file -> (title, kind of business)
    "doughnut_saturday.yaml": (_l("Doughnut shop on a Saturday"), "bakery"),
    "doughnut_saturday_samples.yaml": (_l("Doughnut shop on a Saturday, with free samples"), "bakery"),
    "avis_members.yaml": (_l("Car rental: members skip the counter"), "car_rental"),
    "callback_appointments.yaml": (_l("Claims line with call-back slots"), "call_centre"),
}


def template_title(name: str) -> str:
    return str(TEMPLATES[name][0]) if name in TEMPLATES else name


def domain_of(calibration: dict) -> str:
    """The kind of business of a saved what-if: its template's, else a store from field data."""
    template = (calibration or {}).get("template")
    return TEMPLATES[template][1] if template in TEMPLATES else "store"


def levers_of(calibration: dict) -> tuple[str, ...]:
    return LEVERS[domain_of(calibration)]


# -- what a what-if changed -----------------------------------------------------------------

def _hours_text(start: int, end: int) -> str:
    return f"{start:02d}:00–{end:02d}:00"


def _rota_runs(by_hour: dict, base: dict) -> list[tuple[int, int, int, int | None]]:
    """(first hour, end hour, servers, baseline servers) for runs of equal consecutive settings."""
    runs = []
    for hour in sorted(int(h) for h in by_hour):
        if not isinstance(by_hour[str(hour)], int):
            continue  # a refused value kept to show next to its field, not a setting
        n, was = by_hour[str(hour)], base.get(hour)
        if runs and runs[-1][1] == hour and runs[-1][2] == n and runs[-1][3] == was:
            runs[-1] = (runs[-1][0], hour + 1, n, was)
        else:
            runs.append((hour, hour + 1, n, was))
    return runs


def station_name(name: str) -> str:
    names = {"counter": _("the counter"), "order": _("ordering"), "pickup": _("pick-up"),
             "keys": _("key hand-over"), "agent": _("the phone line"), "express": _("the express lane")}
    return names.get(name, name)


def describe(changes: dict, rota: dict | None = None) -> list[str]:
    """Each change as a short phrase, e.g. "one more person at the counter 11:00–14:00".

    :param rota: ``{station: {clock hour: servers}}`` of the baseline, to say what a rota cell was.
    """
    rota = rota or {}
    first = next(iter(rota), "counter")
    out = []
    n = int(changes.get("extra_servers") or 0)
    if n:
        window = {"station": station_name(first), "from": changes.get("extra_from", ""),
                  "to": changes.get("extra_to", "")}
        out.append(_("one more person at %(station)s %(from)s–%(to)s", **window) if n == 1
                   else _("%(n)s more people at %(station)s %(from)s–%(to)s", n=n, **window))
    by_station = dict(changes.get("rota_by_station") or {})
    if changes.get("servers_by_hour"):
        by_station = {first: changes["servers_by_hour"], **by_station}
    for station, by_hour in by_station.items():
        base = {int(h): s for h, s in (rota.get(station) or {}).items()}
        for start, end, servers, was in _rota_runs(by_hour, base):
            if was is None:
                out.append(_("%(n)s at %(station)s %(hours)s", n=servers, station=station_name(station),
                             hours=_hours_text(start, end)))
            elif servers != was:
                out.append(_("%(n)s at %(station)s %(hours)s (was %(was)s)", n=servers, was=was,
                             station=station_name(station), hours=_hours_text(start, end)))
    flags = {"samples": _l("free samples while waiting"), "show_in_view": _l("production line in view"),
             "entertainment": _l("entertainment while waiting"),
             "wait_info_shown": _l("the expected wait is shown")}
    out += [str(text) for key, text in flags.items() if changes.get(key)]
    share = float(changes.get("express_share") or 0)
    if share:
        out.append(_("an express lane for %(pct)s%% of customers (%(n)s staff, service ×%(f)s)",
                     pct=round(share * 100), n=changes.get("express_servers", 1),
                     f=changes.get("express_service_factor", 0.6)))
    factor = float(changes.get("service_factor") or 1.0)
    if factor != 1.0:
        out.append(_("service at the counter %(pct)s%% faster", pct=round((1 - factor) * 100)) if factor < 1
                   else _("service at the counter %(pct)s%% slower", pct=round((factor - 1) * 100)))
    for key, value in (changes.get("learned") or {}).items():
        out.append(_("the field's own factor for %(what)s (×%(m).2f) instead of the assumed one",
                     what=str(flags.get(key, key)), m=value))
    return out


def describe_text(changes: dict, rota: dict | None = None) -> str:
    return "; ".join(describe(changes, rota)) or _("nothing changed")


# -- the fit check and outcomes, in words ---------------------------------------------------

FIT_HEADLINES = {
    "trust": _l("You can trust the what-ifs of this baseline."),
    "do_not_trust_gap": _l("Do not trust yet."),
    "too_few": _l("Do not trust yet."),
}


def fit_sentence(verdict: dict) -> str:
    """The fit verdict's reason, from its code and params (never from its English text)."""
    code, p = verdict.get("code"), verdict.get("params", {})
    if code == "trust":
        return _("Simulated waits are within %(pct)s%% of the %(n)s measured ones at every point from the "
                 "shortest quarter to the longest tenth.", pct=round(p.get("max_gap", 0.25) * 100), n=p.get("n"))
    if code == "do_not_trust_gap":
        ratio = 1 + float(p.get("gap", 0))
        where = {"p25": _("short waits"), "p50": _("typical waits"), "p75": _("longer waits"),
                 "p90": _("the longest waits")}.get(p.get("quantile"), p.get("quantile"))
        if ratio < 1:
            size = _("about half") if 0.35 <= ratio <= 0.65 else _("%(pct)s%% shorter than", pct=round((1 - ratio) * 100))
            return _("For %(where)s, simulated waits are %(size)s the measured ones; check the rota and door "
                     "counts for these hours before trusting a what-if.", where=where, size=size)
        return _("For %(where)s, simulated waits are %(pct)s%% longer than the measured ones; check the rota "
                 "and door counts for these hours before trusting a what-if.", where=where,
                 pct=round((ratio - 1) * 100))
    if p.get("quantile"):
        return _("Only %(n)s measured waits: the gap could be anything from %(lo)s%% to %(hi)s%%. "
                 "Measure more visits.", n=p.get("n"), lo=round(p["ci95"][0] * 100), hi=round(p["ci95"][1] * 100))
    return _("Only %(n)s measured waits; at least %(min)s are needed to judge the baseline.",
             n=p.get("n"), min=p.get("min_observed", 30))


EXPLAIN = {
    "quantile": _l("A quantile: p90 is the wait that 9 in 10 customers do not exceed."),
    "interval": _l("The interval (95%): where the true value lies, allowing for chance in the data."),
    "gap": _l("The gap: how much shorter (−) or longer (+) the simulated wait is than the measured one."),
    "fit": _l("We fitted several curve shapes to the measured service times and kept the one that "
              "explains them best without extra parameters."),
    "staff_hours": _l("Staff-hours: people on duty times hours, summed over the day."),
    "significant": _l("A difference counts when its interval (95%) does not include zero."),
    "did": _l("Against stores that did not adopt: the change at the adopting stores minus the change at "
              "the others over the same weeks, so a general trend is not taken for an effect."),
}

DISTRIBUTIONS = {
    "exponential": _l("many short, a few long (exponential)"),
    "lognormal": _l("mostly around the typical time, a long tail (log-normal)"),
    "gamma": _l("mostly around the typical time, a tail (gamma)"),
    "deterministic": _l("always the same time"),
    "uniform": _l("evenly spread"),
    "triangular": _l("a most likely time between a shortest and a longest"),
    "empirical": _l("exactly as measured"),
}


def distribution_name(code: str) -> str:
    return str(DISTRIBUTIONS.get(code, code))


# -- staffing targets ------------------------------------------------------------------------

MEASURES = {
    "p90_wait_min": _l("9 in 10 customers wait at most (min)"),
    "p50_wait_min": _l("half of the customers wait at most (min)"),
    "mean_wait_min": _l("average wait (min)"),
    "abandonment": _l("customers who leave the queue (%)"),
    "satisfaction": _l("satisfaction with the wait, at least (0-100)"),
}


def target_text(target: str) -> str:
    """``p90_wait_min<=3`` as the planner says it: "9 in 10 wait at most 3 min"."""
    for op in ("<=", ">="):
        if op in target:
            measure, value = target.split(op)
            number = float(value)
            if measure == "p90_wait_min":
                return _("9 in 10 wait at most %(v)s min", v=f"{number:g}")
            if measure == "p50_wait_min":
                return _("half wait at most %(v)s min", v=f"{number:g}")
            if measure == "mean_wait_min":
                return _("an average wait of at most %(v)s min", v=f"{number:g}")
            if measure == "abandonment":
                return _("at most %(v)s%% leave the queue", v=f"{number * 100:g}")
            if measure == "satisfaction":
                return _("satisfaction of at least %(v)s", v=f"{number:g}")
    return target


def target_error(code: str, params: dict) -> str:
    """A TargetError's code in the planner's words, shown next to the field."""
    if code == "out_of_range":
        return _("Enter a number between %(low)s and %(high)s.", low=f"{params.get('low', 0):g}",
                 high=f"{params.get('high', 0):g}")
    if code == "not_a_number":
        return _("Enter a number.")
    return _("Choose a target and enter a number, e.g. 3 minutes.")


# -- import problems, by code (planner/imports.py has the English for the command line) ------

IMPORT_PROBLEMS = {
    "file_type": _l("not a CSV or XLSX file"),
    "unreadable": _l("the file cannot be read"),
    "no_rows": _l("no rows under the header"),
    "too_many_rows": _l("more than %(max)s rows"),
    "missing_column": _l("missing column (need %(need)s)"),
    "empty": _l("empty"),
    "unknown_store": _l("unknown store code %(code)s"),
    "repeated": _l("repeated (first on row %(first)s)"),
    "day": _l("not a day as YYYY-MM-DD"),
    "slot_start": _l("not the start of a 15-minute slot (HH:00, HH:15, HH:30, HH:45)"),
    "count": _l("not a count >= 0"),
    "hour": _l("not an hour from 0 to 23"),
    "servers": _l("not a whole number of servers >= 0"),
    "weekday": _l("not a weekday (mon..sun or 1-7 from Monday)"),
}


def import_problem(problem, filename: str) -> str:
    """``file:row: column: problem`` with the problem in the planner's language."""
    text = str(IMPORT_PROBLEMS[problem.code]) % problem.params if problem.params \
        else str(IMPORT_PROBLEMS[problem.code])
    where = filename if problem.row is None else f"{filename}:{problem.row}"
    return f"{where}: {problem.column}: {text}" if problem.column else f"{where}: {text}"


WEEKDAY_NAMES = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
                 _l("Saturday"), _l("Sunday"))

FACTOR_NAMES = {"samples_offered": _l("Free samples while waiting"),
                "production_in_view": _l("Production line in view"),
                "entertainment": _l("Entertainment while waiting")}
FACTOR_REASONS = {
    "few_with": _l("not enough yet: %(n)s visits had it, %(min)s needed"),
    "few_without": _l("not enough yet: %(n)s visits without it, %(min)s needed"),
    "no_slope": _l("not enough yet: the ratings do not clearly fall as waits get longer"),
    "wide": _l("not enough yet: the interval is too wide"),
}


def factor_reason(factor: dict) -> str:
    reason = factor.get("reason")
    if reason == "few_with":
        return str(FACTOR_REASONS[reason]) % {"n": factor["n_with"], "min": 30}
    if reason == "few_without":
        return str(FACTOR_REASONS[reason]) % {"n": factor["n_without"], "min": 30}
    return str(FACTOR_REASONS.get(reason, reason))


SIDE_ROWS = (("wait_min", _l("Mean wait"), _l("min")),
             ("wait_p90", _l("Wait that 9 in 10 customers do not exceed"), _l("min")),
             ("satisfaction", _l("Satisfaction (0-100)"), ""),
             ("abandonment_rate", _l("Customers who left"), "%"),
             ("staff_hours", _l("Staff-hours (people × hours)"), ""))


def quantile_words(q: float) -> str:
    """0.9 -> "9 in 10 wait at most"."""
    return {0.25: _("a quarter wait at most"), 0.5: _("half wait at most"),
            0.75: _("3 in 4 wait at most"), 0.9: _("9 in 10 wait at most")}.get(q, f"p{round(q * 100)}")


# -- did the change deliver ------------------------------------------------------------------

OUTCOME_HEADLINES = {
    "delivered": _l("Delivered."),
    "delivered_less": _l("Delivered, but less than predicted."),
    "not_delivered": _l("Did not deliver."),
    "unclear": _l("Not clear yet."),
    "too_early": _l("Too early to tell."),
}


def outcome_headline(verdict: dict) -> str:
    return str(OUTCOME_HEADLINES[verdict["code"]])


def outcome_sentence(o: dict) -> str:
    v, m, change, predicted = o["verdict"], o["measure"], o["change"][o["measure"]], o["predicted"]
    what = _("the wait") if m == "wait" else _("how the wait felt")
    if v["code"] == "too_early":
        text = _("%(n)s visits measured since the change (%(b)s before); %(min)s on each side are needed.",
                 n=v["n_after"], b=v["n_before"], min=8)
        if v.get("ready_by"):
            text += " " + _("At the pace of visits so far, enough by %(day)s.", day=v["ready_by"])
        return text
    measured = change["mean"]
    pred = predicted.get("mean")
    sign = "%+.1f"
    base = _("Measured change of %(what)s: %(m)s (95%% interval %(lo)s to %(hi)s); predicted %(p)s.",
             what=what, m=sign % measured, lo=sign % change["ci95"][0], hi=sign % change["ci95"][1],
             p="—" if pred is None else sign % pred)
    did = o["did"][m] if o.get("did") else None
    if did and did["mean"] is not None:
        lo, hi = did["ci95"]
        if lo <= 0 <= hi:
            base += " " + _("Against the stores that did not adopt it, the difference is not clear yet "
                            "(%(lo)s to %(hi)s).", lo=sign % lo, hi=sign % hi)
        else:
            base += " " + _("Against the stores that did not adopt it: %(d)s (%(lo)s to %(hi)s).",
                            d=sign % did["mean"], lo=sign % lo, hi=sign % hi)
    if v["code"] == "unclear":
        base += " " + _("The interval holds both no change and the prediction: about %(more)s more visits are "
                        "needed", more=v["more"])
        base += (" " + _("(by %(day)s at the pace so far).", day=v["ready_by"])) if v.get("ready_by") else "."
    return base
