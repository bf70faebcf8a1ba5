"""Customers' answers as rows: the dashboard's and period report's customer figures,
summed in SQL, equal the figures computed answer by answer from the JSON record;
flagging and re-submitting keep the rows true; migration 0013 backfills them."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldapp.storage import checklist_store, reporting, stores, voice_results
from fieldapp.storage import voice as store
from fieldapp.storage.db import connect, migrate
from fieldapp.voice import analytics, parts, workflow
from insights import csat, csat_of_sums, nps, nps_of_counts
from tests.conftest import demo_today


def reference(db, stores_, start, end) -> dict:
    """The customer figures computed answer by answer from each answer's JSON."""
    lo, hi = reporting.utc_bounds(start, end)
    rows = store.submitted_responses(db, [s["id"] for s in stores_], lo, hi)
    checklist = checklist_store.load_pinned(db, rows[-1]["checklist_row_id"])
    nps_key, overall_key = rows[-1]["nps_item"], rows[-1]["overall_item"]

    def block(group):
        return {"n": len(group), "nps": nps([r["answers"].get(nps_key) for r in group]),
                "overall": csat([r["answers"].get(overall_key) for r in group])}

    by_store, by_region = defaultdict(list), defaultdict(list)
    for r in rows:
        by_store[r["store_id"]].append(r)
        by_region[r["region"]].append(r)
    stages = {}
    for stage in parts.customer_stages(checklist):
        tps = parts.rated_touchpoints(stage)
        if not tps:
            continue
        per_answer = []
        for r in rows:
            values = [v for v in (parts.touchpoint_rating(tp, r["answers"]) for tp in tps) if v is not None]
            per_answer.append(sum(values) / len(values) if values else None)
        stages[stage.key] = (csat(per_answer), {tp.key: csat([parts.touchpoint_rating(tp, r["answers"]) for r in rows])
                                                for tp in tps})
    return {**block(rows), "stores": {k: block(v) for k, v in by_store.items()},
            "regions": {k: block(v) for k, v in by_region.items()}, "stages": stages}


def assert_same(got: dict, want: dict) -> None:
    def same_block(a, b):
        assert a["n"] == b["n"]
        assert (a["nps"].n, a["nps"].promoters, a["nps"].detractors) == (b["nps"].n, b["nps"].promoters,
                                                                         b["nps"].detractors)
        assert a["nps"].score == pytest.approx(b["nps"].score)
        assert (a["overall"].n, a["overall"].satisfied) == (b["overall"].n, b["overall"].satisfied)
        assert a["overall"].mean100 == pytest.approx(b["overall"].mean100)
        assert a["overall"].mean_low == pytest.approx(b["overall"].mean_low)

    same_block(got, want)
    for row in got["stores"]:
        same_block(row, want["stores"][row["store"]["id"]])
    for row in got["regions"]:
        same_block(row, want["regions"][row["region"]])
    assert {row["stage"].key for row in got["stages"]} == set(want["stages"])
    for row in got["stages"]:
        stage_csat, tp_csat = want["stages"][row["stage"].key]
        for a, b in [(row["csat"], stage_csat)] + [(t["csat"], tp_csat[t["touchpoint"].key])
                                                   for t in row["touchpoints"]]:
            assert (a.n, a.satisfied) == (b.n, b.satisfied) and a.n > 0
            assert (a.mean100, a.mean_low, a.mean_high) == pytest.approx((b.mean100, b.mean_low, b.mean_high))


def test_summary_from_rows_equals_the_answers(db):
    """On the demo, for each store and for all of them: every number equal."""
    org = stores.org_stores(db, 1)
    end = demo_today()
    for chosen in [org] + [[s] for s in org]:
        got = analytics.summary(db, chosen, end - timedelta(days=30), end)
        if not store.submitted_responses(db, [s["id"] for s in chosen]):
            assert got is None
            continue
        assert got["n"] > 50
        assert_same(got, reference(db, chosen, end - timedelta(days=30), end))
    assert analytics.summary(db, org, date(2001, 1, 1), date(2001, 1, 31)) is None


def test_flag_and_unflag_move_the_rows(db):
    """A flagged answer's rows stop counting in the same transaction; unflagging restores them."""
    org = stores.org_stores(db, 1)
    end = demo_today()
    victim = next(db.query("SELECT id FROM voice_responses WHERE status = 'submitted' AND flagged = 0 "
                           "AND resume_key LIKE 'demo-HU03%' LIMIT 1"))["id"]
    before = analytics.summary(db, org, end - timedelta(days=30), end)
    workflow.set_flag(db, victim, flagged=True, note="spam", actor_id=None)
    assert {r["counted"] for r in db.query("SELECT counted FROM voice_parts WHERE response_id = ?", [victim])} == {0}
    flagged = analytics.summary(db, org, end - timedelta(days=30), end)
    assert flagged["n"] == before["n"] - 1
    assert_same(flagged, reference(db, org, end - timedelta(days=30), end))
    workflow.set_flag(db, victim, flagged=False, note="", actor_id=None)
    assert_same(analytics.summary(db, org, end - timedelta(days=30), end),
                reference(db, org, end - timedelta(days=30), end))


def test_parts_follow_a_resubmitted_answer(db):
    """A panel member edits and re-submits: the rows are the new answer's."""
    response = next(db.query("SELECT x.*, r.checklist_row_id FROM voice_responses x "
                             "JOIN voice_rounds r ON r.id = x.round_id WHERE x.status = 'submitted' "
                             "AND x.flagged = 0 LIMIT 1"))
    link = next(db.query("SELECT l.*, r.retention_days, r.nps_item, r.overall_item, s.name AS store_name "
                         "FROM voice_links l JOIN voice_rounds r ON r.id = l.round_id "
                         "JOIN stores s ON s.id = l.store_id WHERE l.id = ?", [response["link_id"]]))
    checklist = checklist_store.load_pinned(db, response["checklist_row_id"])
    answers = {**json.loads(response["answers_json"]), "clean_rating": 1, "wait_rating": 5}
    store.save_answers(db, response["id"], answers, nps=8, overall=answers.get("overall_rating"), locale="ko")
    workflow.submit(db, response={**response, "alerted_at": "x"}, link=link, checklist=checklist, device_hash=None,
                    local_day=demo_today().isoformat(), consent=False, contact_name="", contact="")
    got = voice_results.parts_of(db, response["id"])
    assert got == parts.response_parts(checklist, answers)
    assert got["tp:store_hygiene"] == 1 and got["tp:queue"] == 5


def test_migration_backfills_the_answers(instance):
    """On the demo as before 0013, the migration writes the rows the demo wrote."""
    path = str(instance / "cem.sqlite3")
    db = connect(path)
    written = db.execute("SELECT * FROM voice_parts ORDER BY response_id, part").fetchall()
    assert len(written) > 1000
    with db.atomic():
        db.execute("DROP TABLE voice_parts")
        db.execute("DROP TABLE voice_part_hours")
        db.execute("DROP INDEX voice_responses_counted")
        db.execute("DELETE FROM _sqlite_migrations WHERE name = '0013_voice_parts'")
    db.close()
    assert migrate(path) == ["0013_voice_parts"]
    db = connect(path)
    assert db.execute("SELECT * FROM voice_parts ORDER BY response_id, part").fetchall() == written
    assert_hours_add_up(db)
    db.close()


HOURS_FROM_ROWS = ("SELECT part, substr(submitted_at, 1, 13), checklist_row_id, count(*), total(value >= 4), "
                   "total(value), total(value * value) FROM voice_parts WHERE counted = 1 GROUP BY 1, 2, 3")


def assert_hours_add_up(db) -> None:
    """The hour table holds, for every hour with counted rows, exactly their sums."""
    want = {r[:3]: r[3:] for r in db.execute(HOURS_FROM_ROWS)}
    got = {r[:3]: r[3:] for r in db.execute("SELECT part, hour, checklist_row_id, n, satisfied, total, total_sq "
                                            "FROM voice_part_hours WHERE n > 0")}
    assert len(want) > 100 and got.keys() == want.keys()
    for key, (n, satisfied, total, total_sq) in want.items():
        assert got[key][:2] == (n, satisfied) and got[key][2:] == pytest.approx((total, total_sq))


def test_hour_sums_follow_flags_and_resubmits(db):
    """The triggers keep the hours equal to the rows through a flag, an unflag and a re-submit."""
    assert_hours_add_up(db)
    victim = next(db.query("SELECT id, answers_json FROM voice_responses WHERE status = 'submitted' "
                           "AND flagged = 0 LIMIT 1"))
    workflow.set_flag(db, victim["id"], flagged=True, note="spam", actor_id=None)
    assert_hours_add_up(db)
    workflow.set_flag(db, victim["id"], flagged=False, note="", actor_id=None)
    with db.atomic():
        voice_results.write_parts(db, victim["id"], {"tp:queue": 1.0, "stage:ordering": 2.5})
    assert_hours_add_up(db)


@pytest.mark.parametrize("lo, hi", [
    ("2026-01-01T00:00:00+00:00", "2100-01-01T00:00:00+00:00"),  # whole hours only
    ("2026-01-01T00:17:41+00:00", "2100-01-01T00:00:00+00:00"),
    (None, None),                                                # the demo's last 9 days, cut mid-hour
])
def test_every_store_sums_equal_the_rows(db, lo, hi):
    """Whole hours from the hour table plus the partial edges from the rows equal the rows alone."""
    if lo is None:
        stamps = [r[0] for r in db.execute("SELECT submitted_at FROM voice_parts WHERE counted = 1 "
                                           "ORDER BY submitted_at")]
        lo = stamps[len(stamps) * 2 // 3][:14] + "31:07+00:00"
        hi = stamps[-5][:14] + "29:59+00:00"
    ids = [s["id"] for s in stores.org_stores(db, 1)]
    assert stores.are_every_store(db, ids)
    row_ids = [r[0] for r in db.execute("SELECT DISTINCT checklist_row_id FROM voice_parts")]
    names = [r[0] for r in db.execute("SELECT DISTINCT part FROM voice_parts")]
    fast = voice_results.part_sums(db, ids, lo, hi, row_ids, names, every_store=True)
    slow = voice_results.part_sums(db, ids, lo, hi, row_ids, names, every_store=False)
    assert fast.keys() == slow.keys() and len(fast) >= 5
    for part, (n, satisfied, total, total_sq) in slow.items():
        assert fast[part][:2] == (n, satisfied) and fast[part][2:] == pytest.approx((total, total_sq))


@given(st.lists(st.one_of(st.none(), st.integers(-2, 12)), max_size=60))
def test_nps_of_counts_equals_nps(scores):
    valid = [s for s in scores if s is not None and 0 <= s <= 10]
    assert nps_of_counts(len(valid), sum(s >= 9 for s in valid), sum(s <= 6 for s in valid)) == nps(scores)


@given(st.lists(st.one_of(st.none(), st.floats(0, 6, allow_nan=False)), max_size=60))
def test_csat_of_sums_equals_csat(ratings):
    valid = [r for r in ratings if r is not None and 1 <= r <= 5]
    scaled = [(r - 1) / 4 * 100 for r in valid]
    got = csat_of_sums(len(valid), sum(r >= 4 for r in valid), sum(scaled), sum(x * x for x in scaled))
    want = csat(ratings)
    assert (got.n, got.satisfied, got.share) == (want.n, want.satisfied, want.share)
    for a, b in ((got.mean100, want.mean100), (got.mean_low, want.mean_low), (got.mean_high, want.mean_high)):
        assert a == pytest.approx(b, abs=1e-6)
