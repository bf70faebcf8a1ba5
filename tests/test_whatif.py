"""What-if changes over a baseline scenario, and the field data behind a baseline."""

import pytest
from hypothesis import given, strategies as st

from fieldapp.planner.whatif import Changes, add_servers, apply_changes, parse_changes, scale_distribution
from simulation import scenario_from_dict

BASE = {
    "name": "Base", "horizon_min": 840, "warmup_min": 0, "replications": 4, "seed": 3,
    "arrivals": {"rate_per_hour": 60},
    "stations": [{"name": "counter", "shifts": [{"from_min": 0, "to_min": 840, "servers": 2}],
                  "service_min": {"dist": "gamma", "mean": 1.1, "sd": 0.5}}],
}


def test_extra_server_at_lunch_splits_the_shift():
    spec = apply_changes(BASE, Changes(extra_servers=1, extra_from="11:00", extra_to="14:00"), "08:00")
    assert spec["stations"][0]["shifts"] == [
        {"from_min": 0.0, "to_min": 180, "servers": 2},
        {"from_min": 180, "to_min": 360, "servers": 3},
        {"from_min": 360, "to_min": 840, "servers": 2}]
    scenario_from_dict(spec)  # valid for the simulation
    assert BASE["stations"][0]["shifts"][0]["servers"] == 2  # the baseline is untouched


@given(st.lists(st.integers(1, 4), min_size=1, max_size=5), st.integers(0, 800),
       st.integers(1, 400), st.integers(1, 3))
def test_adding_servers_keeps_total_staff_minutes_exact(servers, start, length, extra):
    step = 840 // len(servers)
    shifts = [{"from_min": i * step, "to_min": (i + 1) * step if i < len(servers) - 1 else 840,
               "servers": n} for i, n in enumerate(servers)]
    end = min(start + length, 840)
    before = sum((s["to_min"] - s["from_min"]) * s["servers"] for s in shifts)
    after = add_servers(shifts, start, end, extra)
    total = sum((s["to_min"] - s["from_min"]) * s["servers"] for s in after)
    assert total == pytest.approx(before + extra * (end - start))


def test_samples_and_show_make_the_wait_occupied():
    spec = apply_changes(BASE, Changes(samples=True, show_in_view=True))
    assert spec["experience"]["occupied"] == {"samples": True, "show_in_view": True}
    assert scenario_from_dict(spec).experience.occupied.samples


def test_express_lane_routes_a_share_past_the_counter():
    spec = apply_changes(BASE, Changes(express_share=0.3, express_servers=1, express_service_factor=0.5))
    names = [s["name"] for s in spec["stations"]]
    assert names == ["express", "counter"]
    assert spec["stations"][0]["service_min"]["mean"] == pytest.approx(0.55)
    classes = {c["name"]: c for c in spec["customers"]["classes"]}
    assert classes["express"]["skip"] == ["counter"] and classes["regular"]["share"] == pytest.approx(0.7)
    scenario_from_dict(spec)


def test_scaling_a_distribution_scales_its_times():
    assert scale_distribution({"dist": "triangular", "low": 1, "mode": 2, "high": 4}, 0.5) == \
        {"dist": "triangular", "low": 0.5, "mode": 1.0, "high": 2.0}
    assert scale_distribution({"dist": "empirical", "values": [1, 3]}, 2)["values"] == [2, 6]


def test_bad_form_values_are_named_and_kept():
    changes = parse_changes({"extra_servers": "many", "extra_from": "25:00", "extra_to": "12:00",
                             "express_share": "0.95", "samples": "on"})
    assert set(changes.errors) >= {"extra_servers", "extra_from", "express_share"}
    assert changes.extra_from == "25:00" and changes.samples is True
    ok = parse_changes({"extra_servers": "1", "extra_from": "11:00", "extra_to": "14:00"})
    assert ok.errors == {} and ok.extra_servers == 1


def test_field_data_from_demo_visits(db):
    """The demo's stopwatch marks become per-visit waits and paired ratings."""
    from fieldapp.planner import observations
    store_ids = [r["id"] for r in db.query("SELECT id FROM stores WHERE code = 'HD02'")]
    data = observations.field_data(db, store_ids, "2000-01-01", "2100-01-01")
    assert data["visits"] >= 5
    assert {r["event"] for r in data["timings"]} >= {"queue_joined", "order_taken", "served"}
    assert len(data["traffic"]) >= 4 * 14 and all(r["count"] >= 0 for r in data["traffic"])
    assert [r["hour"] for r in data["staffing"]] == list(range(8, 22))
    assert data["ratings"] and all(1 <= r["rating"] <= 5 and r["wait_min"] >= 0 for r in data["ratings"])
    per_visit = {}
    for rec in data["timings"]:
        per_visit.setdefault(rec["visit"], []).append(rec["event"])
    assert all(len(events) == len(set(events)) for events in per_visit.values())


def test_observed_waits_start_in_store_time_after_opening():
    """A wait that began at 12:30 in Seoul is 270 minutes after an 08:00 opening."""
    from fieldapp.planner.observations import waits_and_starts
    records = [
        {"visit": 1, "store": "X", "station": "counter", "event": "queue_joined", "timestamp": "2026-11-20T03:30:00+00:00"},
        {"visit": 1, "store": "X", "station": "counter", "event": "order_taken", "timestamp": "2026-11-20T03:34:30+00:00"},
        {"visit": 2, "store": "X", "station": "counter", "event": "queue_joined", "timestamp": "2026-11-21T00:05:00+00:00"},
    ]
    waits, starts = waits_and_starts(records, "08:00")
    assert waits == [4.5] and starts == [270.0]


def test_rota_per_hour_replaces_the_baseline_hours():
    """11:00 with 3 servers and 20:00 with 1, the rest as the baseline (08:00 opening)."""
    from fieldapp.planner.whatif import servers_per_hour
    changes = parse_changes({"servers_h11": "3", "servers_h20": "1", "servers_h12": ""})
    assert changes.errors == {} and changes.servers_by_hour == {"11": 3, "20": 1}
    spec = apply_changes(BASE, changes, "08:00")
    hours = dict(servers_per_hour(spec, "08:00"))
    assert hours[11] == 3 and hours[20] == 1 and hours[12] == 2 and hours[8] == 2
    assert dict(servers_per_hour(BASE, "08:00"))[11] == 2
    scenario_from_dict(spec)


def test_bad_rota_value_is_named():
    changes = parse_changes({"servers_h11": "lots"})
    assert changes.errors == {"servers_h11": "0–20"}
