"""Validation of a plain scenario structure into a Scenario, with located one-line errors."""

from __future__ import annotations

import math

from .. import distributions as D
from ..experience import ExperienceParams, Multipliers, Occupied, SatisfactionParams
from .model import Appointments, CustomerClass, RatePiece, Scenario, ScenarioError, Shift, Station


def _fmt_path(path: tuple) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


class _Ctx:
    """Where we are: source name and, for files, a line number per key path."""

    def __init__(self, source: str, lines: dict | None = None):
        self.source, self.lines = source, lines or {}

    def err(self, path: tuple, msg: str):
        p = tuple(path)
        while p not in self.lines and p:
            p = p[:-1]
        loc = f"{self.source}:{self.lines[p]}" if p in self.lines else self.source
        where = _fmt_path(tuple(path))
        raise ScenarioError(f"{loc}: {where}: {msg}" if where else f"{loc}: {msg}")

    def mapping(self, d, path, required=(), optional=()):
        if not isinstance(d, dict):
            self.err(path, "must be a mapping (key: value)")
        allowed = set(required) | set(optional)
        for k in d:
            if k not in allowed:
                self.err(tuple(path) + (k,),
                         f"unknown key (allowed: {', '.join(sorted(allowed))})")
        for k in required:
            if k not in d:
                self.err(path, f"missing required key '{k}'")
        return d

    def number(self, v, path, *, ge=None, gt=None, le=None):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            self.err(path, "must be a number")
        if ge is not None and v < ge:
            self.err(path, f"must be a number >= {ge}")
        if gt is not None and v <= gt:
            self.err(path, f"must be a number > {gt}")
        if le is not None and v > le:
            self.err(path, f"must be a number <= {le}")
        return float(v)

    def integer(self, v, path, *, ge=None):
        if isinstance(v, bool) or not isinstance(v, int):
            self.err(path, f"must be an integer >= {ge}" if ge is not None else "must be an integer")
        if ge is not None and v < ge:
            self.err(path, f"must be an integer >= {ge}")
        return int(v)

    def boolean(self, v, path):
        if not isinstance(v, bool):
            self.err(path, "must be true or false")
        return v

    def string(self, v, path):
        if not isinstance(v, str) or not v.strip():
            self.err(path, "must be a non-empty text")
        return v

    def seq(self, v, path, nonempty=True):
        if not isinstance(v, list):
            self.err(path, "must be a list")
        if nonempty and not v:
            self.err(path, "must not be empty")
        return v

    def dist(self, v, path):
        if not isinstance(v, dict):
            self.err(path, "must be a distribution like {dist: exponential, mean: 2}")
        if "dist" not in v:
            self.err(path, "missing required key 'dist'")
        name = v["dist"]
        if not isinstance(name, str) or name not in D.DIST_PARAMS:
            self.err(path + ("dist",), f"unknown distribution '{name}' "
                     f"(known: {', '.join(sorted(D.DIST_PARAMS))})")
        params = D.DIST_PARAMS[name]
        self.mapping(v, path, required=("dist",) + params)
        try:
            return D.from_spec(v)
        except (ValueError, TypeError, OverflowError) as exc:
            msg = str(exc)
            key = next((p for p in params if msg.startswith(p + " ")), None)
            if key:
                msg = msg[len(key) + 1:]
            self.err(path + ((key,) if key else ()), msg)


_TOP = ("name", "horizon_min", "warmup_min", "replications", "seed", "arrivals", "customers",
        "stations", "experience", "report")
_OCC = ("samples", "show_in_view", "entertainment")


def _occupied(ctx, v, path, base: Occupied) -> Occupied:
    ctx.mapping(v, path, optional=_OCC)
    vals = {k: getattr(base, k) for k in _OCC}
    for k in _OCC:
        if k in v:
            vals[k] = ctx.boolean(v[k], path + (k,))
    return Occupied(**vals)


def _experience(ctx, v) -> ExperienceParams:
    path = ("experience",)
    if v is None:
        return ExperienceParams()
    ctx.mapping(v, path, optional=("occupied", "wait_info_shown", "multipliers", "satisfaction"))
    occ = _occupied(ctx, v["occupied"], path + ("occupied",), Occupied()) if "occupied" in v else Occupied()
    info = ctx.boolean(v["wait_info_shown"], path + ("wait_info_shown",)) if "wait_info_shown" in v else False
    mult = Multipliers()
    if "multipliers" in v:
        mp = path + ("multipliers",)
        names = tuple(Multipliers.__dataclass_fields__)
        ctx.mapping(v["multipliers"], mp, optional=names)
        mult = Multipliers(**{k: ctx.number(x, mp + (k,), gt=0) for k, x in v["multipliers"].items()})
    sat = SatisfactionParams()
    if "satisfaction" in v:
        sp = path + ("satisfaction",)
        ctx.mapping(v["satisfaction"], sp, optional=("tolerance_min", "steepness"))
        sat = SatisfactionParams(**{k: ctx.number(x, sp + (k,), gt=0) for k, x in v["satisfaction"].items()})
    return ExperienceParams(occupied=occ, wait_info_shown=info, multipliers=mult, satisfaction=sat)


def _shifts(ctx, v, path, horizon) -> tuple:
    ctx.seq(v, path)
    out = []
    for i, s in enumerate(v):
        p = path + (i,)
        ctx.mapping(s, p, required=("from_min", "to_min", "servers"))
        a = ctx.number(s["from_min"], p + ("from_min",), ge=0)
        b = ctx.number(s["to_min"], p + ("to_min",), gt=a)
        n = ctx.integer(s["servers"], p + ("servers",), ge=0)
        if out and a < out[-1].to_min:
            ctx.err(p + ("from_min",), "shifts must be in time order and must not overlap")
        out.append(Shift(a, b, n))
    return tuple(out)


def _validate(d, ctx: _Ctx) -> Scenario:
    if not isinstance(d, dict):
        ctx.err((), "a scenario must be a mapping with keys like name, arrivals, stations")
    ctx.mapping(d, (), required=("arrivals", "stations"), optional=_TOP)
    name = ctx.string(d.get("name", ctx.source), ("name",)) if "name" in d else ctx.source
    horizon = ctx.number(d.get("horizon_min", 600), ("horizon_min",), gt=0)
    warmup = ctx.number(d.get("warmup_min", 0), ("warmup_min",), ge=0)
    if warmup >= horizon:
        ctx.err(("warmup_min",), f"must be less than horizon_min ({horizon:g})")
    reps = ctx.integer(d.get("replications", 30), ("replications",), ge=1)
    seed = ctx.integer(d.get("seed", 1), ("seed",), ge=0)

    # stations first: customer classes refer to them by name
    stations_raw = ctx.seq(d["stations"], ("stations",))
    exp = _experience(ctx, d.get("experience"))
    stations, names = [], {}
    for i, s in enumerate(stations_raw):
        p = ("stations", i)
        ctx.mapping(s, p, required=("name", "service_min"),
                    optional=("servers", "shifts", "cycle_min", "allow_reneging", "experience",
                              "balk_at_queue_length"))
        nm = ctx.string(s["name"], p + ("name",))
        if nm in names:
            ctx.err(p + ("name",), f"duplicate station name '{nm}'")
        names[nm] = i
        if ("servers" in s) == ("shifts" in s):
            ctx.err(p, "give exactly one of 'servers' or 'shifts'")
        if "servers" in s:
            n = ctx.integer(s["servers"], p + ("servers",), ge=1)
            shifts = (Shift(0.0, math.inf, n),)
            if "cycle_min" in s:
                ctx.err(p + ("cycle_min",), "only allowed together with 'shifts'")
            cycle = None
        else:
            shifts = _shifts(ctx, s["shifts"], p + ("shifts",), horizon)
            cycle = None
            if "cycle_min" in s:
                cycle = ctx.number(s["cycle_min"], p + ("cycle_min",), gt=0)
                if shifts[-1].to_min > cycle:
                    ctx.err(p + ("cycle_min",), "must be >= the end of the last shift")
        service = ctx.dist(s["service_min"], p + ("service_min",))
        ren = ctx.boolean(s.get("allow_reneging", True), p + ("allow_reneging",))
        occ, info = exp.occupied, exp.wait_info_shown
        if "experience" in s:
            ep = p + ("experience",)
            ctx.mapping(s["experience"], ep, optional=("occupied", "wait_info_shown"))
            if "occupied" in s["experience"]:
                occ = _occupied(ctx, s["experience"]["occupied"], ep + ("occupied",), occ)
            if "wait_info_shown" in s["experience"]:
                info = ctx.boolean(s["experience"]["wait_info_shown"], ep + ("wait_info_shown",))
        balk = None
        if "balk_at_queue_length" in s:
            balk = ctx.integer(s["balk_at_queue_length"], p + ("balk_at_queue_length",), ge=0)
        stations.append(Station(nm, shifts, cycle, service, ren, occ, info, balk))

    # arrivals
    ap = ("arrivals",)
    a = ctx.mapping(d["arrivals"], ap, optional=("rate_per_hour", "schedule", "cycle_min",
                                                 "group_size", "appointments"))
    if "rate_per_hour" in a and "schedule" in a:
        ctx.err(ap, "give either 'rate_per_hour' or 'schedule', not both")
    if not any(k in a for k in ("rate_per_hour", "schedule", "appointments")):
        ctx.err(ap, "give 'rate_per_hour', 'schedule' or 'appointments'")
    rate = ctx.number(a["rate_per_hour"], ap + ("rate_per_hour",), ge=0) if "rate_per_hour" in a else None
    schedule, sched_cycle = (), None
    if "schedule" in a:
        pieces = []
        for i, r in enumerate(ctx.seq(a["schedule"], ap + ("schedule",))):
            p = ap + ("schedule", i)
            ctx.mapping(r, p, required=("from_min", "to_min", "rate_per_hour"))
            f = ctx.number(r["from_min"], p + ("from_min",), ge=0)
            t = ctx.number(r["to_min"], p + ("to_min",), gt=f)
            if pieces and f < pieces[-1].to_min:
                ctx.err(p + ("from_min",), "schedule must be in time order and must not overlap")
            pieces.append(RatePiece(f, t, ctx.number(r["rate_per_hour"], p + ("rate_per_hour",), ge=0)))
        schedule = tuple(pieces)
    if "cycle_min" in a:
        if not schedule:
            ctx.err(ap + ("cycle_min",), "only allowed together with 'schedule'")
        sched_cycle = ctx.number(a["cycle_min"], ap + ("cycle_min",), gt=0)
        if schedule[-1].to_min > sched_cycle:
            ctx.err(ap + ("cycle_min",), "must be >= the end of the last schedule piece")
    group = ctx.dist(a["group_size"], ap + ("group_size",)) if "group_size" in a else None
    if group is not None and group.mean < 1:
        ctx.err(ap + ("group_size",), "group sizes are rounded to whole people >= 1; mean must be >= 1")

    # customers and classes
    cp = ("customers",)
    c = d.get("customers", {}) or {}
    ctx.mapping(c, cp, optional=("patience_min", "patience_is_perceived", "balk_at_queue_length",
                                 "balk_probability", "classes"))
    pat_perceived = ctx.boolean(c.get("patience_is_perceived", False), cp + ("patience_is_perceived",))
    patience = ctx.dist(c["patience_min"], cp + ("patience_min",)) if "patience_min" in c else None
    balk = ctx.integer(c["balk_at_queue_length"], cp + ("balk_at_queue_length",), ge=0) \
        if "balk_at_queue_length" in c else None
    balk_prob = []
    if "balk_probability" in c:
        for i, r in enumerate(ctx.seq(c["balk_probability"], cp + ("balk_probability",))):
            p = cp + ("balk_probability", i)
            ctx.mapping(r, p, required=("queue_length", "probability"))
            q = ctx.integer(r["queue_length"], p + ("queue_length",), ge=0)
            pr = ctx.number(r["probability"], p + ("probability",), ge=0, le=1)
            if balk_prob and q <= balk_prob[-1][0]:
                ctx.err(p + ("queue_length",), "must increase from one entry to the next")
            balk_prob.append((q, pr))
    classes = []
    all_route = tuple(range(len(stations)))
    if "classes" in c:
        seen = set()
        for i, k in enumerate(ctx.seq(c["classes"], cp + ("classes",))):
            p = cp + ("classes", i)
            ctx.mapping(k, p, required=("name",), optional=("share", "priority", "route", "skip",
                                                           "patience_min", "balk_at_queue_length",
                                                           "service_min"))
            nm = ctx.string(k["name"], p + ("name",))
            if nm in seen:
                ctx.err(p + ("name",), f"duplicate class name '{nm}'")
            seen.add(nm)
            share = ctx.number(k.get("share", 0), p + ("share",), ge=0, le=1)
            prio = ctx.integer(k.get("priority", 0), p + ("priority",))
            if "route" in k and "skip" in k:
                ctx.err(p, "give either 'route' or 'skip', not both")
            route = all_route
            if "route" in k:
                route = []
                for j, sn in enumerate(ctx.seq(k["route"], p + ("route",))):
                    if not isinstance(sn, str) or sn not in names:
                        ctx.err(p + ("route", j), f"unknown station '{sn}'")
                    if names[sn] in route:
                        ctx.err(p + ("route", j), f"station '{sn}' appears twice")
                    route.append(names[sn])
                route = tuple(route)
            elif "skip" in k:
                skip = set()
                for j, sn in enumerate(ctx.seq(k["skip"], p + ("skip",))):
                    if not isinstance(sn, str) or sn not in names:
                        ctx.err(p + ("skip", j), f"unknown station '{sn}'")
                    skip.add(names[sn])
                route = tuple(x for x in all_route if x not in skip)
                if not route:
                    ctx.err(p + ("skip",), "a class must visit at least one station")
            pat = ctx.dist(k["patience_min"], p + ("patience_min",)) if "patience_min" in k else patience
            kb = ctx.integer(k["balk_at_queue_length"], p + ("balk_at_queue_length",), ge=0) \
                if "balk_at_queue_length" in k else balk
            overrides = []
            if "service_min" in k:
                sp = p + ("service_min",)
                ctx.mapping(k["service_min"], sp, optional=tuple(names))
                for sn, dv in k["service_min"].items():
                    overrides.append((names[sn], ctx.dist(dv, sp + (sn,))))
            classes.append(CustomerClass(nm, share, prio, route, pat, kb, tuple(overrides)))
        total = sum(k.share for k in classes)
        if any(k.share > 0 for k in classes) and abs(total - 1) > 1e-6 and ("rate_per_hour" in a or schedule):
            ctx.err(cp + ("classes",), f"shares must add up to 1 (they add up to {total:g})")
    else:
        classes.append(CustomerClass("all", 1.0, 0, all_route, patience, balk, ()))

    appts = None
    if "appointments" in a:
        p = ap + ("appointments",)
        r = ctx.mapping(a["appointments"], p, required=("every_min",),
                        optional=("start_min", "end_min", "per_slot", "no_show_prob", "lateness_min",
                                  "class"))
        st = ctx.number(r.get("start_min", 0), p + ("start_min",), ge=0)
        en = ctx.number(r.get("end_min", horizon), p + ("end_min",), gt=st)
        ev = ctx.number(r["every_min"], p + ("every_min",), gt=0)
        ps = ctx.integer(r.get("per_slot", 1), p + ("per_slot",), ge=1)
        ns = ctx.number(r.get("no_show_prob", 0), p + ("no_show_prob",), ge=0, le=1)
        late = ctx.dist(r["lateness_min"], p + ("lateness_min",)) if "lateness_min" in r else None
        ci = 0
        if "class" in r:
            cnames = [k.name for k in classes]
            if r["class"] not in cnames:
                ctx.err(p + ("class",), f"unknown customer class '{r['class']}'")
            ci = cnames.index(r["class"])
        appts = Appointments(st, en, ev, ps, ns, late, ci)
    elif classes and (rate is not None or schedule) and sum(k.share for k in classes) <= 0:
        ctx.err(cp + ("classes",), "shares must add up to 1")

    thresholds = ()
    if "report" in d:
        rp = ("report",)
        ctx.mapping(d["report"], rp, optional=("wait_over_min",))
        if "wait_over_min" in d["report"]:
            vals = ctx.seq(d["report"]["wait_over_min"], rp + ("wait_over_min",))
            thresholds = tuple(ctx.number(v, rp + ("wait_over_min", i), ge=0) for i, v in enumerate(vals))

    # the spec we keep is the validated input with run settings made explicit
    spec = dict(d)
    spec.update(name=name, horizon_min=d.get("horizon_min", 600), warmup_min=d.get("warmup_min", 0),
                replications=reps, seed=seed)
    order = {k: i for i, k in enumerate(_TOP)}
    spec = {k: spec[k] for k in sorted(spec, key=order.get)}
    return Scenario(name=name, horizon_min=horizon, warmup_min=warmup, replications=reps, seed=seed,
                    rate_per_hour=rate, schedule=schedule, schedule_cycle_min=sched_cycle,
                    group_size=group, appointments=appts, balk_probability=tuple(balk_prob),
                    classes=tuple(classes), stations=tuple(stations), experience=exp,
                    wait_over_min=thresholds, patience_is_perceived=pat_perceived, spec=spec)
