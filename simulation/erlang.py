"""Erlang B, C and A: closed forms the staffing search starts from (and tests check against).

Pure functions of an arrival rate ``lam`` (per minute), a service rate ``mu``
(per minute, 1 / mean service), ``c`` servers and, for Erlang A, an
abandonment rate ``theta`` (1 / mean patience).  They describe a stationary
queue; a store's day is not stationary, which is why the staffing search
only starts from them and lets the simulation decide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["erlang_b", "erlang_c", "mmc_mean_wait", "mmc_wait_tail", "mmc_wait_quantile",
           "ErlangA", "erlang_a", "erlang_a_wait_quantile", "expected_satisfaction"]


def erlang_b(c: int, a: float) -> float:
    """Blocking probability of M/M/c/c with offered load ``a`` = lam/mu (stable recursion)."""
    b = 1.0
    for k in range(1, int(c) + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """P(an arrival waits) in M/M/c; 1.0 when the queue is unstable (a >= c)."""
    if c <= 0 or a >= c:
        return 1.0
    if a <= 0:
        return 0.0
    b = erlang_b(c, a)
    return c * b / (c - a * (1 - b))


def mmc_mean_wait(c: int, lam: float, mu: float) -> float:
    """Mean queueing time in M/M/c (minutes); inf when unstable."""
    if lam <= 0:
        return 0.0
    if c * mu <= lam:
        return math.inf
    return erlang_c(c, lam / mu) / (c * mu - lam)


def mmc_wait_tail(c: int, lam: float, mu: float, t: float) -> float:
    """P(W > t) in M/M/c: C(c, a) * exp(-(c mu - lam) t)."""
    if lam <= 0:
        return 0.0
    if c * mu <= lam:
        return 1.0
    return erlang_c(c, lam / mu) * math.exp(-(c * mu - lam) * t)


def mmc_wait_quantile(c: int, lam: float, mu: float, q: float) -> float:
    """The q-quantile of the wait in M/M/c (0 when fewer than 1 - q of arrivals wait)."""
    if lam <= 0:
        return 0.0
    if c * mu <= lam:
        return math.inf
    pw = erlang_c(c, lam / mu)
    if pw <= 1 - q:
        return 0.0
    return math.log(pw / (1 - q)) / (c * mu - lam)


@dataclass(frozen=True)
class ErlangA:
    """Stationary M/M/c+M: P(wait), P(abandon), mean time in queue of all arrivals, utilisation."""

    p_wait: float
    p_abandon: float
    mean_wait: float
    utilisation: float
    queue_probs: tuple      # P(an arrival finds j others waiting), j = 0, 1, ... (given it waits or not)


def erlang_a(c: int, lam: float, mu: float, theta: float, tol: float = 1e-13) -> ErlangA:
    """Birth-death chain of M/M/c+M (Palm), truncated where the probabilities vanish."""
    if lam <= 0:
        return ErlangA(0.0, 0.0, 0.0, 0.0, ())
    if theta <= 0:
        if c * mu <= lam:
            return ErlangA(1.0, 0.0, math.inf, 1.0, ())
        theta = 1e-12
    logp = [0.0]
    n = 0
    while True:
        n += 1
        death = min(n, c) * mu + max(n - c, 0) * theta
        logp.append(logp[-1] + math.log(lam / death))
        if n > c and (logp[-1] < max(logp) + math.log(tol) or n > c + 100_000):
            break
    lp = np.array(logp)
    p = np.exp(lp - lp.max())
    p /= p.sum()
    states = np.arange(p.size)
    queue = np.maximum(states - c, 0)
    eq = float((p * queue).sum())
    busy = float((p * np.minimum(states, c)).sum())
    return ErlangA(p_wait=float(p[c:].sum()), p_abandon=theta * eq / lam, mean_wait=eq / lam,
                   utilisation=busy / c if c else 1.0, queue_probs=tuple(p[c:].tolist()))


def _erlang_a_queue_tail(c, mu, theta, queue_probs, grid):
    """P(an arrival is still waiting t minutes later), for every t in ``grid``.

    An arrival finding j waiting needs j + 1 departures from the queue ahead
    of it, at rates c mu + j theta, ..., c mu, and leaves itself at rate
    theta: uniformisation of that pure-death chain, one pass for all t.
    """
    pq = np.asarray(queue_probs, dtype=float)
    if pq.size == 0:
        return np.zeros(len(grid))
    rates = c * mu + theta * np.arange(pq.size)
    big = float(rates[-1])
    tmax = float(max(grid))
    steps = int(big * tmax + 12 * math.sqrt(big * tmax + 1) + 20)
    stay = 1 - rates / big
    move = rates[1:] / big
    v = pq.copy()
    alive = np.empty(steps + 1)
    alive[0] = v.sum()
    for m in range(1, steps + 1):
        nxt = v * stay
        nxt[:-1] += v[1:] * move
        v = nxt
        alive[m] = v.sum()
    grid = np.asarray(grid, dtype=float)
    lgam = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, steps + 1)))])
    lt = np.maximum(big * grid, 1e-300)[:, None]
    weights = np.exp(np.arange(steps + 1)[None, :] * np.log(lt) - lt - lgam[None, :])
    out = (weights @ alive) * np.exp(-theta * grid)
    out[grid == 0] = alive[0]
    return out


def erlang_a_wait_quantile(c: int, lam: float, mu: float, theta: float, q: float,
                           model: ErlangA | None = None) -> float:
    """Approximate q-quantile of time in queue in M/M/c+M (over all arrivals, on a 0.05-min grid)."""
    m = model or erlang_a(c, lam, mu, theta)
    if m.p_wait <= 1 - q:
        return 0.0
    grid = np.arange(0.0, 60.0 + 1e-9, 0.05)
    tail = _erlang_a_queue_tail(c, mu, theta, m.queue_probs, grid)
    below = np.nonzero(tail <= 1 - q)[0]
    return float(grid[below[0]]) if below.size else math.inf


def expected_satisfaction(c: int, lam: float, mu: float, multiplier: float, params) -> float:
    """Mean satisfaction of the M/M/c wait felt as ``multiplier`` x the wait (served customers)."""
    from .experience import satisfaction_from_perceived
    if lam <= 0:
        return 100.0
    if c * mu <= lam:
        return 0.0
    pw, r = erlang_c(c, lam / mu), c * mu - lam
    w = np.linspace(0, 40 / r, 4001)
    dens = r * np.exp(-r * w)
    s = np.asarray(satisfaction_from_perceived(multiplier * w, params))
    zero = float(satisfaction_from_perceived(0.0, params))
    integral = float(np.sum((s[1:] * dens[1:] + s[:-1] * dens[:-1]) / 2 * np.diff(w)))
    return (1 - pw) * zero + pw * integral
