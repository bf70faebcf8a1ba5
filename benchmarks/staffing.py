"""Time of the staffing search (``python -m simulation staff``'s work) on a few scenarios.

Prints a table: scenario, hours, stations, replications, replication runs simulated (most cut after the hour searched),
seconds, staff hours.  Serial, in this process.

    .venv/bin/python benchmarks/staffing.py [--replications 20] [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulation import load_scenario, scenario_from_dict, staff_scenario  # noqa: E402

LUNCH = {
    "name": "lunch peak, patience", "horizon_min": 600, "seed": 11,
    "arrivals": {"schedule": [{"from_min": 0, "to_min": 180, "rate_per_hour": 60},
                              {"from_min": 180, "to_min": 300, "rate_per_hour": 200},
                              {"from_min": 300, "to_min": 600, "rate_per_hour": 80}]},
    "customers": {"patience_min": {"dist": "exponential", "mean": 10}},
    "stations": [{"name": "counter", "servers": 1, "service_min": {"dist": "exponential", "mean": 2}}],
}
MMC = {
    "name": "M/M/c stationary", "horizon_min": 480, "seed": 3,
    "arrivals": {"rate_per_hour": 240},
    "stations": [{"name": "counter", "servers": 1, "service_min": {"dist": "exponential", "mean": 1}}],
}


def cases():
    yield scenario_from_dict(MMC), ["p90_wait_min<=1"]
    yield scenario_from_dict(LUNCH), ["p90_wait_min<=3", "abandonment<=0.05"]
    yield (load_scenario(ROOT / "simulation/examples/doughnut_saturday.yaml"),
           ["p90_wait_min<=3", "abandonment<=0.05", "satisfaction>=80"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replications", type=int, default=20)
    ap.add_argument("--quick", action="store_true", help="5 replications")
    args = ap.parse_args()
    reps = 5 if args.quick else args.replications
    print(f"{'scenario':28}{'hours':>6}{'stations':>9}{'reps':>6}{'sim runs':>9}{'seconds':>9}{'staff h':>9}")
    for sc, targets in cases():
        t = time.perf_counter()
        res = staff_scenario(sc, targets, replications=reps)
        dt = time.perf_counter() - t
        hours = len({r["hour"] for r in res["hours"]})
        print(f"{sc.name[:28]:28}{hours:>6}{len(sc.stations):>9}{reps:>6}{res['simulated_replications']:>9}"
              f"{dt:>9.2f}{res['staff_hours']:>9g}")


if __name__ == "__main__":
    main()
