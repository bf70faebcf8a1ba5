"""Staffing search: Erlang formulas, target parsing, the search itself and the ``staff`` command."""

import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from simulation import StaffingError, TargetError, parse_target, scenario_from_dict, staff_scenario
from simulation import erlang
from simulation.hourly import run_hourly, summarize_hourly
from simulation.runner import replication_seeds

from .helpers import erlang_b as ref_erlang_b, erlang_c as ref_erlang_c

ROOT = Path(__file__).resolve().parents[2]

LUNCH = {
    "name": "lunch day", "horizon_min": 360, "replications": 20, "seed": 11,
    "arrivals": {"schedule": [{"from_min": 0, "to_min": 120, "rate_per_hour": 60},
                              {"from_min": 120, "to_min": 240, "rate_per_hour": 200},
                              {"from_min": 240, "to_min": 360, "rate_per_hour": 60}]},
    "customers": {"patience_min": {"dist": "exponential", "mean": 10}},
    "stations": [{"name": "counter", "servers": 1, "service_min": {"dist": "exponential", "mean": 2}}],
}


def mmc(rate_per_hour=240, mean_service=1.0, hours=4, reps=20, seed=3):
    return scenario_from_dict({
        "name": "M/M/c", "horizon_min": 60 * hours, "replications": reps, "seed": seed,
        "arrivals": {"rate_per_hour": rate_per_hour},
        "stations": [{"name": "counter", "servers": 1,
                      "service_min": {"dist": "exponential", "mean": mean_service}}]})


def cli(*args):
    return subprocess.run([sys.executable, "-m", "simulation", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


# ----------------------------------------------------------------------------- Erlang formulas


@pytest.mark.parametrize("c,a", [(1, 0.5), (3, 2.7), (5, 4.0), (12, 10.5)])
def test_erlang_b_and_c_match_the_textbook_sums(c, a):
    """The stable recursions equal the factorial sums of the test helpers."""
    assert erlang.erlang_b(c, a) == pytest.approx(ref_erlang_b(c, a), rel=1e-12)
    assert erlang.erlang_c(c, a) == pytest.approx(ref_erlang_c(c, a), rel=1e-12)


def test_mmc_wait_quantile_inverts_the_tail():
    """P(W > q90) = 0.1 at the quantile Erlang C gives (and 0 when few wait)."""
    t = erlang.mmc_wait_quantile(5, 4.0, 1.0, 0.9)
    assert erlang.mmc_wait_tail(5, 4.0, 1.0, t) == pytest.approx(0.1, rel=1e-12)
    assert erlang.mmc_wait_quantile(10, 4.0, 1.0, 0.5) == 0.0
    assert erlang.mmc_wait_quantile(3, 4.0, 1.0, 0.9) == math.inf


def test_erlang_a_without_abandonment_is_erlang_c():
    """With almost infinite patience, M/M/c+M has Erlang C's P(wait) and mean wait."""
    m = erlang.erlang_a(5, 4.0, 1.0, 1e-9)
    assert m.p_wait == pytest.approx(ref_erlang_c(5, 4.0), rel=1e-5)
    assert m.mean_wait == pytest.approx(erlang.mmc_mean_wait(5, 4.0, 1.0), rel=1e-5)
    assert m.p_abandon < 1e-6
    assert erlang.erlang_a_wait_quantile(5, 4.0, 1.0, 1e-9, 0.9, model=m) == pytest.approx(
        erlang.mmc_wait_quantile(5, 4.0, 1.0, 0.9), abs=0.051)


def test_erlang_a_is_stable_when_overloaded():
    """Impatient customers keep an overloaded queue finite: abandonment absorbs the excess."""
    m = erlang.erlang_a(3, 4.0, 1.0, 0.5)
    assert 0.25 < m.p_abandon < 1
    # flow balance: served + abandoned = arrivals
    assert m.utilisation * 3 * 1.0 + m.p_abandon * 4.0 == pytest.approx(4.0, rel=1e-9)


# ----------------------------------------------------------------------------- targets


@pytest.mark.parametrize("text,code", [
    ("p90_wait<=3", "unknown_measure"),
    ("p90_wait_min>=3", "direction"),
    ("satisfaction<=80", "direction"),
    ("abandonment<=1.5", "out_of_range"),
    ("p90_wait_min<=three", "not_a_number"),
    ("p90_wait_min 3", "syntax"),
])
def test_bad_targets_carry_a_code_and_one_located_line(text, code):
    """Each bad target is a TargetError with a code and a one-line message naming the flag."""
    with pytest.raises(TargetError) as info:
        parse_target(text)
    assert info.value.code == code
    assert info.value.message.startswith(f'--target: "{text}": ')
    assert "\n" not in info.value.message


def test_target_parsing_accepts_spaces_and_the_us_spelling():
    """'utilization <= 0.85' is the utilisation measure."""
    t = parse_target(" utilization <= 0.85 ")
    assert (t.measure, t.op, t.value) == ("utilisation", "<=", 0.85)
    assert parse_target("satisfaction>=80").met(80.0) and not parse_target("satisfaction>=80").met(79.9)


def test_staff_scenario_rejects_empty_targets():
    """No target is a StaffingError with a code."""
    with pytest.raises(StaffingError) as info:
        staff_scenario(mmc(), [])
    assert info.value.code == "no_targets"


# ----------------------------------------------------------------------------- the search


def erlang_c_servers(lam, mu, tail_t, tail_p):
    """Smallest c with P(W > t) = C(c, a) exp(-(c mu - lam) t) <= p, from the helpers' Erlang C."""
    a = lam / mu
    c = int(a) + 1
    while ref_erlang_c(c, a) * math.exp(-(c * mu - lam) * tail_t) > tail_p:
        c += 1
    return c


def test_stationary_mmc_gets_the_erlang_c_answer_in_every_hour():
    """M/M/c, lambda 4/min, mu 1/min, p90 <= 1 min: Erlang C says 6 (5 gives 1.71 min, 6 gives 0.52)."""
    expected = erlang_c_servers(4.0, 1.0, 1.0, 0.1)
    assert expected == 6
    res = staff_scenario(mmc(), ["p90_wait_min<=1"], replications=20, seed=3)
    assert [r["servers"] for r in res["hours"]] == [expected] * 4
    assert res["staff_hours"] == 4 * expected


def test_stationary_mmc_mean_wait_target_matches_erlang_c():
    """Mean wait <= 0.3 min: Erlang C gives 0.55 min at 5 servers, 0.14 at 6, so 6."""
    assert erlang.mmc_mean_wait(5, 4.0, 1.0) > 0.3 > erlang.mmc_mean_wait(6, 4.0, 1.0)
    res = staff_scenario(mmc(), ["mean_wait_min<=0.3"], replications=20, seed=5)
    assert [r["servers"] for r in res["hours"]] == [6] * 4


def test_lunch_peak_gets_more_servers_and_every_hour_meets_its_target_in_a_rerun():
    """The peak hours get more servers than off-peak; an independent re-run of the answer meets the targets."""
    targets = ["p90_wait_min<=3", "abandonment<=0.05"]
    res = staff_scenario(scenario_from_dict(LUNCH), targets)
    servers = [r["servers"] for r in res["hours"]]
    assert min(servers[2:4]) > max(servers[:2] + servers[4:])
    again = dict(LUNCH, stations=[{"name": "counter", "service_min": {"dist": "exponential", "mean": 2},
                                   "shifts": [{"from_min": 60 * h, "to_min": 60 * h + 60, "servers": n}
                                              for h, n in enumerate(servers)]}])
    sc = scenario_from_dict(again)
    summary = summarize_hourly([run_hourly(sc, s, 6) for s in replication_seeds(2024, 40)])
    for h in range(6):
        assert summary[(h, 0)]["p90_wait_min"]["mean"] <= 3, h
        assert summary[(h, 0)]["abandonment"]["mean"] <= 0.05, h


def test_more_servers_never_lengthen_the_wait_under_common_random_numbers():
    """Same seeds, one more server in hour 1: hour 1's p90 wait does not grow (the search relies on it)."""
    from simulation.staffing import _with_staff
    base = mmc(hours=2)
    seeds = replication_seeds(8, 10)
    p90 = []
    for n in (4, 5, 6, 7):
        sc = _with_staff(base, [[5], [n]], base.horizon_min)
        p90.append(summarize_hourly([run_hourly(sc, s, 2) for s in seeds])[(1, 0)]["p90_wait_min"]["mean"])
    assert p90 == sorted(p90, reverse=True)


# ----------------------------------------------------------------------------- command line


@pytest.fixture
def lunch_file(tmp_path):
    p = tmp_path / "lunch.yaml"
    p.write_text(json.dumps(LUNCH))   # JSON is YAML
    return p


def test_staff_json_has_exactly_the_documented_shape(lunch_file):
    """{"hours": [{"hour", "station", "servers", "achieved": {m: {"mean", "ci95"}}}], "staff_hours"}."""
    r = cli("staff", lunch_file, "--target", "p90_wait_min<=3", "--target", "satisfaction>=80",
            "--replications", "5", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {"hours", "staff_hours"}
    assert [(x["hour"], x["station"]) for x in out["hours"]] == [(h, "counter") for h in range(6)]
    for row in out["hours"]:
        assert set(row) == {"hour", "station", "servers", "achieved"}
        assert isinstance(row["servers"], int) and row["servers"] >= 0
        assert set(row["achieved"]) == {"p90_wait_min", "satisfaction"}
        for stat in row["achieved"].values():
            assert set(stat) == {"mean", "ci95"} and len(stat["ci95"]) == 2
            lo, hi = stat["ci95"]
            assert lo <= stat["mean"] <= hi
    assert out["staff_hours"] == sum(x["servers"] for x in out["hours"])


def test_staff_table_without_json(lunch_file):
    """Without --json a readable table: one line per hour and the staff hours."""
    r = cli("staff", lunch_file, "--target", "p90_wait_min<=3", "--replications", "3")
    assert r.returncode == 0, r.stderr
    assert "staff hours:" in r.stdout and "p90_wait_min" in r.stdout
    assert sum(1 for line in r.stdout.splitlines() if "counter" in line) == 6


@pytest.mark.parametrize("target,expected", [
    ("p90_wait<=3", "--target: \"p90_wait<=3\": unknown measure 'p90_wait' (choose from p50_wait_min, "
                    "p90_wait_min, mean_wait_min, abandonment, utilisation, satisfaction)"),
    ("satisfaction<=80", '--target: "satisfaction<=80": satisfaction takes >= only (a lower bound)'),
])
def test_staff_bad_target_exits_2_with_one_located_line(lunch_file, target, expected):
    """A bad target: exit 2, exactly one line on stderr, nothing on stdout."""
    r = cli("staff", lunch_file, "--target", target, "--json")
    assert r.returncode == 2
    assert r.stderr.strip() == expected
    assert r.stdout == ""


def test_staff_bad_scenario_exits_2_with_the_loaders_located_error(tmp_path):
    """A bad scenario gives the scenario loader's file:line: path: problem line."""
    p = tmp_path / "bad.yaml"
    p.write_text(textwrap.dedent("""\
        arrivals: {rate_per_hour: 60}
        stations:
          - name: counter
            servers: 0
            service_min: {dist: exponential, mean: 1}
        """))
    r = cli("staff", p, "--target", "p90_wait_min<=3")
    assert r.returncode == 2
    assert r.stderr.strip() == "bad.yaml:4: stations[0].servers: must be an integer >= 1"
