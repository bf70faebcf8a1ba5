"""Service targets such as ``p90_wait_min<=3``: parsed once, with errors an app can translate."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["Target", "TargetError", "parse_target", "TARGET_MEASURES"]

# measure -> (allowed direction, lowest value, highest value, what it is)
TARGET_MEASURES = {
    "p50_wait_min": ("<=", 0.0, math.inf, "median wait at the station, minutes"),
    "p90_wait_min": ("<=", 0.0, math.inf, "90th percentile of the wait, minutes"),
    "mean_wait_min": ("<=", 0.0, math.inf, "mean wait, minutes"),
    "abandonment": ("<=", 0.0, 1.0, "share who leave the queue or do not join"),
    "utilisation": ("<=", 0.0, 1.0, "busy share of the servers on duty"),
    "satisfaction": (">=", 0.0, 100.0, "0-100 score of how the wait feels"),
}
_ALIASES = {"utilization": "utilisation"}
_SYNTAX = re.compile(r"\s*([A-Za-z0-9_]+)\s*(<=|>=|<|>|==|=)\s*(\S+)\s*")


class TargetError(ValueError):
    """A bad target; ``code`` and ``params`` to translate, ``message`` one located English line.

    Codes: ``syntax``, ``unknown_measure`` (measure, choices), ``direction`` (measure, op),
    ``not_a_number`` (value), ``out_of_range`` (measure, value, low, high).
    """

    def __init__(self, code: str, text: str, where: str = "--target", **params):
        self.code, self.params, self.text, self.where = code, params, text, where
        what = _ENGLISH[code].format(**params)
        self.message = "\\n".join(f'{where}: "{text}": {what}'.splitlines())
        super().__init__(self.message)


_ENGLISH = {
    "syntax": "write a measure, <= or >=, and a number, like p90_wait_min<=3",
    "unknown_measure": "unknown measure '{measure}' (choose from {choices})",
    "direction": "{measure} takes {allowed} only (a {kind} bound)",
    "not_a_number": "'{value}' is not a number",
    "out_of_range": "{measure} must be between {low:g} and {high:g}",
}


@dataclass(frozen=True)
class Target:
    measure: str
    op: str          # "<=" or ">="
    value: float

    def met(self, achieved) -> bool:
        """True when the achieved value (a mean) meets the target; None (nobody counted) meets it."""
        if achieved is None:
            return True
        if isinstance(achieved, float) and math.isnan(achieved):
            return True
        return achieved <= self.value + 1e-12 if self.op == "<=" else achieved >= self.value - 1e-12

    def __str__(self) -> str:
        return f"{self.measure}{self.op}{self.value:g}"


def parse_target(text: str, where: str = "--target") -> Target:
    """``"p90_wait_min<=3"`` -> Target; a TargetError located at ``where`` otherwise."""
    m = _SYNTAX.fullmatch(str(text))
    if not m:
        raise TargetError("syntax", str(text), where)
    measure, op, raw = m.group(1).lower(), m.group(2), m.group(3)
    measure = _ALIASES.get(measure, measure)
    if measure not in TARGET_MEASURES:
        raise TargetError("unknown_measure", text, where, measure=m.group(1), choices=", ".join(TARGET_MEASURES))
    allowed, low, high, _ = TARGET_MEASURES[measure]
    if op != allowed:
        raise TargetError("direction", text, where, measure=measure, op=op, allowed=allowed,
                          kind="upper" if allowed == "<=" else "lower")
    try:
        value = float(raw)
    except ValueError:
        raise TargetError("not_a_number", text, where, value=raw) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise TargetError("out_of_range", text, where, measure=measure, value=raw, low=low, high=high)
    return Target(measure, op, value)
