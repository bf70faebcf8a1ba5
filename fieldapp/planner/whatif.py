"""A planner's what-if as changes over a baseline scenario.

Plain functions on scenario dicts (the YAML format of ``simulation``), so the
same changes can be shown as a form, stored as JSON, and turned into a
scenario that ``simulation.scenario_from_dict`` validates.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

OCCUPIED_FLAGS = ("samples", "show_in_view", "entertainment")


@dataclass
class Changes:
    """What the planner changes. Times are clock times of the store's day."""

    extra_servers: int = 0
    extra_from: str = "11:00"
    extra_to: str = "14:00"
    samples: bool = False
    show_in_view: bool = False
    entertainment: bool = False
    wait_info_shown: bool = False
    express_share: float = 0.0      # share of customers using an express / member lane
    express_servers: int = 1
    express_service_factor: float = 0.6
    service_factor: float = 1.0     # multiplies every service time at the counter
    servers_by_hour: dict = field(default_factory=dict)  # {"11": 3}: the rota for that clock hour
    rota_by_station: dict = field(default_factory=dict)  # {"keys": {"11": 2}}: a staffing search's answer
    learned: dict = field(default_factory=dict)          # {"samples": 0.82}: factors learned from audits
    errors: dict = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (self.extra_servers or self.express_share or self.service_factor != 1.0
                    or self.samples or self.show_in_view or self.entertainment or self.wait_info_shown
                    or self.servers_by_hour or self.rota_by_station or self.learned)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "errors"}


LEVER_FIELDS = {"samples": ("samples",), "show_in_view": ("show_in_view",), "entertainment": ("entertainment",),
                "wait_info_shown": ("wait_info_shown",),
                "express": ("express_share", "express_servers", "express_service_factor"),
                "service": ("service_factor",)}


def parse_changes(form: dict, levers: tuple | None = None, keep: Changes | None = None) -> Changes:
    """Read the what-if form; bad fields go to ``errors`` by name, the rest is kept.

    Levers the kind of business does not have (``levers``) stay at their defaults; what the
    form cannot show (``rota_by_station``, ``learned`` unless posted) is kept from ``keep``.
    """
    changes, errors = Changes(), {}

    def number(name, low, high, cast=float):
        raw = str(form.get(name, getattr(changes, name))).strip()
        try:
            value = cast(raw)
        except ValueError:
            errors[name] = f"{low}–{high}"
            return getattr(Changes, name, 0) if hasattr(Changes, name) else 0
        if not low <= value <= high:
            errors[name] = f"{low}–{high}"
        return value

    changes.extra_servers = number("extra_servers", 0, 10, int)
    changes.express_share = number("express_share", 0, 0.9)
    changes.express_servers = number("express_servers", 1, 5, int)
    changes.express_service_factor = number("express_service_factor", 0.1, 2.0)
    changes.service_factor = number("service_factor", 0.2, 3.0)
    for name in ("extra_from", "extra_to"):
        raw = str(form.get(name, getattr(changes, name))).strip()
        setattr(changes, name, raw)
        if _minutes_of(raw) is None:
            errors[name] = "HH:MM"
    if not errors.get("extra_from") and not errors.get("extra_to") \
            and _minutes_of(changes.extra_to) <= _minutes_of(changes.extra_from):
        errors["extra_to"] = "> " + changes.extra_from
    for flag in OCCUPIED_FLAGS + ("wait_info_shown",):
        setattr(changes, flag, str(form.get(flag, "")).lower() in ("1", "on", "true", "yes"))
    for name in form:
        if name.startswith("servers_h") and _ascii_digits(name[9:]) and 0 <= int(name[9:]) <= 23:
            raw = str(form.get(name)).strip()
            if raw == "":
                continue  # keep the baseline's rota for that hour
            if not _ascii_digits(raw) or int(raw) > 20:
                errors[name] = "0–20"
                changes.servers_by_hour[str(int(name[9:]))] = raw
            else:
                changes.servers_by_hour[str(int(name[9:]))] = int(raw)
    if keep is not None:
        changes.rota_by_station = dict(keep.rota_by_station)
        changes.learned = dict(keep.learned)
    for key in ("samples", "show_in_view", "entertainment"):
        if f"learned_{key}" in form:
            try:
                changes.learned[key] = round(float(form[f"learned_{key}"]), 3)
            except ValueError:
                errors[f"learned_{key}"] = "0.1–2"
        elif form.get("learned_posted"):
            changes.learned.pop(key, None)
    if levers is not None:
        for lever, names in LEVER_FIELDS.items():
            if lever not in levers:
                for name in names:
                    setattr(changes, name, getattr(Changes, name))
                    errors.pop(name, None)
    changes.errors = errors
    return changes


def _ascii_digits(text: str) -> bool:
    """0-9 only: ``str.isdigit`` also says yes to "²" or "①", which ``int`` then refuses."""
    return text.isascii() and text.isdigit()


def servers_per_hour(baseline: dict, open_time: str = "08:00", station: str | None = None) -> list[tuple[int, int]]:
    """(clock hour, servers at the start of that hour) of the baseline, for the rota grid."""
    target = _station(baseline, station)
    shifts = _shifts_of(target, baseline["horizon_min"])
    opening = _minutes_of(open_time)
    hours = []
    for start in range(0, int(baseline["horizon_min"]), 60):
        servers = next((s["servers"] for s in shifts if s["from_min"] <= start < s["to_min"]), 0)
        hours.append(((opening + start) // 60 % 24, servers))
    return hours


def changes_from_json(data: dict) -> Changes:
    known = {k: v for k, v in (data or {}).items() if k in Changes.__dataclass_fields__ and k != "errors"}
    return Changes(**known)


def apply_changes(baseline: dict, changes: Changes, open_time: str = "08:00",
                  station: str | None = None) -> dict:
    """The what-if scenario: ``baseline`` with ``changes`` applied (a new dict)."""
    spec = copy.deepcopy(baseline)
    spec["name"] = f"{baseline.get('name', 'Baseline')} — what-if"
    target = _station(spec, station)
    if changes.servers_by_hour:
        shifts = _shifts_of(target, spec["horizon_min"])
        for hour, servers in sorted(changes.servers_by_hour.items(), key=lambda kv: int(kv[0])):
            start = int(hour) * 60 - _minutes_of(open_time)
            if 0 <= start < spec["horizon_min"]:
                shifts = set_servers(shifts, start, start + 60, int(servers))
        target["shifts"] = shifts
        target.pop("servers", None)
    for name, by_hour in sorted(changes.rota_by_station.items()):
        station = next((s for s in spec["stations"] if s["name"] == name), None)
        if station is None:
            raise ValueError(f"the baseline has no station {name!r}")
        shifts = _shifts_of(station, spec["horizon_min"])
        for hour, servers in sorted(by_hour.items(), key=lambda kv: int(kv[0])):
            start = int(hour) * 60 - _minutes_of(open_time)
            if 0 <= start < spec["horizon_min"]:
                shifts = set_servers(shifts, start, start + 60, int(servers))
        station["shifts"] = shifts
        station.pop("servers", None)
    if changes.service_factor != 1.0:
        target["service_min"] = scale_distribution(target["service_min"], changes.service_factor)
    if changes.extra_servers:
        start = _minutes_of(changes.extra_from) - _minutes_of(open_time)
        end = _minutes_of(changes.extra_to) - _minutes_of(open_time)
        target["shifts"] = add_servers(_shifts_of(target, spec["horizon_min"]), start, end,
                                       changes.extra_servers)
        target.pop("servers", None)
    experience = spec.setdefault("experience", {})
    occupied = experience.setdefault("occupied", {})
    for flag in OCCUPIED_FLAGS:
        if getattr(changes, flag):
            occupied[flag] = True
    if not occupied:
        experience.pop("occupied")
    if changes.wait_info_shown:
        experience["wait_info_shown"] = True
    if changes.learned:
        experience.setdefault("multipliers", {}).update(
            {key: float(value) for key, value in changes.learned.items() if key in OCCUPIED_FLAGS})
    if changes.express_share > 0:
        _add_express_lane(spec, target, changes)
    return spec


def set_servers(shifts: list[dict], start: float, end: float, servers: int) -> list[dict]:
    """Shifts with exactly ``servers`` over [start, end)."""
    return _reshape(shifts, start, end, lambda base: servers)


def add_servers(shifts: list[dict], start: float, end: float, extra: int) -> list[dict]:
    """Shifts with ``extra`` servers added over [start, end), split where needed."""
    return _reshape(shifts, start, end, lambda base: base + extra)


def _reshape(shifts: list[dict], start: float, end: float, change) -> list[dict]:
    """Shifts cut at every boundary, ``change`` applied to the servers inside [start, end)."""
    cuts = sorted({0.0, *(s["from_min"] for s in shifts), *(s["to_min"] for s in shifts),
                   max(start, 0.0), max(end, 0.0)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        base = next((s["servers"] for s in shifts if s["from_min"] <= a < s["to_min"]), None)
        if base is None:
            continue
        servers = change(base) if start <= a < end else base
        if out and out[-1]["servers"] == servers and out[-1]["to_min"] == a:
            out[-1]["to_min"] = b
        else:
            out.append({"from_min": a, "to_min": b, "servers": servers})
    return out


def scale_distribution(dist: dict, factor: float) -> dict:
    """The same distribution with every time multiplied by ``factor``."""
    out = dict(dist)
    for key in ("mean", "sd", "value", "low", "mode", "high"):
        if key in out:
            out[key] = round(float(out[key]) * factor, 6)
    if "values" in out:
        out["values"] = [round(float(v) * factor, 6) for v in out["values"]]
    return out


def _station(spec: dict, name: str | None) -> dict:
    stations = spec["stations"]
    return next((s for s in stations if s["name"] == name), stations[0])


def _shifts_of(station: dict, horizon: float) -> list[dict]:
    if "shifts" in station:
        return [dict(s) for s in station["shifts"]]
    return [{"from_min": 0, "to_min": horizon, "servers": station.get("servers", 1)}]


def _add_express_lane(spec: dict, target: dict, changes: Changes) -> None:
    """A separate lane with its own servers that a share of customers use (AVIS members,
    small baskets); everyone else queues at the counter as before."""
    customers = spec.setdefault("customers", {})
    if customers.get("classes"):
        raise ValueError("the baseline already has customer classes; edit its YAML instead")
    express = {"name": "express", "servers": changes.express_servers,
               "service_min": scale_distribution(target["service_min"], changes.express_service_factor)}
    for key in ("allow_reneging", "experience"):
        if key in target:
            express[key] = copy.deepcopy(target[key])
    index = spec["stations"].index(target)
    spec["stations"].insert(index, express)
    customers["classes"] = [
        {"name": "express", "share": round(changes.express_share, 4), "skip": [target["name"]]},
        {"name": "regular", "share": round(1 - changes.express_share, 4), "skip": ["express"]},
    ]


def _minutes_of(clock: str) -> int | None:
    try:
        hours, minutes = clock.split(":")
        h, m = int(hours), int(minutes)
    except (ValueError, AttributeError):
        return None
    return h * 60 + m if 0 <= h <= 24 and 0 <= m < 60 else None
