"""Command line: ``python -m simulation run|compare|validate|staff|calibrate``.

Exit codes: 0 success, 2 bad scenario file or bad arguments (one line on
stderr, never a traceback), 130 interrupted.

Each command imports what it uses when it runs: ``run`` must start fast and
never pay for SciPy, which only calibration needs.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from . import calibrate_cli
from .cli_args import nonneg_int as _nonneg_int, positive_int as _positive_int
from .dask_executor import DaskUnavailable, executor_from_env
from .scenario import ScenarioError, load_scenario


def _parser():
    p = argparse.ArgumentParser(prog="python -m simulation",
                                description="Simulate store queues and how the wait feels.")
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp):
        sp.add_argument("--json", action="store_true", help="print one JSON object")
        sp.add_argument("--replications", type=_positive_int, help="override the scenario's count")
        sp.add_argument("--seed", type=_nonneg_int, help="override the scenario's seed")
        sp.add_argument("--workers", type=_positive_int, help="processes (default: all cores; 1 = serial)")
        sp.add_argument("--dask", metavar="ADDRESS",
                        help="run on a Dask scheduler (tcp://host:port; default: $SIMULATION_DASK_SCHEDULER)")

    r = sub.add_parser("run", help="run one scenario")
    r.add_argument("scenario")
    common(r)
    r.add_argument("--trace", metavar="OUT.csv", help="also write one row per customer (serial run)")
    c = sub.add_parser("compare", help="base vs changed, common random numbers")
    c.add_argument("base")
    c.add_argument("changed")
    common(c)
    v = sub.add_parser("validate", help="check a scenario file")
    v.add_argument("scenario")
    st = sub.add_parser("staff", help="fewest servers per hour and station meeting targets")
    st.add_argument("scenario")
    st.add_argument("--target", action="append", required=True, metavar='"p90_wait_min<=3"',
                    help="a measure, <= or >=, a number; repeat for several (all must be met)")
    st.add_argument("--max-servers", type=_positive_int, default=50, help="per hour and station (default 50)")
    st.add_argument("--replications", type=_positive_int, help="override the scenario's count")
    st.add_argument("--seed", type=_nonneg_int, help="override the scenario's seed")
    st.add_argument("--json", action="store_true", help='print {"hours": [...], "staff_hours": N}')
    calibrate_cli.add_parser(sub)
    return p


def _f(x, nd=2):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:,.{nd}f}"


def _mci(d, nd=2):
    lo, hi = d["ci95"]
    if lo is None:
        return _f(d["mean"], nd)
    return f"{_f(d['mean'], nd)}  [{_f(lo, nd)}, {_f(hi, nd)}]"


def format_run(r: dict) -> str:
    w = r["wait_min"]
    lines = [
        f"{r['scenario']}: {r['replications']} replications, seed {r['seed']}, "
        f"{r['horizon_min']:g} min (warm-up {r['warmup_min']:g})",
        "",
        f"  {'customers arrived':28}{_f(r['arrived'], 1)}",
        f"  {'served':28}{_f(r['served'], 1)}",
        f"  {'balked / reneged':28}{_f(r['balked'], 1)} / {_f(r['reneged'], 1)}",
        f"  {'abandonment rate':28}{_mci(r['abandonment_rate'], 3)}",
        f"  {'wait, min (mean, 95% CI)':28}{_mci(w)}",
        f"  {'wait p50 / p90 / p95':28}{_f(w['p50'])} / {_f(w['p90'])} / {_f(w['p95'])}",
        f"  {'time in system, min':28}{_mci(r['time_in_system_min'])}",
        f"  {'perceived wait, min':28}{_mci(r['perceived_wait_min'])}",
        f"  {'satisfaction (0-100)':28}{_mci(r['satisfaction'], 1)}",
        f"  {'staff hours':28}{_f(r['staff_hours'], 1)}",
    ]
    for t, d in w.get("over", {}).items():
        lines.append(f"  {'share waiting > ' + t + ' min':28}{_mci(d, 3)}")
    lines += ["", f"  {'station':16}{'wait min':>10}{'util':>8}{'queue':>8}{'served':>9}{'staff h':>9}"]
    for name, s in r["stations"].items():
        lines.append(f"  {name[:16]:16}{_f(s['wait_min']['mean']):>10}{_f(s['utilization']):>8}"
                     f"{_f(s['queue_length_mean']):>8}{_f(s['served'], 1):>9}{_f(s['staff_hours'], 1):>9}")
    if len(r["classes"]) > 1:
        lines += ["", f"  {'class':16}{'arrived':>9}{'served':>9}{'wait min':>10}{'satisf.':>9}"]
        for name, k in r["classes"].items():
            lines.append(f"  {name[:16]:16}{_f(k['arrived'], 1):>9}{_f(k['served'], 1):>9}"
                         f"{_f(k['wait_min']['mean']):>10}{_f(k['satisfaction']['mean'], 1):>9}")
    return "\n".join(lines)


def format_compare(c: dict) -> str:
    lines = [f"{c['changed']}  vs  {c['base']}: {c['replications']} paired replications "
             f"(common random numbers), seed {c['seed']}", "",
             f"  {'metric':34}{'base':>10}{'changed':>10}{'diff':>10}   95% CI of diff"]
    for k, m in c["metrics"].items():
        lo, hi = m["ci95"]
        ci = "-" if lo is None else f"[{_f(lo, 3)}, {_f(hi, 3)}]"
        star = " *" if m["significant"] else ""
        lines.append(f"  {k[:34]:34}{_f(m['base'], 3):>10}{_f(m['changed'], 3):>10}"
                     f"{_f(m['diff'], 3):>10}   {ci}{star}")
    lines += ["", "  * significant: the 95% CI of the paired difference excludes 0"]
    return "\n".join(lines)


def format_staff(res: dict, name: str) -> str:
    measures = list(res["hours"][0]["achieved"]) if res["hours"] else []
    lines = [f"{name}: fewest servers meeting {', '.join(res['targets'])} "
             f"({res['replications']} replications, seed {res['seed']})", "",
             (f"  {'hour':>4}  {'station':14}{'servers':>8}" + "".join(f"   {m:24}" for m in measures)).rstrip()]
    for row in res["hours"]:
        lines.append(f"  {row['hour']:>4}  {row['station'][:14]:14}{row['servers']:>8}"
                     + "".join(f"   {_mci(row['achieved'][m], 3):24}" for m in measures).rstrip())
    lines += ["", f"  staff hours: {res['staff_hours']:g}"]
    if not res["met"]:
        lines.append("  some hours miss a target even at --max-servers: raise it or check the scenario")
    return "\n".join(lines)


def _staff(args) -> int:
    from .staffing import StaffingError, TargetError, parse_target, staff_scenario
    try:
        targets = [parse_target(t) for t in args.target]
        sc = load_scenario(args.scenario)
        res = staff_scenario(sc, targets, max_servers=args.max_servers, replications=args.replications,
                             seed=args.seed)
    except (TargetError, StaffingError, ScenarioError) as exc:
        print(exc.message, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"hours": res["hours"], "staff_hours": res["staff_hours"]}))
    else:
        print(format_staff(res, sc.name))
    return 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.cmd == "calibrate":
        return calibrate_cli.main(args)
    if args.cmd == "staff":
        try:
            return _staff(args)
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130
    close = None
    try:
        if args.cmd == "validate":
            sc = load_scenario(args.scenario)
            print(f"{args.scenario}: ok ({len(sc.stations)} stations, {len(sc.classes)} customer classes)")
            return 0
        if args.cmd == "run":
            from .runner import run_scenario
            sc = load_scenario(args.scenario)
            executor, close = executor_from_env(args.dask)
            res = run_scenario(sc, args.replications, args.seed, args.workers, trace_path=args.trace,
                               executor=executor)
            print(json.dumps(res) if args.json else format_run(res))
            return 0
        from .compare import compare_scenarios
        base, changed = load_scenario(args.base), load_scenario(args.changed)
        executor, close = executor_from_env(args.dask)
        res = compare_scenarios(base, changed, args.replications, args.seed, args.workers, executor=executor)
        print(json.dumps(res) if args.json else format_compare(res))
        return 0
    except (ScenarioError, DaskUnavailable) as exc:
        print(exc.message, file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. the trace file cannot be written
        print(f"{getattr(exc, 'filename', '') or 'error'}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if close is not None:
            close()
