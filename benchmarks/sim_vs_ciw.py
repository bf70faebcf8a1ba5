"""Speed and memory: this project vs Ciw, as a user runs them, and engine against engine.

Same model everywhere: M/M/3, lambda = 2.7/min, mu = 1/min (rho = 0.9).

1. Whole processes (the headline, target >= 3x Ciw): wall-clock time of
   ``python -m simulation run mm3.yaml --json`` (one replication of the
   customers) against a ``python -c`` process that imports Ciw, simulates
   the same number of customers and prints the mean wait.  Start-up and
   imports count, because a user waits for them too.
2. Engines only: each engine in a fresh subprocess, timed around the
   simulation alone, with its peak memory (max RSS minus the RSS after
   imports).  Also runs this project's engine for 1,000,000 customers in one
   replication to check memory stays flat (target: under 200 MB).

Mean waits should all agree with Erlang C (2.72 min) within sampling noise.

    .venv/bin/python benchmarks/sim_vs_ciw.py [--customers 100000] [--big 1000000] [--repeat 3] [--quick]
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LAM, MU, C = 2.7, 1.0, 3
ROOT = Path(__file__).resolve().parents[1]


def _rss_mb() -> float:
    # current RSS from /proc (Linux); ru_maxrss is the peak so far, in KB
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def engine_project(n: int, seed: int):
    sys.path.insert(0, str(ROOT))
    from simulation import run_once, scenario_from_dict
    sc = scenario_from_dict({
        "name": "M/M/3", "horizon_min": n / LAM, "warmup_min": 0, "replications": 1, "seed": seed,
        "arrivals": {"rate_per_hour": LAM * 60},
        "stations": [{"name": "s", "servers": C, "service_min": {"dist": "exponential", "mean": 1 / MU}}],
    })
    base = _rss_mb()
    t = time.perf_counter()
    r = run_once(sc, seed)
    dt = time.perf_counter() - t
    return r["arrived"], dt, r["wait_mean"], base


def engine_ciw(n: int, seed: int):
    import ciw
    net = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(rate=LAM)],
                             service_distributions=[ciw.dists.Exponential(rate=MU)],
                             number_of_servers=[C])
    ciw.seed(seed)
    base = _rss_mb()
    t = time.perf_counter()
    q = ciw.Simulation(net)
    q.simulate_until_max_customers(n, method="Finish")
    dt = time.perf_counter() - t
    recs = q.get_all_records()
    return len(recs), dt, sum(r.waiting_time for r in recs) / len(recs), base


def engine_simpy_idiomatic(n: int, seed: int):
    """A textbook SimPy model: a process per customer, a Resource request."""
    import numpy as np
    import simpy
    rng = np.random.default_rng(seed)
    base = _rss_mb()
    gaps = rng.exponential(1 / LAM, n).tolist()
    svc = rng.exponential(1 / MU, n).tolist()
    env = simpy.Environment()
    servers = simpy.Resource(env, C)
    acc = [0.0, 0]

    def customer(i):
        t0 = env.now
        with servers.request() as req:
            yield req
            acc[0] += env.now - t0
            acc[1] += 1
            yield env.timeout(svc[i])

    def source():
        for i in range(n):
            yield env.timeout(gaps[i])
            env.process(customer(i))

    t = time.perf_counter()
    env.process(source())
    env.run()
    dt = time.perf_counter() - t
    return acc[1], dt, acc[0] / acc[1], base


def engine_recursion(n: int, seed: int):
    """Lower bound: Kiefer-Wolfowitz recursion with NumPy-drawn variates and a heap."""
    import heapq

    import numpy as np
    rng = np.random.default_rng(seed)
    base = _rss_mb()
    t = time.perf_counter()
    arr = np.cumsum(rng.exponential(1 / LAM, n)).tolist()
    svc = rng.exponential(1 / MU, n).tolist()
    free = [0.0] * C
    total = 0.0
    pop, push = heapq.heappop, heapq.heappush
    for a, s in zip(arr, svc):
        f = pop(free)
        start = a if a > f else f
        total += start - a
        push(free, start + s)
    dt = time.perf_counter() - t
    return n, dt, total / n, base


ENGINES = {
    "this project (SimPy, callbacks)": engine_project,
    "Ciw 3": engine_ciw,
    "plain SimPy (process + Resource)": engine_simpy_idiomatic,
    "NumPy + heapq recursion (bound)": engine_recursion,
}


def child(name: str, n: int, seed: int) -> None:
    customers, dt, wait, base = ENGINES[name](n, seed)
    print(json.dumps({"customers": customers, "seconds": dt, "wait": wait,
                      "peak_mb": max(0.0, _peak_mb() - base)}))


def run_child(name: str, n: int, seed: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", name, "--customers", str(n),
                          "--seed", str(seed)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


CIW_PROCESS = """
import json, sys
import ciw
n, seed = int(sys.argv[1]), int(sys.argv[2])
net = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(rate=%(lam)r)],
                         service_distributions=[ciw.dists.Exponential(rate=%(mu)r)],
                         number_of_servers=[%(c)d])
ciw.seed(seed)
q = ciw.Simulation(net)
q.simulate_until_max_customers(n, method="Finish")
recs = q.get_all_records()
print(json.dumps({"customers": len(recs), "wait": sum(r.waiting_time for r in recs) / len(recs)}))
""" % {"lam": LAM, "mu": MU, "c": C}


def mm3_yaml(n: int, seed: int) -> str:
    return (f"name: M/M/3\nhorizon_min: {n / LAM:.6f}\nwarmup_min: 0\nreplications: 1\nseed: {seed}\n"
            f"arrivals: {{rate_per_hour: {LAM * 60:g}}}\n"
            f"stations:\n  - {{name: s, servers: {C}, service_min: {{dist: exponential, mean: {1 / MU:g}}}}}\n")


def timed_process(cmd: list) -> tuple:
    t = time.perf_counter()
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return time.perf_counter() - t, json.loads(out.stdout)


def whole_processes(n: int, seed: int, repeat: int) -> dict:
    """Median wall-clock seconds over ``repeat`` runs of each command, as a user runs it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mm3.yaml"
        path.write_text(mm3_yaml(n, seed), encoding="utf-8")
        cmds = {"python -m simulation run mm3.yaml --json": [sys.executable, "-m", "simulation", "run",
                                                             str(path), "--json"],
                "python -c <Ciw script>": [sys.executable, "-c", CIW_PROCESS, str(n), str(seed)]}
        rows = {}
        for name, cmd in cmds.items():
            times, last = [], None
            for _ in range(repeat):
                dt, last = timed_process(cmd)
                times.append(dt)
            if "arrived" in last:
                last = {"customers": last["arrived"], "wait": last["wait_min"]["mean"]}
            rows[name] = {"seconds": statistics.median(times), **last}
    return rows


def erlang_c_wait() -> float:
    a = LAM / MU
    s = sum(a ** k / math.factorial(k) for k in range(C))
    top = a ** C / math.factorial(C) * C / (C - a)
    return top / (s + top) / (C * MU - LAM)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--big", type=int, default=1_000_000, help="customers for the memory check (0: skip)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--child")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each whole process (median)")
    ap.add_argument("--quick", action="store_true", help="10k customers, no big run, one repeat")
    args = ap.parse_args()
    if args.child:
        child(args.child, args.customers, args.seed)
        return
    if args.quick:
        args.customers, args.big, args.repeat = 10_000, 0, 1
    n = args.customers
    print(f"M/M/3, lambda {LAM}/min, mu {MU}/min, {n:,} customers; Erlang C mean wait {erlang_c_wait():.3f} min")
    procs = whole_processes(n, args.seed, args.repeat)
    ciw_s = procs["python -c <Ciw script>"]["seconds"]
    print(f"\nWhole processes, wall clock (median of {args.repeat}), start-up and imports included:")
    print(f"{'command':44}{'customers':>11}{'seconds':>9}{'mean wait':>11}{'vs Ciw':>8}")
    for name, r in procs.items():
        print(f"{name:44}{r['customers']:>11,.0f}{r['seconds']:>9.2f}{r['wait']:>11.3f}"
              f"{ciw_s / r['seconds']:>7.2f}x")
    ours_s = procs["python -m simulation run mm3.yaml --json"]["seconds"]
    print(f"\nthis project / Ciw, whole processes: {ciw_s / ours_s:.2f}x faster (target >= 3x)")
    print("\nEngines only (timed around the simulation, imports excluded):")
    rows = {}
    for name in ENGINES:
        rows[name] = r = run_child(name, n, args.seed)
        r["rate"] = r["customers"] / r["seconds"]
    ours, ciw_r = rows["this project (SimPy, callbacks)"], rows["Ciw 3"]
    print(f"\n{'engine':34}{'customers':>11}{'seconds':>9}{'cust/s':>11}{'peak MB':>9}{'mean wait':>11}"
          f"{'vs Ciw':>8}")
    for name, r in rows.items():
        print(f"{name:34}{r['customers']:>11,}{r['seconds']:>9.2f}{r['rate']:>11,.0f}{r['peak_mb']:>9.1f}"
              f"{r['wait']:>11.3f}{r['rate'] / ciw_r['rate']:>7.2f}x")
    print(f"\nthis project / Ciw, engines only: {ours['rate'] / ciw_r['rate']:.2f}x")
    print(f"this project / recursion bound: {ours['rate'] / rows['NumPy + heapq recursion (bound)']['rate']:.2f}x")
    if ciw_r["customers"]:
        per = ciw_r["peak_mb"] * 1024 / ciw_r["customers"]
        print(f"Ciw memory: {per:.2f} KB per customer")
    if args.big:
        big = run_child("this project (SimPy, callbacks)", args.big, args.seed)
        print(f"\nthis project, {big['customers']:,} customers in one replication: "
              f"{big['seconds']:.1f} s, {big['customers'] / big['seconds']:,.0f} cust/s, "
              f"peak {big['peak_mb']:.1f} MB above imports (target < 200 MB), mean wait {big['wait']:.3f}")


if __name__ == "__main__":
    main()
