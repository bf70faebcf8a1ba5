"""``python -m simulation calibrate TIMINGS.csv --out baseline.yaml [...]``.

Reads the CSV files, calibrates, writes the baseline scenario as YAML and
prints the report (readable, or one JSON object with --json).  Exit codes:
0 success, 2 bad input (one located line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .cli_args import nonneg_int as _nonneg_int, positive_int as _positive_int
from .scenario import ScenarioError, scenario_from_dict, scenario_to_yaml

__all__ = ["add_parser", "main", "format_report"]


def add_parser(sub) -> argparse.ArgumentParser:
    c = sub.add_parser("calibrate", help="build a baseline scenario from field data (CSV files)")
    c.add_argument("timings", metavar="TIMINGS.csv",
                   help="stopwatch records: visit, store, station, event, timestamp")
    c.add_argument("--traffic", metavar="CSV", help="counts per 15 min: day, slot_start, count (required)")
    c.add_argument("--staffing", metavar="CSV", help="servers per hour: hour, servers (default: 1 server)")
    c.add_argument("--ratings", metavar="CSV", help="auditors' ratings: wait_min, rating (1-5)")
    c.add_argument("--out", metavar="baseline.yaml", required=True, help="where to write the scenario")
    c.add_argument("--json", action="store_true", help="print the report as one JSON object")
    c.add_argument("--name", default="Baseline from field data", help="scenario name")
    c.add_argument("--station", default="counter", help="station name in the scenario")
    c.add_argument("--open", dest="open_time", metavar="HH:MM", help="opening time (default: first traffic slot)")
    c.add_argument("--replications", type=_positive_int, default=20,
                   help="replications of the baseline (and of the fit check)")
    c.add_argument("--seed", type=_nonneg_int, default=1, help="seed of the baseline and the fit check")
    c.add_argument("--no-check", action="store_true", help="skip the fit check simulation")
    return c


def main(args) -> int:
    # calibration needs SciPy; the other commands share this parser and must not load it
    from .calibration import (CalibrationError, calibrate, read_ratings_csv, read_staffing_csv,
                              read_timings_csv, read_traffic_csv)
    try:
        if not args.traffic:
            raise CalibrationError("--traffic: counts per 15 minutes are needed for the arrival schedule")
        timings = read_timings_csv(args.timings)
        traffic = read_traffic_csv(args.traffic)
        staffing = read_staffing_csv(args.staffing) if args.staffing else None
        ratings = read_ratings_csv(args.ratings) if args.ratings else None
        cal = calibrate(timings, traffic, staffing, ratings, name=args.name, station=args.station,
                        open_time=args.open_time, replications=args.replications, seed=args.seed,
                        check=not args.no_check)
        text = scenario_to_yaml(scenario_from_dict(cal.scenario, source=args.out))
        header = _yaml_header(args, cal.report)
        Path(args.out).write_text(header + text, encoding="utf-8")
    except (CalibrationError, ScenarioError) as exc:
        print(exc.message, file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{getattr(exc, 'filename', '') or args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps({"out": str(args.out), "scenario": cal.scenario, "report": cal.report}))
    else:
        print(format_report(cal.report, args.out))
    return 0


def _yaml_header(args, rep) -> str:
    s = rep["service"]
    lines = [f"# Calibrated from {Path(args.timings).name} (timings), {Path(args.traffic).name} (traffic)"
             + (f", {Path(args.staffing).name} (staffing)" if args.staffing else "")
             + (f", {Path(args.ratings).name} (ratings)" if args.ratings else ""),
             f"# service: {s['chosen']} by AIC from {s['n']} stopwatch service times",
             f"# arrivals: mean of {rep['arrivals']['days']} days of 15-minute counts; "
             f"time 0 = {rep['arrivals']['open_time']}"]
    fc = rep.get("fit_check")
    if fc and fc["ks"]["statistic"] is not None:
        lines.append(f"# fit check: KS D = {fc['ks']['statistic']:.3f}, p = {fc['ks']['p_value']:.3g} "
                     f"({fc['n_observed']} observed waits)")
    return "\n".join(lines) + "\n"


def _f(x, nd=2):
    return "-" if x is None else f"{x:,.{nd}f}"


def format_report(rep: dict, out=None) -> str:
    s = rep["service"]
    lines = []
    if out:
        lines += [f"wrote {out}", ""]
    lines += [f"Service time ({s['n']} visits; mean {_f(s['mean_min'])} min, sd {_f(s['sd_min'])}):",
              f"  {'distribution':14}{'mean':>8}{'sd':>8}{'loglik':>11}{'AIC':>11}{'dAIC':>9}"]
    for c in s["candidates"]:
        p = c["params"]
        mark = "  <- chosen" if c["dist"] == s["chosen"] else ""
        lines.append(f"  {c['dist']:14}{_f(p['mean']):>8}{_f(p.get('sd')):>8}{_f(c['loglik'], 1):>11}"
                     f"{_f(c['aic'], 1):>11}{_f(c['delta_aic'], 1):>9}{mark}")
    lines.append(f"  {s['reason']}")
    a = rep["arrivals"]
    lines += ["", f"Arrivals: {a['slots']} slots of 15 min over {a['days']} days, opening {a['open_time']}, "
              f"{_f(a['arrivals_per_day'], 0)} customers a day on average"]
    for p in a["schedule"][:12]:
        lines.append(f"  {p['from_min']:>5g}-{p['to_min']:<5g} min  {_f(p['rate_per_hour'], 1):>7} / hour")
    if len(a["schedule"]) > 12:
        lines.append(f"  ... {len(a['schedule']) - 12} more pieces in the YAML")
    st = rep["staffing"]
    if st["shifts"] is None:
        lines += ["", "Staffing: not given, 1 server assumed"]
    else:
        lines += ["", "Staffing:"]
        for x in st["shifts"]:
            n = x["servers"]
            lines.append(f"  {x['from_min']:>5g}-{x['to_min']:<5g} min  {n} server{'' if n == 1 else 's'}")
    w = rep["waits"]
    lines += ["", f"Observed waits: {w['n']} visits, mean {_f(w['mean'])} min, median {_f(w['p50'])}, "
              f"p90 {_f(w['p90'])}"]
    sat = rep["satisfaction"]
    if sat:
        p = sat["params"]
        lines += ["", f"Satisfaction curve ({sat['n']} ratings, perceived = {sat['multiplier']:g} x actual wait): "
                  f"tolerance {_f(p['tolerance_min'])} min, steepness {_f(p['steepness'], 3)} /min, "
                  f"RMSE {_f(sat['rmse'], 1)}",
                  f"  {'wait min':>10}{'observed':>10}{'fitted':>10}{'n':>6}"]
        for b in sat["bins"]:
            lines.append(f"  {_f(b['wait_min']):>10}{_f(b['observed'], 1):>10}{_f(b['fitted'], 1):>10}{b['n']:>6}")
    else:
        lines += ["", "Satisfaction curve: no ratings, the model's default curve is kept"]
    fc = rep.get("fit_check")
    if fc:
        lines += ["", f"Fit check: simulated ({fc['n_simulated']} customers, {fc['replications']} runs) "
                  f"vs observed ({fc['n_observed']}) waits",
                  f"  {'quantile':>10}{'observed':>10}{'simulated':>11}"]
        for q in fc["quantiles"]:
            lines.append(f"  {q['q']:>10g}{_f(q['observed']):>10}{_f(q['simulated']):>11}")
        ks = fc["ks"]
        if ks["statistic"] is not None:
            verdict = ("no evidence they differ" if ks["p_value"] >= 0.05 else
                       "they differ: check the inputs before trusting what-ifs")
            lines.append(f"  KS D = {ks['statistic']:.3f}, p = {ks['p_value']:.3g}: {verdict}")
    if rep["warnings"]:
        lines += ["", "Warnings:"] + [f"  - {x['text']}" for x in rep["warnings"]]
    return "\n".join(lines)
