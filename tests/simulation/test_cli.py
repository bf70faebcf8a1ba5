"""The command line in a subprocess: exit codes, JSON keys, one-line errors."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMALL = textwrap.dedent("""\
    name: small shop
    horizon_min: 300
    warmup_min: 30
    replications: 4
    seed: 7
    arrivals:
      rate_per_hour: 60
    customers:
      patience_min: {dist: exponential, mean: 8}
      balk_at_queue_length: 15
    stations:
      - name: order
        servers: 2
        service_min: {dist: exponential, mean: 1.5}
      - name: pickup
        servers: 1
        service_min: {dist: lognormal, mean: 0.8, sd: 0.3}
    """)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "simulation", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def shop(tmp_path):
    p = tmp_path / "shop.yaml"
    p.write_text(SMALL)
    return p


def test_run_json_has_the_documented_keys(shop):
    r = cli("run", shop, "--json", "--workers", "1")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    for k in ("replications", "arrived", "served", "balked", "reneged", "staff_hours"):
        assert isinstance(out[k], (int, float)), k
    for k in ("wait_min", "time_in_system_min", "abandonment_rate", "perceived_wait_min", "satisfaction"):
        lo, hi = out[k]["ci95"]
        assert lo <= out[k]["mean"] <= hi, k
    for k in ("p50", "p90", "p95"):
        assert out["wait_min"][k] >= 0
    assert out["wait_min"]["p50"] <= out["wait_min"]["p90"] <= out["wait_min"]["p95"]
    assert out["replications"] == 4
    for name in ("order", "pickup"):
        s = out["stations"][name]
        assert set(s) >= {"wait_min", "utilization", "queue_length_mean", "staff_hours"}
        assert 0 < s["utilization"] <= 1
    assert out["stations"]["order"]["staff_hours"] == pytest.approx(2 * 300 / 60)
    assert out["staff_hours"] == pytest.approx(3 * 300 / 60)
    h = out["wait_min"]["histogram"]
    assert len(h["edges"]) == len(h["counts"]) + 1
    assert sum(h["counts"]) == pytest.approx(out["served"] * 4)


def test_run_overrides_replications_and_seed(shop):
    a = json.loads(cli("run", shop, "--json", "--replications", "2", "--seed", "5", "--workers", "1").stdout)
    b = json.loads(cli("run", shop, "--json", "--replications", "2", "--seed", "6", "--workers", "1").stdout)
    assert a["replications"] == 2 and a["seed"] == 5
    assert a["wait_min"]["mean"] != b["wait_min"]["mean"]


def test_run_table_is_readable(shop):
    r = cli("run", shop, "--workers", "1")
    assert r.returncode == 0, r.stderr
    assert "small shop" in r.stdout and "order" in r.stdout and "pickup" in r.stdout
    assert "satisfaction" in r.stdout
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.stdout)


@pytest.mark.parametrize("old,new,expected", [
    ("servers: 2", "servers: 0", "shop.yaml:13: stations[0].servers: must be an integer >= 1"),
    ("rate_per_hour: 60", "rate_per_hour: [60", "shop.yaml:"),
    ("seed: 7", "sede: 7", "shop.yaml:5: sede: unknown key"),
])
def test_bad_file_exits_2_with_one_line(shop, old, new, expected):
    shop.write_text(SMALL.replace(old, new))
    r = cli("run", shop, "--json")
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.startswith(expected)
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_missing_file_exits_2(tmp_path):
    r = cli("run", tmp_path / "nope.yaml")
    assert r.returncode == 2
    assert r.stderr.strip() == f"{tmp_path / 'nope.yaml'}: file not found"


def test_bad_argument_exits_2(shop):
    r = cli("run", shop, "--replications", "0")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_compare_json(shop, tmp_path):
    changed = tmp_path / "more.yaml"
    changed.write_text(SMALL.replace("servers: 2", "servers: 3").replace("small shop", "more staff"))
    r = cli("compare", shop, changed, "--json", "--workers", "2")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    w = out["metrics"]["wait_min"]
    assert w["diff"] < 0 and w["significant"] and w["ci95"][1] < 0
    assert out["metrics"]["arrived"]["diff"] == 0            # same customers: CRN
    assert out["metrics"]["staff_hours"]["diff"] == pytest.approx(5.0)
    r2 = cli("compare", shop, changed)
    assert r2.returncode == 0 and "significant" in r2.stdout


def test_validate(shop):
    r = cli("validate", shop)
    assert r.returncode == 0 and "ok" in r.stdout


def test_trace_csv_has_one_row_per_customer(shop, tmp_path):
    out = tmp_path / "trace.csv"
    r = cli("run", shop, "--json", "--replications", "2", "--trace", out)
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    rows = out.read_text().splitlines()
    header = rows[0].split(",")
    assert header[:3] == ["replication", "customer", "class"]
    body = [dict(zip(header, line.split(","))) for line in rows[1:]]
    counted = [b for b in body if b["after_warmup"] == "1"]
    assert len(counted) == pytest.approx(res["arrived"] * 2)
    served = [b for b in counted if b["outcome"] == "served"]
    assert len(served) == pytest.approx(res["served"] * 2)
    mean_wait = sum(float(b["wait_min"]) for b in served) / len(served)
    per_rep = [p["wait_mean"] for p in res["per_replication"]]
    assert min(per_rep) - 1e-3 <= mean_wait <= max(per_rep) + 1e-3
