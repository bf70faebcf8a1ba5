"""The engine: one replication of a store on a SimPy Environment.

Why it looks unlike a textbook SimPy model: a generator process plus a
Resource request per customer costs ~10 SimPy events and several objects, and
keeps us near plain-SimPy speed (~90k customers/s).  Here the SimPy
Environment is still the clock and event queue, but customers are driven by
event *callbacks*: one event per arrival (the next arrival is scheduled from
the callback), one per service completion, one per patience timer when
reneging is on.  Stations are counters plus a deque; random variates come in
pre-drawn NumPy blocks per purpose (so common random numbers line up between
scenarios); statistics are folded into running sums and a log histogram, so
memory does not grow with customers unless a trace is asked for.
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from .distributions import Stream
from .engine_parts import _Cust, _Ev, _ExpStream, _Station, _UStream
from .experience import satisfaction_from_perceived
from .scenario import Scenario
from .stats import LogHistogram

__all__ = ["run_once", "TRACE_COLUMNS"]

_FLUSH = 8192

TRACE_COLUMNS = ("customer", "class", "arrival_min", "after_warmup", "outcome", "wait_min",
                 "time_in_system_min", "perceived_wait_min", "satisfaction", "station_waits")

# stable spawn keys per purpose: adding a server or a class does not shift other streams
_K_GAPS, _K_THIN, _K_CLASS, _K_GROUP, _K_PATIENCE, _K_BALK, _K_APPT = range(1, 8)


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


class _Replication:
    """Arrival sources, outcome counters and streaming buffers for one run."""

    def __init__(self, sc: Scenario, seed: int, trace: list | None):
        self.sc, self.seed, self.trace = sc, seed, trace
        self.env = simpy.Environment()
        self.warmup = sc.warmup_min
        self.next_id = 0
        ncls = len(sc.classes)
        self.arrived = [0] * ncls
        self.balked = [0] * ncls
        self.reneged = [0] * ncls
        self.buf_w, self.buf_t, self.buf_p, self.buf_c = [], [], [], []
        self.hist = LogHistogram()
        self.sum_w = self.sum_t = self.sum_p = self.sum_s = 0.0
        self.n_served = 0
        self.over = [0] * len(sc.wait_over_min)
        self.cls_n = np.zeros(ncls, np.int64)
        self.cls_w = np.zeros(ncls)
        self.cls_p = np.zeros(ncls)
        self.cls_s = np.zeros(ncls)
        self.live = {} if trace is not None else None

        # stations: queue level per class from distinct priorities (lower first)
        prios = sorted({k.priority for k in sc.classes})
        level = {i: prios.index(k.priority) for i, k in enumerate(sc.classes)}
        self.stations = []
        for si, st in enumerate(sc.stations):
            pats = {i: (Stream(k.patience, _rng(seed, _K_PATIENCE, si, i)) if k.patience else None)
                    for i, k in enumerate(sc.classes)}
            self.stations.append(_Station(self, st, level, sc.multipliers(st), pats))
        # per class: station objects on the route and the service stream for each stop
        self.routes, self.svc_streams = [], []
        default = [Stream(st.service, _rng(seed, 100 + si)) for si, st in enumerate(sc.stations)]
        for ci, k in enumerate(sc.classes):
            over = dict(k.service)
            self.routes.append(tuple(self.stations[s] for s in k.route))
            self.svc_streams.append(tuple(
                Stream(over[s], _rng(seed, 1000 + 100 * ci + s)) if s in over else default[s]
                for s in k.route))
        shares = np.array([k.share for k in sc.classes], dtype=float)
        if ncls > 1 and shares.sum() > 0:
            self.cum_shares = np.cumsum(shares / shares.sum()).tolist()
            self.class_u = _UStream(_rng(seed, _K_CLASS))
        self.balk_u = _UStream(_rng(seed, _K_BALK))
        self.group = Stream(sc.group_size, _rng(seed, _K_GROUP)) if sc.group_size else None

    # -- outcomes
    def balk(self, c):
        if c.measured:
            self.balked[c.cls] += 1
        if self.live is not None:
            self._trace(c, "balked", self.env._now)

    def renege(self, c):
        if c.measured:
            self.reneged[c.cls] += 1
        if self.live is not None:
            self._trace(c, "reneged", self.env._now)

    def depart(self, c, now):
        if c.measured:
            self.buf_w.append(c.wait)
            self.buf_t.append(now - c.t_arr)
            self.buf_p.append(c.perceived)
            self.buf_c.append(c.cls)
            if len(self.buf_w) >= _FLUSH:
                self.flush()
        if self.live is not None:
            self._trace(c, "served", now)

    def _trace(self, c, outcome, now):
        self.live.pop(c.id, None)
        sat = float(satisfaction_from_perceived(c.perceived, self.sc.experience.satisfaction)) \
            if outcome == "served" else ""
        tis = now - c.t_arr if outcome == "served" else ""
        waits = ";".join(f"{n}:{w:.4f}" for n, w in c.waits)
        self.trace.append((c.id, self.sc.classes[c.cls].name, round(c.t_arr, 4), int(c.measured),
                           outcome, round(c.wait, 4), tis if tis == "" else round(tis, 4),
                           round(c.perceived, 4), sat if sat == "" else round(sat, 3), waits))

    def flush(self):
        if not self.buf_w:
            return
        w = np.array(self.buf_w)
        p = np.array(self.buf_p)
        s = satisfaction_from_perceived(p, self.sc.experience.satisfaction)
        cls = np.array(self.buf_c, dtype=np.int64)
        n = len(self.sc.classes)
        self.n_served += w.size
        self.sum_w += float(w.sum())
        self.sum_t += float(np.sum(self.buf_t))
        self.sum_p += float(p.sum())
        self.sum_s += float(np.sum(s))
        self.cls_n += np.bincount(cls, minlength=n)
        self.cls_w += np.bincount(cls, weights=w, minlength=n)
        self.cls_p += np.bincount(cls, weights=p, minlength=n)
        self.cls_s += np.bincount(cls, weights=s, minlength=n)
        for i, t in enumerate(self.sc.wait_over_min):
            self.over[i] += int((w > t).sum())
        self.hist.add_many(w)
        self.buf_w, self.buf_t, self.buf_p, self.buf_c = [], [], [], []

    # -- arrivals
    def new_customers(self, now, n, cls=None):
        cum = getattr(self, "cum_shares", None)
        measured = now >= self.warmup
        for _ in range(n):
            if cls is None:
                if cum is None:
                    ci = 0
                else:
                    u = self.class_u()
                    ci = 0
                    while ci < len(cum) - 1 and u >= cum[ci]:
                        ci += 1
            else:
                ci = cls
            k = self.sc.classes[ci]
            route = self.routes[ci]
            svc = [s() for s in self.svc_streams[ci]]
            c = _Cust(self.next_id, ci, now, route, svc, measured)
            self.next_id += 1
            if measured:
                self.arrived[ci] += 1
            if self.live is not None:
                c.waits = []
                self.live[c.id] = c
            first = route[0]
            if first.qlen or first.busy >= first.cap:
                q = first.qlen
                if k.balk_at_queue_length is not None and q >= k.balk_at_queue_length:
                    self.balk(c)
                    continue
                if self.sc.balk_probability:
                    p = 0.0
                    for ql, pr in self.sc.balk_probability:
                        if q >= ql:
                            p = pr
                    if p > 0 and self.balk_u() < p:
                        self.balk(c)
                        continue
            first.enter(c, now)

    def start(self):
        sc, env, seed = self.sc, self.env, self.seed
        lam = sc.max_rate_per_min()
        if lam > 0:
            gaps = _ExpStream(_rng(seed, _K_GAPS), 1.0 / lam)
            constant = sc.rate_per_hour is not None
            thin_u = _UStream(_rng(seed, _K_THIN))
            group = self.group

            def arrival(ev):
                now = env._now
                _Ev(env, gaps(), None, arrival)
                if not constant and thin_u() * lam >= sc.rate_at(now):
                    return   # thinning: a candidate from the peak-rate process is rejected
                n = 1 if group is None else max(1, int(round(group())))
                if n == 1 and self.live is None and getattr(self, "cum_shares", None) is None:
                    self._one(now)
                else:
                    self.new_customers(now, n)

            _Ev(env, gaps(), None, arrival)
        if sc.appointments is not None:
            times = self._appointment_times()
            cls = sc.appointments.customer_class
            it = iter(times)

            def appt(ev):
                self.new_customers(env._now, 1, cls)
                nxt = next(it, None)
                if nxt is not None:
                    _Ev(env, nxt - env._now, None, appt)

            first = next(it, None)
            if first is not None:
                _Ev(env, first, None, appt)
        for st in self.stations:
            self._schedule_shifts(st)
        if self.warmup > 0:
            def warm(ev):
                for st in self.stations:
                    st.reset_areas(env._now)
            _Ev(env, self.warmup, None, warm)

    def _one(self, now):
        """Fast path of new_customers for the common single-class, single-arrival case."""
        route = self.routes[0]
        c = _Cust(self.next_id, 0, now, route, [s() for s in self.svc_streams[0]], now >= self.warmup)
        self.next_id += 1
        if c.measured:
            self.arrived[0] += 1
        first = route[0]
        if first.qlen or first.busy >= first.cap:
            k = self.sc.classes[0]
            if k.balk_at_queue_length is not None and first.qlen >= k.balk_at_queue_length:
                self.balk(c)
                return
            if self.sc.balk_probability:
                self.new_customers_balk_prob(c, first)
                return
        first.enter(c, now)

    def new_customers_balk_prob(self, c, first):
        p = 0.0
        for ql, pr in self.sc.balk_probability:
            if first.qlen >= ql:
                p = pr
        if p > 0 and self.balk_u() < p:
            self.balk(c)
        else:
            first.enter(c, self.env._now)

    def _appointment_times(self):
        a = self.sc.appointments
        rng = _rng(self.seed, _K_APPT)
        slots = np.arange(a.start_min, a.end_min, a.every_min)
        t = np.repeat(slots, a.per_slot)
        t = t[rng.random(t.size) >= a.no_show_prob]
        if a.lateness is not None and t.size:
            t = t + np.asarray(a.lateness.sample(rng, t.size), dtype=float)
        return np.sort(t[t < self.sc.horizon_min]).tolist()

    def _schedule_shifts(self, st):
        spec, env, horizon = st.spec, self.env, self.sc.horizon_min
        changes = []
        period = spec.cycle_min or math.inf
        base = 0.0
        while base < horizon:
            for s in spec.shifts:
                for t in (base + s.from_min, base + s.to_min):
                    if 0 < t < horizon:
                        changes.append(t)
            base += period
        for t in sorted(set(changes)):
            n = spec.servers_at(t)
            _Ev(env, t, n, lambda ev, st=st: st.set_capacity(ev._value))

    # -- result
    def result(self) -> dict:
        sc, H = self.sc, self.sc.horizon_min
        self.flush()
        for st in self.stations:
            st.close_areas(H)
        window = H - sc.warmup_min
        arrived, served = sum(self.arrived), self.n_served
        balked, reneged = sum(self.balked), sum(self.reneged)

        def ratio(a, b):
            return a / b if b else None

        stations = {}
        for st in self.stations:
            avail = st.spec.staff_minutes(H) - st.spec.staff_minutes(sc.warmup_min)
            stations[st.spec.name] = {
                "served": st.served,
                "wait_mean": ratio(st.wait_sum, st.served),
                "utilization": ratio(st.b_area, avail),
                "queue_length_mean": st.q_area / window,
                "staff_hours": st.spec.staff_minutes(H) / 60.0,
            }
        classes = {}
        for i, k in enumerate(sc.classes):
            n = int(self.cls_n[i])
            classes[k.name] = {
                "arrived": self.arrived[i], "served": n, "balked": self.balked[i],
                "reneged": self.reneged[i],
                "wait_mean": ratio(float(self.cls_w[i]), n),
                "perceived_wait_mean": ratio(float(self.cls_p[i]), n),
                "satisfaction_mean": ratio(float(self.cls_s[i]), n),
            }
        h = self.hist
        out = {
            "seed": self.seed,
            "arrived": arrived, "served": served, "balked": balked, "reneged": reneged,
            "in_system_at_end": arrived - served - balked - reneged,
            "wait_mean": ratio(self.sum_w, served),
            "wait_p50": h.quantile(0.5), "wait_p90": h.quantile(0.9), "wait_p95": h.quantile(0.95),
            "time_in_system_mean": ratio(self.sum_t, served),
            "abandonment_rate": ratio(reneged, arrived),
            "lost_rate": ratio(balked + reneged, arrived),
            "perceived_wait_mean": ratio(self.sum_p, served),
            "satisfaction_mean": ratio(self.sum_s, served),
            "wait_over": {f"{t:g}": ratio(self.over[i], served) for i, t in enumerate(sc.wait_over_min)},
            "stations": stations,
            "classes": classes,
            "staff_hours": sum(s["staff_hours"] for s in stations.values()),
            "histogram": h.to_dict(),
        }
        if self.live is not None:
            for c in list(self.live.values()):
                self._trace(c, "in_system", H)
        return out



def run_once(scenario: Scenario, seed: int, trace: list | None = None) -> dict:
    """One replication; pure function of (scenario, seed), safe to ship to a process pool.

    Returns plain per-replication numbers (means over customers) plus the wait
    histogram.  If ``trace`` is a list, one tuple per customer (TRACE_COLUMNS)
    is appended to it.
    """
    rep = _Replication(scenario, int(seed), trace)
    rep.start()
    rep.env.run(until=scenario.horizon_min)
    return rep.result()
