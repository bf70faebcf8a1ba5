"""How a wait feels: actual queueing minutes -> perceived minutes -> 0-100 score.

perceived = sum over queues of  wait * stage * occupied * information

* stage: a wait before the service has started at all ("pre-process", the
  first queue of the visit) feels longer than one after it has started
  (Maister 1985, proposition 2; Dube-Rioux, Schmitt & Leclerc 1989).
* occupied: filled time feels shorter than empty time (Maister 1985, prop. 1;
  Katz, Larson & Larson 1991 on distractions such as a news board in a bank);
  free samples, a production line or show in view, entertainment.
* information: an unknown wait feels longer than a known one (Maister 1985,
  prop. 4; Hui & Tse 1996 on wait-duration information; Taylor 1994 on
  uncertainty during delays).

The *directions* come from that literature; one size does too (idle waits
are overestimated by about 36%, Larson 1987); the other sizes are our
assumptions, chosen to be moderate and meant to be replaced by estimates
from auditors' ratings (``simulation.wait_feeling``).  See
simulation/README.md for the table.

satisfaction = 100 * (1 + exp(-k*T)) / (1 + exp(k*(p - T)))

a normalised logistic in perceived wait p with tolerance T (minutes where
satisfaction has fallen about halfway) and steepness k (1/min): 100 at p=0,
strictly decreasing, two parameters a fitter can set.  Davis & Heineke 1994
found satisfaction is driven by perceived rather than actual wait, which is
why the score takes perceived minutes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import numpy as np

__all__ = ["SatisfactionParams", "Multipliers", "ExperienceParams", "satisfaction_from_perceived",
           "wait_multiplier", "perceived_wait", "DEFAULT_MULTIPLIERS"]


@dataclass(frozen=True)
class SatisfactionParams:
    tolerance_min: float = 5.0   # assumption: Davis & Heineke-style ~5 min tolerance at a counter
    steepness: float = 0.6       # assumption: 1/min; score 100 -> ~88 at 2 min, ~50 at 5, ~6 at 10


@dataclass(frozen=True)
class Multipliers:
    """Perceived-per-actual minute factors; 1.0 = felt as it lasts."""

    pre_process: float = 1.15     # assumption (direction: Maister prop. 2)
    in_process: float = 1.0       # reference
    unoccupied: float = 1.36      # Larson 1987: idle waits are overestimated by about 36%
    # occupied factors replace ``unoccupied``; each keeps its assumed effect relative to an
    # idle wait (0.8, 0.85, 0.75, floor 0.6, times 1.36): no study gives their sizes
    samples: float = 1.09         # assumption (direction: Maister prop. 1, Katz et al. 1991)
    show_in_view: float = 1.16    # assumption: production line in view (Buell, Kim & Tsay 2017: value)
    entertainment: float = 1.02   # assumption: screens, music, staff entertaining
    occupied_floor: float = 0.82  # assumption: several distractions do not stack below this
    unknown_length: float = 1.1   # assumption (direction: Maister prop. 4, Hui & Tse 1996)
    known_length: float = 1.0     # reference


DEFAULT_MULTIPLIERS = Multipliers()


@dataclass(frozen=True)
class Occupied:
    samples: bool = False
    show_in_view: bool = False
    entertainment: bool = False


@dataclass(frozen=True)
class ExperienceParams:
    occupied: Occupied = field(default_factory=Occupied)
    wait_info_shown: bool = False
    multipliers: Multipliers = field(default_factory=Multipliers)
    satisfaction: SatisfactionParams = field(default_factory=SatisfactionParams)


def _get(params, name):
    return params[name] if isinstance(params, dict) else getattr(params, name)


def satisfaction_from_perceived(perceived_min, params=SatisfactionParams()):
    """0-100 score for a perceived wait (minutes); works on scalars and arrays.

    ``params`` is a SatisfactionParams or a dict with ``tolerance_min`` and
    ``steepness`` (what a calibration fit produces).
    """
    t = float(_get(params, "tolerance_min"))
    k = float(_get(params, "steepness"))
    p = np.asarray(perceived_min, dtype=float)
    # exp argument clipped so very long waits give 0, not an overflow warning
    z = np.clip(k * (p - t), -700.0, 700.0)
    s = 100.0 * (1.0 + np.exp(-k * t)) / (1.0 + np.exp(z))
    s = np.minimum(s, 100.0)
    return float(s) if s.ndim == 0 else s


def wait_multiplier(pre_process: bool, occupied: Occupied, info_shown: bool,
                    m: Multipliers = DEFAULT_MULTIPLIERS) -> float:
    """Perceived minutes per actual minute for one queue."""
    stage = m.pre_process if pre_process else m.in_process
    active = [getattr(m, f) for f in ("samples", "show_in_view", "entertainment") if getattr(occupied, f)]
    occ = max(math.prod(active), m.occupied_floor) if active else m.unoccupied
    info = m.known_length if info_shown else m.unknown_length
    return stage * occ * info


def perceived_wait(waits, multipliers) -> float:
    """Perceived minutes for one customer's queue waits and their multipliers."""
    return float(sum(w * k for w, k in zip(waits, multipliers)))


def params_to_dict(p: ExperienceParams) -> dict:
    return {
        "occupied": {f.name: getattr(p.occupied, f.name) for f in fields(Occupied)},
        "wait_info_shown": p.wait_info_shown,
        "multipliers": {f.name: getattr(p.multipliers, f.name) for f in fields(Multipliers)},
        "satisfaction": {f.name: getattr(p.satisfaction, f.name) for f in fields(SatisfactionParams)},
    }
