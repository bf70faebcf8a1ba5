"""Service, patience and group-size distributions, in the style of Ciw.

Each distribution is a small class with ``sample(rng, size=None)``, ``mean``
and a readable ``__repr__``; arguments are checked on construction so a bad
scenario fails at load time, not halfway through a run.  Parameters are the
ones a planner measures (mean and standard deviation in minutes), not the
textbook shape/scale pair.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "Distribution", "Exponential", "Deterministic", "Uniform", "Triangular",
    "Lognormal", "Gamma", "Empirical", "Stream", "from_spec", "DIST_PARAMS",
]


def _num(name, value, *, positive=False, nonneg=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number")
    if abs(value) > 1e9:
        raise ValueError(f"{name} is too large")
    if positive and value <= 0:
        raise ValueError(f"{name} must be > 0")
    if nonneg and value < 0:
        raise ValueError(f"{name} must be >= 0")
    return float(value)


class Distribution:
    """Base class; subclasses implement ``sample`` and ``mean``."""

    params: tuple = ()

    def sample(self, rng: np.random.Generator, size=None):
        raise NotImplementedError

    @property
    def mean(self) -> float:
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{p}={getattr(self, p)!r}" for p in self.params)
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and all(
            getattr(self, p) == getattr(other, p) for p in self.params)

    def __hash__(self):
        return hash((type(self).__name__,) + tuple(
            tuple(v) if isinstance(v, list) else v for v in (getattr(self, p) for p in self.params)))

    def to_spec(self) -> dict:
        """The scenario-file form, so a scenario can be written back as YAML."""
        name = type(self).__name__.lower()
        return {"dist": name, **{p: getattr(self, p) for p in self.params}}


class Exponential(Distribution):
    """Memoryless times: Poisson-process gaps, M/M/c service."""

    params = ("mean",)

    def __init__(self, mean):
        self._mean = _num("mean", mean, positive=True)

    @property
    def mean(self):
        return self._mean

    def sample(self, rng, size=None):
        return rng.exponential(self._mean, size)


class Deterministic(Distribution):
    """A fixed time (M/D/1, a machine cycle, a scripted call)."""

    params = ("value",)

    def __init__(self, value):
        self.value = _num("value", value, nonneg=True)

    @property
    def mean(self):
        return self.value

    def sample(self, rng, size=None):
        if size is None:
            return self.value
        return np.full(size, self.value)


class Uniform(Distribution):
    params = ("low", "high")

    def __init__(self, low, high):
        self.low = _num("low", low, nonneg=True)
        self.high = _num("high", high, nonneg=True)
        if self.high < self.low:
            raise ValueError("high must be >= low")

    @property
    def mean(self):
        return (self.low + self.high) / 2

    def sample(self, rng, size=None):
        return rng.uniform(self.low, self.high, size)


class Triangular(Distribution):
    """Min / most likely / max: what a store manager can estimate by eye."""

    params = ("low", "mode", "high")

    def __init__(self, low, mode, high):
        self.low = _num("low", low, nonneg=True)
        self.mode = _num("mode", mode, nonneg=True)
        self.high = _num("high", high, nonneg=True)
        if not self.low <= self.mode <= self.high:
            raise ValueError("need low <= mode <= high")
        if self.low == self.high:
            raise ValueError("high must be > low")

    @property
    def mean(self):
        return (self.low + self.mode + self.high) / 3

    def sample(self, rng, size=None):
        return rng.triangular(self.low, self.mode, self.high, size)


class Lognormal(Distribution):
    """Right-skewed service times, given by their own mean and sd (minutes)."""

    params = ("mean", "sd")

    def __init__(self, mean, sd):
        self._mean = _num("mean", mean, positive=True)
        self.sd = _num("sd", sd, positive=True)
        s2 = math.log(1 + (self.sd / self._mean) ** 2)
        self._sigma = math.sqrt(s2)
        self._mu = math.log(self._mean) - s2 / 2

    @property
    def mean(self):
        return self._mean

    def sample(self, rng, size=None):
        return rng.lognormal(self._mu, self._sigma, size)


class Gamma(Distribution):
    """Service times with a coefficient of variation other than 1."""

    params = ("mean", "sd")

    def __init__(self, mean, sd):
        self._mean = _num("mean", mean, positive=True)
        self.sd = _num("sd", sd, positive=True)
        self._shape = (self._mean / self.sd) ** 2
        self._scale = self.sd ** 2 / self._mean

    @property
    def mean(self):
        return self._mean

    def sample(self, rng, size=None):
        return rng.gamma(self._shape, self._scale, size)


class Empirical(Distribution):
    """Resample observed values (stopwatch times from an audit)."""

    params = ("values",)

    def __init__(self, values):
        if not isinstance(values, (list, tuple)) or not values:
            raise ValueError("values must be a non-empty list of numbers")
        self.values = [_num("values", v, nonneg=True) for v in values]
        self._arr = np.asarray(self.values)

    @property
    def mean(self):
        return float(self._arr.mean())

    def sample(self, rng, size=None):
        idx = rng.integers(0, len(self.values), size)
        return self._arr[idx] if size is not None else float(self._arr[idx])


_CLASSES = {
    "exponential": Exponential, "deterministic": Deterministic, "uniform": Uniform,
    "triangular": Triangular, "lognormal": Lognormal, "gamma": Gamma, "empirical": Empirical,
}
#: Required parameters of each distribution name, for the scenario validator.
DIST_PARAMS = {name: cls.params for name, cls in _CLASSES.items()}


def from_spec(spec: dict) -> Distribution:
    """Build from ``{dist: name, **params}``; raises ValueError/KeyError on misuse."""
    name = spec["dist"]
    cls = _CLASSES[name]
    return cls(**{k: v for k, v in spec.items() if k != "dist"})


class Stream:
    """Pre-drawn block of variates: one NumPy call per 4096 customers, not per customer."""

    __slots__ = ("dist", "rng", "block", "_buf", "_i")

    def __init__(self, dist: Distribution, rng: np.random.Generator, block: int = 4096):
        self.dist, self.rng, self.block = dist, rng, block
        self._buf: list = []
        self._i = 0

    def __call__(self) -> float:
        i = self._i
        if i >= len(self._buf):
            self._buf = np.asarray(self.dist.sample(self.rng, self.block), dtype=float).tolist()
            i = 0
        self._i = i + 1
        return self._buf[i]
