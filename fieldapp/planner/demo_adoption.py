"""The demo's adopted change: one more person at the counter at lunch, with an honest prediction.

The prediction is simulated from the same traffic, rota and service times
the demo's field data are drawn from, so the home page compares like with
like.
"""

from __future__ import annotations

from fieldapp.planner import whatif
from fieldapp.planner.hourly import hourly_pair
from fieldapp.storage import planning

CHANGE = {"extra_servers": 1, "extra_from": "11:00", "extra_to": "14:00"}


def demo_scenario(rates_per_hour: list[float], servers: dict[int, int], open_hour: int,
                  service_mean: float, service_sd: float) -> dict:
    """A scenario dict of one store's day: hourly arrival rates, the rota, gamma service times."""
    hours = len(rates_per_hour)
    return {"name": "demo", "horizon_min": hours * 60, "replications": 10, "seed": 18,
            "arrivals": {"schedule": [{"from_min": i * 60, "to_min": (i + 1) * 60, "rate_per_hour": float(r)}
                                      for i, r in enumerate(rates_per_hour)]},
            "stations": [{"name": "counter",
                          "shifts": [{"from_min": i * 60, "to_min": (i + 1) * 60,
                                      "servers": int(servers[open_hour + i])} for i in range(hours)],
                          "service_min": {"dist": "gamma", "mean": service_mean, "sd": service_sd}}]}


def adopted_staffing(servers: dict[int, int]) -> dict[int, int]:
    """The rota with the change applied."""
    start, end = int(CHANGE["extra_from"][:2]), int(CHANGE["extra_to"][:2])
    return {h: n + (CHANGE["extra_servers"] if start <= h < end else 0) for h, n in servers.items()}


def seed_adoption(db, *, org_id: int, user_id: int, store_id: int, from_day: str, scenario: dict,
                  open_hour: int) -> int:
    changes = whatif.Changes(**CHANGE)
    changed = whatif.apply_changes(scenario, changes, f"{open_hour:02d}:00")
    hourly = hourly_pair(scenario, changed, open_hour, replications=10, seed=18)
    rota = {"counter": {str(h): n for h, n in whatif.servers_per_hour(scenario, f"{open_hour:02d}:00")}}
    return planning.adopt(db, org_id=org_id, user_id=user_id, scenario_id=None, job_id=None,
                          changes={**changes.as_dict(), "_rota": rota}, prediction=hourly["prediction"],
                          from_day=from_day, store_ids=[store_id])
