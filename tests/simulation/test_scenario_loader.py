"""Every located error of the scenario loader: file:line: path: problem, one line."""

import textwrap

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation import ScenarioError, load_scenario, scenario_from_dict, scenario_to_yaml

BASE = textwrap.dedent("""\
    name: shop
    horizon_min: 600
    warmup_min: 60
    replications: 5
    seed: 7
    arrivals:
      rate_per_hour: 120
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


def load_text(tmp_path, text, name="shop.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return load_scenario(p)


def error_of(tmp_path, text):
    with pytest.raises(ScenarioError) as ei:
        load_text(tmp_path, text)
    msg = ei.value.message
    assert "\n" not in msg and msg == str(ei.value)
    return msg


def test_base_file_loads(tmp_path):
    sc = load_text(tmp_path, BASE)
    assert [s.name for s in sc.stations] == ["order", "pickup"]
    assert sc.stations[0].servers_at(0) == 2
    assert sc.rate_per_hour == 120 and sc.warmup_min == 60 and sc.replications == 5


CASES = [
    # (old, new, expected message)
    ("    servers: 2", "    servers: 0", "shop.yaml:13: stations[0].servers: must be an integer >= 1"),
    ("    servers: 2", "    servers: two", "shop.yaml:13: stations[0].servers: must be an integer >= 1"),
    ("    servers: 2", "    servers: 2.5", "shop.yaml:13: stations[0].servers: must be an integer >= 1"),
    ("    servers: 1", "    servers: 1\n    speed: 3", "shop.yaml:17: stations[1].speed: unknown key"),
    ("mean: 1.5}", "mean: 1.5, sd: 1}", "shop.yaml:14: stations[0].service_min.sd: unknown key"),
    ("{dist: exponential, mean: 1.5}", "{dist: expo, mean: 1.5}",
     "shop.yaml:14: stations[0].service_min.dist: unknown distribution 'expo'"),
    ("mean: 0.8, sd: 0.3}", "mean: 0.8}", "shop.yaml:17: stations[1].service_min: missing required key 'sd'"),
    ("mean: 1.5}", "mean: -1}", "shop.yaml:14: stations[0].service_min.mean: must be > 0"),
    ("mean: 1.5}", "mean: x}", "shop.yaml:14: stations[0].service_min.mean: must be a number"),
    ("service_min: {dist: exponential, mean: 1.5}", "service_min: 1.5",
     "shop.yaml:14: stations[0].service_min: must be a distribution"),
    ("warmup_min: 60", "warmup_min: 700", "shop.yaml:3: warmup_min: must be less than horizon_min (600)"),
    ("horizon_min: 600", "horizon_min: -5", "shop.yaml:2: horizon_min: must be a number > 0"),
    ("replications: 5", "replications: 0", "shop.yaml:4: replications: must be an integer >= 1"),
    ("seed: 7", "seed: -1", "shop.yaml:5: seed: must be an integer >= 0"),
    ("seed: 7", "seed: 7\nseed: 8", "shop.yaml:6: seed: duplicate key"),
    ("seed: 7", "seed: 7\ncolour: red", "shop.yaml:6: colour: unknown key (allowed:"),
    ("  rate_per_hour: 120", "  rate_per_hour: 120\n  schedule: [{from_min: 0, to_min: 10, rate_per_hour: 5}]",
     "shop.yaml:6: arrivals: give either 'rate_per_hour' or 'schedule', not both"),
    ("  rate_per_hour: 120", "  group_size: {dist: deterministic, value: 2}",
     "shop.yaml:6: arrivals: give 'rate_per_hour', 'schedule' or 'appointments'"),
    ("  rate_per_hour: 120", "  rate_per_hour: -1", "shop.yaml:7: arrivals.rate_per_hour: must be a number >= 0"),
    ("  rate_per_hour: 120", "  rate_per_hour: 120\n  group_size: {dist: deterministic, value: 0.2}",
     "shop.yaml:8: arrivals.group_size: group sizes are rounded"),
    ("  rate_per_hour: 120", "  rate_per_hour: 120\n  cycle_min: 60",
     "shop.yaml:8: arrivals.cycle_min: only allowed together with 'schedule'"),
    ("  rate_per_hour: 120",
     "  schedule:\n    - {from_min: 0, to_min: 100, rate_per_hour: 60}\n    - {from_min: 50, to_min: 200, rate_per_hour: 60}",
     "shop.yaml:9: arrivals.schedule[1].from_min: schedule must be in time order"),
    ("  rate_per_hour: 120", "  schedule:\n    - {from_min: 10, to_min: 5, rate_per_hour: 60}",
     "shop.yaml:8: arrivals.schedule[0].to_min: must be a number > 10"),
    ("  rate_per_hour: 120", "  appointments: {every_min: 5, class: vip}",
     "shop.yaml:7: arrivals.appointments.class: unknown customer class 'vip'"),
    ("  rate_per_hour: 120", "  appointments: {every_min: 0}",
     "shop.yaml:7: arrivals.appointments.every_min: must be a number > 0"),
    ("  patience_min: {dist: exponential, mean: 8}", "  patience_min: 8",
     "shop.yaml:9: customers.patience_min: must be a distribution"),
    ("  balk_at_queue_length: 15", "  balk_at_queue_length: -1",
     "shop.yaml:10: customers.balk_at_queue_length: must be an integer >= 0"),
    ("  balk_at_queue_length: 15", "  balk_probability: [{queue_length: 3, probability: 1.5}]",
     "shop.yaml:10: customers.balk_probability[0].probability: must be a number <= 1"),
    ("  balk_at_queue_length: 15",
     "  classes:\n    - {name: member, share: 0.5, route: [till]}\n    - {name: other, share: 0.5}",
     "shop.yaml:11: customers.classes[0].route[0]: unknown station 'till'"),
    ("  balk_at_queue_length: 15",
     "  classes:\n    - {name: member, share: 0.3, skip: [order]}\n    - {name: other, share: 0.5}",
     "shop.yaml:10: customers.classes: shares must add up to 1 (they add up to 0.8)"),
    ("  balk_at_queue_length: 15",
     "  classes:\n    - {name: a, share: 0.5}\n    - {name: a, share: 0.5}",
     "shop.yaml:12: customers.classes[1].name: duplicate class name 'a'"),
    ("  balk_at_queue_length: 15",
     "  classes:\n    - {name: a, share: 1, skip: [order, pickup]}",
     "shop.yaml:11: customers.classes[0].skip: a class must visit at least one station"),
    ("  balk_at_queue_length: 15",
     "  classes:\n    - {name: a, share: 1, route: [order, order]}",
     "shop.yaml:11: customers.classes[0].route[1]: station 'order' appears twice"),
    ("  balk_at_queue_length: 15",
     "  classes:\n    - {name: a, share: 1, service_min: {till: {dist: deterministic, value: 1}}}",
     "shop.yaml:11: customers.classes[0].service_min.till: unknown key"),
    ("  - name: pickup", "  - name: order", "shop.yaml:15: stations[1].name: duplicate station name 'order'"),
    ("    servers: 2", "    servers: 2\n    shifts: [{from_min: 0, to_min: 60, servers: 1}]",
     "shop.yaml:12: stations[0]: give exactly one of 'servers' or 'shifts'"),
    ("    servers: 2",
     "    shifts:\n      - {from_min: 0, to_min: 60, servers: 1}\n      - {from_min: 30, to_min: 90, servers: 2}",
     "shop.yaml:15: stations[0].shifts[1].from_min: shifts must be in time order and must not overlap"),
    ("    servers: 2", "    shifts: [{from_min: 0, to_min: 60, servers: -1}]",
     "shop.yaml:13: stations[0].shifts[0].servers: must be an integer >= 0"),
    ("    servers: 2", "    servers: 2\n    cycle_min: 60",
     "shop.yaml:14: stations[0].cycle_min: only allowed together with 'shifts'"),
    ("    servers: 1", "    servers: 1\n    allow_reneging: maybe",
     "shop.yaml:17: stations[1].allow_reneging: must be true or false"),
    ("    servers: 1", "    servers: 1\n    experience: {occupied: {music: true}}",
     "shop.yaml:17: stations[1].experience.occupied.music: unknown key"),
    ("seed: 7", "seed: 7\nexperience: {satisfaction: {tolerance_min: 0}}",
     "shop.yaml:6: experience.satisfaction.tolerance_min: must be a number > 0"),
    ("seed: 7", "seed: 7\nexperience:\n  wait_info_shown: 1",
     "shop.yaml:7: experience.wait_info_shown: must be true or false"),
    ("seed: 7", "seed: 7\nreport: {wait_over_min: [5, -1]}",
     "shop.yaml:6: report.wait_over_min[1]: must be a number >= 0"),
    ("name: shop", "name: ''", "shop.yaml:1: name: must be a non-empty text"),
]


@pytest.mark.parametrize("old,new,expected", CASES, ids=[c[2].split(": ")[1] + f"#{i}" for i, c in enumerate(CASES)])
def test_located_errors(tmp_path, old, new, expected):
    assert old in BASE
    msg = error_of(tmp_path, BASE.replace(old, new, 1))
    assert msg.startswith(expected), msg


def test_missing_required_top_key(tmp_path):
    text = BASE[: BASE.index("stations:")]
    assert error_of(tmp_path, text) == "shop.yaml:1: missing required key 'stations'"


def test_empty_station_list(tmp_path):
    text = BASE[: BASE.index("stations:")] + "stations: []\n"
    assert error_of(tmp_path, text) == "shop.yaml:11: stations: must not be empty"


def test_yaml_syntax_error_is_one_located_line(tmp_path):
    msg = error_of(tmp_path, BASE.replace("rate_per_hour: 120", "rate_per_hour: [120"))
    assert msg.startswith("shop.yaml:") and "YAML syntax error" in msg
    line = int(msg.split(":")[1])
    assert 7 <= line <= 9


def test_tab_indentation_is_a_syntax_error(tmp_path):
    msg = error_of(tmp_path, BASE.replace("  rate_per_hour", "\trate_per_hour"))
    assert msg.startswith("shop.yaml:7: YAML syntax error")


def test_empty_file(tmp_path):
    assert error_of(tmp_path, "# nothing here\n") == "shop.yaml: the file is empty"


def test_top_level_must_be_mapping(tmp_path):
    assert error_of(tmp_path, "- a\n- b\n").startswith("shop.yaml:1: a scenario must be a mapping")


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError) as ei:
        load_scenario(tmp_path / "nope.yaml")
    assert ei.value.message == f"{tmp_path / 'nope.yaml'}: file not found"


def test_from_dict_errors_name_the_source_and_path():
    d = yaml.safe_load(BASE)
    d["stations"][0]["servers"] = 0
    with pytest.raises(ScenarioError) as ei:
        scenario_from_dict(d, source="web form")
    assert ei.value.message == "web form: stations[0].servers: must be an integer >= 1"


def test_yaml_round_trip(tmp_path):
    sc = load_text(tmp_path, BASE)
    again = scenario_from_dict(yaml.safe_load(scenario_to_yaml(sc)))
    assert again == sc
    changed = sc.with_overrides(replications=3, seed=99)
    assert (changed.replications, changed.seed) == (3, 99) and changed != sc


def test_examples_load():
    from pathlib import Path
    import simulation
    files = sorted((Path(simulation.__file__).parent / "examples").glob("*.yaml"))
    assert len(files) >= 3
    for f in files:
        load_scenario(f)


# Any value in any place must give a ScenarioError, never another exception.
_values = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True),
                    st.text(max_size=5), st.lists(st.integers(-2, 2), max_size=3),
                    st.dictionaries(st.sampled_from(["dist", "mean", "x", "name"]), st.integers(-2, 2),
                                    max_size=3))


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, path + (i,))


_ALL_PATHS = [p for p in _paths(yaml.safe_load(BASE)) if p]


@settings(max_examples=200, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_ALL_PATHS), _values)
def test_fuzzed_values_give_only_scenario_errors(path, value):
    d = yaml.safe_load(BASE)
    node = d
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    try:
        scenario_from_dict(d, source="fuzz")
    except ScenarioError as exc:
        assert exc.message.startswith("fuzz") and "\n" not in exc.message


def test_examples_round_trip_through_yaml():
    from pathlib import Path
    import simulation
    for f in sorted((Path(simulation.__file__).parent / "examples").glob("*.yaml")):
        sc = load_scenario(f)
        assert scenario_from_dict(yaml.safe_load(scenario_to_yaml(sc)), source=f.name) == sc
