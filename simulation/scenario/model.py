"""What a scenario is: frozen dataclasses the engine reads, built only by the validator.

Kept apart from the loader (like ``checklists.model`` and ``checklists.loader``)
so that the engine and the staffing search need no YAML.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

from .. import distributions as D
from ..experience import ExperienceParams, Occupied, wait_multiplier

__all__ = ["Scenario", "Station", "Shift", "CustomerClass", "RatePiece", "Appointments", "ScenarioError"]


class ScenarioError(ValueError):
    """A bad scenario; ``.message`` is one line, located as file:line: path: problem."""

    def __init__(self, message: str):
        # user text (keys, names) is echoed back; keep the promise of one line
        message = "\\n".join(message.splitlines())
        super().__init__(message)
        self.message = message


# ----------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Shift:
    from_min: float
    to_min: float
    servers: int


@dataclass(frozen=True)
class RatePiece:
    from_min: float
    to_min: float
    rate_per_hour: float


@dataclass(frozen=True)
class Station:
    name: str
    shifts: tuple            # of Shift; a fixed ``servers: n`` becomes one endless shift
    cycle_min: float | None  # shifts repeat with this period (Ciw-style cyclic schedule)
    service: D.Distribution
    allow_reneging: bool
    occupied: Occupied
    wait_info_shown: bool
    balk_at_queue_length: int | None

    def servers_at(self, t: float) -> int:
        if self.cycle_min:
            t = t % self.cycle_min
        for s in self.shifts:
            if s.from_min <= t < s.to_min:
                return s.servers
        return 0

    def staff_minutes(self, horizon: float) -> float:
        """Server-minutes available in [0, horizon]."""
        total, start = 0.0, 0.0
        period = self.cycle_min or math.inf
        while start < horizon:
            for s in self.shifts:
                a, b = start + s.from_min, min(start + s.to_min, horizon)
                if b > a:
                    total += s.servers * (b - a)
            start += period
        return total


@dataclass(frozen=True)
class CustomerClass:
    name: str
    share: float
    priority: int              # lower is served first (non-preemptive)
    route: tuple               # station indices, in visiting order
    patience: D.Distribution | None
    balk_at_queue_length: int | None
    service: tuple             # (station index, Distribution) overrides


@dataclass(frozen=True)
class Appointments:
    start_min: float
    end_min: float
    every_min: float
    per_slot: int
    no_show_prob: float
    lateness: D.Distribution | None
    customer_class: int        # index into Scenario.classes


@dataclass(frozen=True)
class Scenario:
    name: str
    horizon_min: float
    warmup_min: float
    replications: int
    seed: int
    rate_per_hour: float | None
    schedule: tuple            # of RatePiece
    schedule_cycle_min: float | None
    group_size: D.Distribution | None
    appointments: Appointments | None
    balk_probability: tuple    # ((queue_length, probability), ...) ascending
    classes: tuple             # of CustomerClass
    stations: tuple            # of Station
    experience: ExperienceParams
    wait_over_min: tuple       # thresholds for the share-waiting-longer-than metric
    patience_is_perceived: bool = False
    spec: dict = field(default=None, compare=False, repr=False, hash=False)

    def max_rate_per_min(self) -> float:
        if self.rate_per_hour is not None:
            return self.rate_per_hour / 60.0
        return max((p.rate_per_hour for p in self.schedule), default=0.0) / 60.0

    def rate_at(self, t: float) -> float:
        """Poisson arrival rate (per minute) at time t."""
        if self.rate_per_hour is not None:
            return self.rate_per_hour / 60.0
        if self.schedule_cycle_min:
            t = t % self.schedule_cycle_min
        for p in self.schedule:
            if p.from_min <= t < p.to_min:
                return p.rate_per_hour / 60.0
        return 0.0

    def multipliers(self, station: Station) -> tuple:
        """(pre-process, in-process) perceived-per-actual factor at a station."""
        m = self.experience.multipliers
        return (wait_multiplier(True, station.occupied, station.wait_info_shown, m),
                wait_multiplier(False, station.occupied, station.wait_info_shown, m))

    def with_overrides(self, replications=None, seed=None) -> "Scenario":
        spec = copy.deepcopy(self.spec)
        if replications is not None:
            spec["replications"] = replications
        if seed is not None:
            spec["seed"] = seed
        from .loader import scenario_from_dict   # the validator builds Scenarios: import when used
        return scenario_from_dict(spec, source=self.name)
