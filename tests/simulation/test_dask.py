"""Replications on a Dask LocalCluster (loopback only) give the local pool's results exactly."""

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from simulation import compare_scenarios, run_once, run_scenario, scenario_from_dict
from simulation.calibrate import fit_check, simulated_waits
from simulation.dask_executor import ENV_VAR, DaskUnavailable, executor_from_env

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
SPEC = {"name": "dask shop", "horizon_min": 300, "warmup_min": 20, "replications": 6, "seed": 3,
        "arrivals": {"schedule": [{"from_min": 0, "to_min": 120, "rate_per_hour": 60},
                                  {"from_min": 120, "to_min": 300, "rate_per_hour": 90}]},
        "customers": {"patience_min": {"dist": "exponential", "mean": 8}},
        "stations": [{"name": "order", "servers": 2, "service_min": {"dist": "gamma", "mean": 1.4, "sd": 0.6}},
                     {"name": "pickup", "servers": 1, "service_min": {"dist": "lognormal", "mean": 0.6, "sd": 0.2}}]}


@pytest.fixture(scope="module")
def cluster():
    c = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                 dashboard_address=None, silence_logs=40)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def dask_executor(cluster):
    executor, close = executor_from_env(cluster.scheduler_address)
    try:
        yield executor
    finally:
        close()


def shop(**kw):
    return scenario_from_dict({**SPEC, **kw})


def test_no_address_means_local_pool(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    executor, close = executor_from_env()
    assert executor is None
    close()
    monkeypatch.setenv(ENV_VAR, "   ")
    assert executor_from_env()[0] is None


def test_replication_jobs_pickle_and_replay_identically():
    sc = shop()
    job = (sc, 12345)
    sc2, seed = pickle.loads(pickle.dumps(job))
    assert sc2 == sc and sc2.spec == sc.spec
    assert json.dumps(run_once(sc2, seed)) == json.dumps(run_once(sc, seed))
    assert pickle.loads(pickle.dumps(run_once)) is run_once
    assert pickle.loads(pickle.dumps(simulated_waits)) is simulated_waits


def test_run_scenario_on_dask_equals_local_pool(dask_executor):
    sc = shop()
    local = run_scenario(sc, workers=2)
    remote = run_scenario(sc, executor=dask_executor)
    assert json.dumps(remote) == json.dumps(local)
    assert remote["replications"] == 6


def test_env_var_selects_the_cluster(cluster, monkeypatch):
    monkeypatch.setenv(ENV_VAR, cluster.scheduler_address)
    executor, close = executor_from_env()
    try:
        assert executor is not None
        seen = []
        res = run_scenario(shop(), replications=4, seed=8, executor=executor,
                           progress=lambda d, t: seen.append((d, t)))
    finally:
        close()
    close()   # closing twice is harmless
    assert seen[-1] == (4, 4) and len(seen) == 4
    assert json.dumps(res) == json.dumps(run_scenario(shop(), replications=4, seed=8, workers=1))


def test_compare_on_dask_equals_local(dask_executor):
    base = shop()
    changed = shop(stations=[dict(SPEC["stations"][0], servers=3), SPEC["stations"][1]])
    local = compare_scenarios(base, changed, replications=5, seed=2, workers=2)
    remote = compare_scenarios(base, changed, replications=5, seed=2, executor=dask_executor)
    assert json.dumps(remote) == json.dumps(local)
    assert remote["metrics"]["wait_min"]["diff"] < 0


def test_fit_check_on_dask_equals_serial(dask_executor):
    obs = simulated_waits(shop(), 77)[:200]
    a = fit_check(SPEC, obs, replications=4, seed=5, workers=1)
    b = fit_check(SPEC, obs, replications=4, seed=5, executor=dask_executor)
    assert a == b


def test_unreachable_scheduler_is_a_one_line_error():
    with pytest.raises(DaskUnavailable) as ei:
        executor_from_env("tcp://127.0.0.1:1", timeout=1)
    msg = ei.value.message
    assert msg.startswith("tcp://127.0.0.1:1: cannot connect to the Dask scheduler") and "\n" not in msg


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "simulation", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})})


def test_cli_dask_flag_and_env(cluster, tmp_path, monkeypatch, capsys):
    import yaml
    from simulation.cli import main
    p = tmp_path / "shop.yaml"
    p.write_text(yaml.safe_dump(SPEC))
    # the flag, in a subprocess as a planner would run it
    r = cli("run", p, "--json", "--replications", "3", "--dask", cluster.scheduler_address)
    assert r.returncode == 0, r.stderr
    local = run_scenario(shop(), replications=3, workers=1)
    assert json.loads(r.stdout) == json.loads(json.dumps(local))
    # the environment variable (in-process, to keep the suite fast)
    monkeypatch.setenv(ENV_VAR, cluster.scheduler_address)
    assert main(["compare", str(p), str(p), "--json", "--replications", "3"]) == 0
    assert json.loads(capsys.readouterr().out)["metrics"]["wait_min"]["diff"] == 0
    monkeypatch.setenv("SIMULATION_DASK_TIMEOUT", "1")
    assert main(["run", str(p), "--dask", "tcp://127.0.0.1:1"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "cannot connect to the Dask scheduler" in err
