"""The engine's parts: a bare event, a customer, a station, block-drawn variates.

``model.py`` puts them together into one replication; they live apart so each
file stays readable. Performance notes are in ``model.py``'s docstring.
"""

from __future__ import annotations

from collections import deque

from simpy.events import NORMAL, Event


class _Ev(Event):
    """A Timeout without the checks: delay >= 0 is guaranteed by construction."""

    def __init__(self, env, delay, value, callback):
        self.env = env
        self.callbacks = [callback]
        self._value = value
        self._ok = True
        env.schedule(self, NORMAL, delay)


class _Cust:
    __slots__ = ("id", "cls", "t_arr", "route", "svc", "pos", "t_q", "queued", "wait", "perceived",
                 "measured", "waits")

    def __init__(self, cid, cls, t_arr, route, svc, measured):
        self.id = cid
        self.cls = cls
        self.t_arr = t_arr
        self.route = route
        self.svc = svc
        self.pos = 0
        self.t_q = t_arr
        self.queued = None
        self.wait = 0.0
        self.perceived = 0.0
        self.measured = measured
        self.waits = None


class _Station:
    """Servers + priority queues of one station; counters, no per-customer state kept."""

    __slots__ = ("rep", "env", "spec", "cap", "busy", "queues", "level", "qlen", "q_area", "q_last",
                 "b_area", "b_last", "served", "wait_sum", "mult_pre", "mult_in", "patience",
                 "renege_ok", "balk_at", "pat_pre", "pat_in")

    def __init__(self, rep, spec, levels, mults, patience_streams):
        self.rep = rep
        self.env = rep.env
        self.spec = spec
        self.cap = spec.servers_at(0.0)
        self.busy = 0
        self.queues = [deque() for _ in range(max(levels.values(), default=0) + 1)]
        self.level = levels          # class index -> queue level
        self.qlen = 0
        self.q_area = self.b_area = 0.0
        self.q_last = self.b_last = 0.0
        self.served = 0
        self.wait_sum = 0.0
        self.mult_pre, self.mult_in = mults
        self.patience = patience_streams   # class index -> Stream or None
        self.renege_ok = spec.allow_reneging
        self.balk_at = spec.balk_at_queue_length
        # patience counted in perceived minutes: a queue that feels shorter is tolerated longer
        scaled = rep.sc.patience_is_perceived
        self.pat_pre = self.mult_pre if scaled else 1.0
        self.pat_in = self.mult_in if scaled else 1.0

    # -- customer flow
    def enter(self, c, now):
        if self.qlen == 0 and self.busy < self.cap:
            c.t_q = now
            self._start(c, now)
            return
        if self.balk_at is not None and self.qlen >= self.balk_at:
            self.rep.balk(c)
            return
        self.q_area += self.qlen * (now - self.q_last)
        self.q_last = now
        self.qlen += 1
        c.t_q = now
        c.queued = self
        self.queues[self.level[c.cls]].append(c)
        if self.renege_ok:
            pat = self.patience[c.cls]
            if pat is not None:
                _Ev(self.env, pat() / (self.pat_in if c.pos else self.pat_pre), c, self._renege)

    def _start(self, c, now):
        self.b_area += self.busy * (now - self.b_last)
        self.b_last = now
        self.busy += 1
        w = now - c.t_q
        if c.measured:
            self.served += 1
            self.wait_sum += w
        if w > 0.0:
            c.wait += w
            c.perceived += w * (self.mult_in if c.pos else self.mult_pre)
        if c.waits is not None:
            c.waits.append((self.spec.name, w))
        _Ev(self.env, c.svc[c.pos], c, self._end)

    def _end(self, ev):
        c = ev._value
        now = self.env._now
        self.b_area += self.busy * (now - self.b_last)
        self.b_last = now
        self.busy -= 1
        if self.qlen and self.busy < self.cap:
            self._pull(now)
        c.pos += 1
        if c.pos < len(c.route):
            c.route[c.pos].enter(c, now)
        else:
            self.rep.depart(c, now)

    def _pull(self, now):
        while self.qlen and self.busy < self.cap:
            for q in self.queues:
                while q:
                    c = q.popleft()
                    if c.queued is self:
                        break
                else:
                    continue
                break
            self.q_area += self.qlen * (now - self.q_last)
            self.q_last = now
            self.qlen -= 1
            c.queued = None
            self._start(c, now)

    def _renege(self, ev):
        c = ev._value
        if c.queued is not self:
            return
        now = self.env._now
        self.q_area += self.qlen * (now - self.q_last)
        self.q_last = now
        self.qlen -= 1
        c.queued = None
        w = now - c.t_q
        c.wait += w
        c.perceived += w * (self.mult_in if c.pos else self.mult_pre)
        if c.waits is not None:
            c.waits.append((self.spec.name, w))
        self.rep.renege(c)

    def set_capacity(self, n):
        self.cap = n
        now = self.env._now
        if self.qlen and self.busy < n:
            self._pull(now)

    def reset_areas(self, now):
        self.q_area = self.b_area = 0.0
        self.q_last = self.b_last = now

    def close_areas(self, now):
        self.q_area += self.qlen * (now - self.q_last)
        self.b_area += self.busy * (now - self.b_last)
        self.q_last = self.b_last = now


class _UStream:
    """Uniform(0,1) variates in blocks."""

    __slots__ = ("rng", "_buf", "_i")

    def __init__(self, rng):
        self.rng, self._buf, self._i = rng, [], 0

    def __call__(self):
        i = self._i
        if i >= len(self._buf):
            self._buf = self.rng.random(4096).tolist()
            i = 0
        self._i = i + 1
        return self._buf[i]


class _ExpStream(_UStream):
    __slots__ = ("mean",)

    def __init__(self, rng, mean):
        super().__init__(rng)
        self.mean = mean

    def __call__(self):
        i = self._i
        if i >= len(self._buf):
            self._buf = self.rng.exponential(self.mean, 4096).tolist()
            i = 0
        self._i = i + 1
        return self._buf[i]
