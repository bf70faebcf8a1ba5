"""Schedules (issue 15): occurrences, idempotent generation over a rolling horizon, visits
spread across the window, shopper rotation, job-board claims within limits, visit windows
enforced when starting, and covert schedules never shown to a store's manager."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from fieldapp.admin import imports
from fieldapp.schedules import planning
from fieldapp.storage import schedules, stores
from fieldapp.storage.db import connect, migrate

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BUSAN = "부산 Busan"
MONDAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def chain_template(tmp_path_factory) -> Path:
    """The sample chain (20 stores, 30 people) and one checklist, imported once (scrypt is slow)."""
    path = tmp_path_factory.mktemp("chain") / "cem.sqlite3"
    migrate(str(path))
    db = connect(str(path))
    org = stores.create_organisation(db, "Sweet Ring")
    imports.import_stores(db, org, "stores.csv", (EXAMPLES / "stores.csv").read_bytes())
    imports.import_users(db, org, "users.csv", (EXAMPLES / "users.csv").read_bytes())
    from checklists import load_checklist
    from fieldapp.storage import checklist_store
    library = Path(__file__).resolve().parents[1] / "checklists" / "library"
    checklist_store.save_checklist(db, load_checklist(sorted(library.glob("*.yaml"))[0]))
    db.close()
    return path


@pytest.fixture
def chain(tmp_path, chain_template):
    """This test's own copy of the sample chain."""
    shutil.copy(chain_template, tmp_path / "cem.sqlite3")
    db = connect(str(tmp_path / "cem.sqlite3"))
    yield db, 1, 1
    db.close()


def make(db, org, row_id, **overrides) -> dict:
    values = {"name": "Busan weekly", "checklist_row_id": row_id, "store_mode": "region",
              "store_value": BUSAN, "frequency": "weekly", "interval_days": 7, "weekdays": "0",
              "month_day": 1, "window_days": 7, "covert": 1, "assign_mode": "rotate",
              "claim_limit": 2, "horizon_days": 27, "start_date": MONDAY.isoformat()}
    values.update(overrides)
    schedule_id = schedules.create_schedule(db, org_id=org, created_by=1, values=values)
    return schedules.get_schedule(db, schedule_id)


def test_occurrences_weekly_every_n_days_and_monthly():
    base = {"start_date": "2026-11-30", "interval_days": 10, "weekdays": "0,3", "month_day": 31}
    weekly = planning.occurrences({**base, "frequency": "weekly"}, date(2026, 11, 30), date(2026, 12, 13))
    assert weekly == [date(2026, 11, 30), date(2026, 12, 3), date(2026, 12, 7), date(2026, 12, 10)]
    every = planning.occurrences({**base, "frequency": "every_n_days"}, date(2026, 12, 5), date(2027, 1, 1))
    assert every == [date(2026, 12, 10), date(2026, 12, 20), date(2026, 12, 30)]
    monthly = planning.occurrences({**base, "frequency": "monthly"}, date(2026, 11, 1), date(2027, 3, 1))
    assert monthly == [date(2026, 11, 30), date(2026, 12, 31), date(2027, 1, 31), date(2027, 2, 28)]
    before_start = planning.occurrences({**base, "frequency": "weekly"}, date(2026, 11, 1), date(2026, 11, 29))
    assert before_start == []


def test_generation_is_idempotent_and_rolls_forward(chain):
    db, org, row_id = chain
    schedule = make(db, org, row_id)
    busan = [s for s in stores.org_stores(db, org) if s["region"] == BUSAN]
    first = planning.run_schedule(db, schedule, MONDAY)
    assert first.slots == 4 * len(busan)  # Mondays 30 Nov, 7, 14, 21 Dec within 27 days
    count = db.execute("SELECT count(*) FROM assignments").fetchone()[0]
    again = planning.run_schedule(db, schedule, MONDAY)
    assert (again.slots, again.assigned) == (0, 0)
    assert db.execute("SELECT count(*) FROM assignments").fetchone()[0] == count
    later = planning.run_schedule(db, schedule, MONDAY + timedelta(days=7))  # horizon moves a week
    assert later.slots == len(busan)
    results = planning.run_all(db, MONDAY + timedelta(days=7))
    assert [r.slots for r in results.values()] == [0]


def test_visits_are_spread_across_the_window(chain):
    db, org, row_id = chain
    schedule = make(db, org, row_id, horizon_days=6)
    planning.run_schedule(db, schedule, MONDAY)
    planned = [r[0] for r in db.execute("SELECT planned_date FROM schedule_slots ORDER BY store_id")]
    assert len(planned) == 5
    assert len(set(planned)) == 5  # five stores, five different days of the week
    assert all(MONDAY.isoformat() <= p <= (MONDAY + timedelta(days=6)).isoformat() for p in planned)
    assert planning.spread(MONDAY, 7, 0, 1) == MONDAY


def test_rotation_never_sends_the_same_shopper_twice_in_a_row(chain):
    db, org, row_id = chain
    schedule = make(db, org, row_id, horizon_days=70)
    result = planning.run_schedule(db, schedule, MONDAY)
    assert result.assigned == result.slots > 0
    rows = list(db.query("SELECT a.store_id, a.auditor_id, u.mystery_shopper, u.region FROM assignments a "
                         "JOIN users u ON u.id = a.auditor_id ORDER BY a.store_id, a.window_start"))
    assert all(r["mystery_shopper"] == 1 and r["region"] == BUSAN for r in rows)
    by_store: dict[int, list[int]] = {}
    for r in rows:
        by_store.setdefault(r["store_id"], []).append(r["auditor_id"])
    for sequence in by_store.values():
        assert all(a != b for a, b in zip(sequence, sequence[1:])), sequence
    loads = {}
    for r in rows:
        loads[r["auditor_id"]] = loads.get(r["auditor_id"], 0) + 1
    assert len(loads) == 3 and max(loads.values()) - min(loads.values()) <= 1  # three shoppers share evenly


def test_with_a_single_shopper_the_visits_after_theirs_go_to_the_job_board(chain):
    db, org, row_id = chain
    db.execute("UPDATE users SET active = 0 WHERE username IN ('shopper05', 'shopper06')")
    schedule = make(db, org, row_id, store_mode="list", store_value=json.dumps(["BS01"]), horizon_days=21)
    result = planning.run_schedule(db, schedule, MONDAY)
    # the one shopper stays the store's last visitor until someone else takes a visit
    assert (result.slots, result.assigned, result.left_open) == (4, 1, 3)
    taken = [r[0] for r in db.execute("SELECT assignment_id IS NOT NULL FROM schedule_slots ORDER BY occurrence")]
    assert taken == [1, 0, 0, 0]


def user(db, username):
    return next(db.query("SELECT * FROM users WHERE username = ?", [username]))


def test_claims_respect_region_covert_limit_rotation_and_first_come(chain):
    db, org, row_id = chain
    schedule = make(db, org, row_id, assign_mode="board", claim_limit=2, horizon_days=13)
    planning.run_schedule(db, schedule, MONDAY)
    slots = [r[0] for r in db.execute("SELECT id FROM schedule_slots ORDER BY occurrence, store_id")]
    shopper = user(db, "shopper04")  # Busan mystery shopper
    seoul = user(db, "shopper01")
    internal = next(db.query("SELECT * FROM users WHERE role = 'auditor' AND mystery_shopper = 0 "
                             "AND region = ?", [BUSAN]))
    with pytest.raises(planning.ClaimRefused) as refused:
        planning.claim(db, seoul, slots[0], MONDAY)
    assert refused.value.code == "not_yours"
    with pytest.raises(planning.ClaimRefused) as refused:
        planning.claim(db, internal, slots[0], MONDAY)
    assert refused.value.code == "not_yours"  # covert visits are for mystery shoppers only
    first = planning.claim(db, shopper, slots[0], MONDAY)
    assert db.execute("SELECT auditor_id, covert, schedule_id FROM assignments WHERE id = ?",
                      [first]).fetchone() == (shopper["id"], 1, schedule["id"])
    with pytest.raises(planning.ClaimRefused) as refused:
        planning.claim(db, user(db, "shopper05"), slots[0], MONDAY)
    assert refused.value.code == "taken"
    # the same store next week: this shopper made its last visit
    next_week = next(r[0] for r in db.execute(
        "SELECT id FROM schedule_slots WHERE store_id = (SELECT store_id FROM schedule_slots WHERE id = ?) "
        "AND occurrence > ?", [slots[0], MONDAY.isoformat()]))
    with pytest.raises(planning.ClaimRefused) as refused:
        planning.claim(db, shopper, next_week, MONDAY)
    assert refused.value.code == "rotation"
    planning.claim(db, shopper, slots[1], MONDAY)
    with pytest.raises(planning.ClaimRefused) as refused:
        planning.claim(db, shopper, slots[2], MONDAY)
    assert (refused.value.code, refused.value.params) == ("limit", {"limit": 2})
    with pytest.raises(planning.ClaimRefused) as refused:
        planning.claim(db, shopper, slots[3], MONDAY + timedelta(days=30))
    assert refused.value.code == "gone"  # its window has ended


def test_job_board_lists_only_what_the_auditor_may_claim(chain):
    db, org, row_id = chain
    make(db, org, row_id, assign_mode="board", horizon_days=6)
    planning.run_all(db, MONDAY)
    busan = schedules.job_board(db, org, MONDAY.isoformat(), region=BUSAN, mystery_shopper=True)
    assert len(busan) == 5 and {r["region"] for r in busan} == {BUSAN}
    assert schedules.job_board(db, org, MONDAY.isoformat(), region=BUSAN, mystery_shopper=False) == []
    assert schedules.job_board(db, org, MONDAY.isoformat(), region="서울 Seoul", mystery_shopper=True) == []


def test_two_shoppers_racing_for_one_visit_one_wins(chain, tmp_path):
    """Real threads, each with its own connection: the slot is given once."""
    import threading

    db, org, row_id = chain
    make(db, org, row_id, assign_mode="board", horizon_days=6)
    planning.run_all(db, MONDAY)
    slot_id = db.execute("SELECT id FROM schedule_slots ORDER BY id LIMIT 1").fetchone()[0]
    racers = [user(db, "shopper04"), user(db, "shopper05"), user(db, "shopper06")]
    outcomes, barrier = [], threading.Barrier(len(racers))

    def race(person):
        own = connect(str(tmp_path / "cem.sqlite3"))
        barrier.wait()
        try:
            outcomes.append(("won", planning.claim(own, person, slot_id, MONDAY)))
        except planning.ClaimRefused as exc:
            outcomes.append((exc.code, None))
        finally:
            own.close()

    threads = [threading.Thread(target=race, args=(p,)) for p in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o[0] for o in outcomes) == ["taken", "taken", "won"]
    assert db.execute("SELECT count(*) FROM assignments WHERE schedule_id IS NOT NULL").fetchone()[0] == 1


def test_the_periodic_work_runs_the_rolling_horizon(app, db):
    from fieldapp.ops import tasks

    schedule = make(db, 1, 1, store_mode="list", store_value=json.dumps(["GN01"]),
                    start_date=date.today().isoformat(), weekdays="0,1,2,3,4,5,6", window_days=1,
                    horizon_days=3, assign_mode="board")
    with app.app_context():
        tasks.rolling_horizon.call_local()
    assert db.execute("SELECT count(*) FROM schedule_slots WHERE schedule_id = ?",
                      [schedule["id"]]).fetchone()[0] >= 4
