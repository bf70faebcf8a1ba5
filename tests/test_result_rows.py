"""Result rows: written with the frozen score, equal to what the scorer computes,
backfilled by migration 0008; dashboard exports stream them with flat memory."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checklists import item_results, load_library, score_visit
from checklists.scoring import score_results
from fieldapp.audit import workflow
from fieldapp.storage import checklist_store, photos, results, stores, users, visits
from fieldapp.storage.db import connect, migrate
from tests.checklists.test_checklists_properties import visits as random_visits
from tests.conftest import make_app
from tests.test_reports import login

LIBRARY = load_library()
CHECKLISTS = ("doughnut-mystery-shop", "aritaum-store-experience")  # the second has skip logic


def assert_rows_equal_scorer(db, visit_id: int, checklist, answers) -> None:
    """The stored rows are the scorer's stages, touchpoints and items, and add up to its score."""
    expected = score_visit(checklist, answers)
    rows = results.rows_of_visit(db, visit_id)
    assert rows["stages"] == expected.stages
    assert rows["touchpoints"] == expected.touchpoints
    assert {k for k, r in rows["items"].items() if r["failed"]} == set(expected.failed_items)
    per_item = {r.key: r for r in item_results(checklist, answers)}
    assert set(rows["items"]) == set(per_item)
    for key, row in rows["items"].items():
        assert row["score"] == per_item[key].score
        assert row["value"] == results.numeric(per_item[key].value)
    rebuilt = score_results(checklist, [per_item[k] for k in rows["items"]])
    assert (rebuilt.score, rebuilt.passed, rebuilt.critical_failures) == \
        (expected.score, expected.passed, expected.critical_failures)


# --- the rows equal the scorer ------------------------------------------------------

@pytest.fixture(scope="module")
def chain_db(tmp_path_factory):
    """A migrated database with one store, one auditor and the library checklists."""
    path = str(tmp_path_factory.mktemp("rows") / "cem.sqlite3")
    migrate(path)
    db = connect(path)
    org = stores.create_organisation(db, "org")
    store = stores.create_store(db, org_id=org, code="S1", name="S1", region="R", chain="C")
    auditor = users.create_user(db, org_id=org, username="a", password="password-1", role="auditor",
                                store_ids=(store,))
    row_ids = {cid: checklist_store.save_checklist(db, LIBRARY[cid]) for cid in CHECKLISTS}
    yield db, store, auditor, row_ids
    db.close()


@settings(max_examples=150)
@given(visit=random_visits())
def test_rows_round_trip_random_checklists(chain_db, visit):
    """For random checklists (skip logic included) and answers, the rows SQLite gives
    back are exactly the scorer's results."""
    db, store, auditor, row_ids = chain_db
    checklist, answers = visit
    visit_id = visits.create_visit(db, checklist_row_id=row_ids[CHECKLISTS[0]], store_id=store,
                                   auditor_id=auditor, covert=False)
    result = score_visit(checklist, answers)
    results.write_visit_results(db, visit_id, stages=result.stages, touchpoints=result.touchpoints,
                                items=item_results(checklist, answers))
    assert_rows_equal_scorer(db, visit_id, checklist, answers)


def value_for(draw, item):
    t = item.type
    if t in ("yes_no", "yes_no_na"):
        return draw(st.sampled_from(("yes", "no", "na") if t == "yes_no_na" else ("yes", "no")))
    if t == "rating":
        return draw(st.integers(1, 5))
    if t == "number":
        lo = item.min if item.min is not None else 0.0
        return draw(st.floats(lo, item.max if item.max is not None else lo + 500, allow_nan=False))
    if t == "timer":
        return draw(st.floats(0, 1800, allow_nan=False))
    if t == "choice":
        return draw(st.sampled_from(item.choices)).key
    if t == "multi_choice":
        return draw(st.lists(st.sampled_from([c.key for c in item.choices]), min_size=1, unique=True))
    if t == "text":
        return draw(st.sampled_from(("괜찮았어요", "slow")))
    return None  # photos are counted from stored photos; notes carry nothing


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(CHECKLISTS), st.data())
def test_submit_stores_rows_equal_to_the_scorer(chain_db, checklist_id, data):
    """A random visit submitted through the workflow has rows equal to ``score_visit``."""
    db, store, auditor, row_ids = chain_db
    checklist = LIBRARY[checklist_id]
    visit_id = visits.create_visit(db, checklist_row_id=row_ids[checklist_id], store_id=store,
                                   auditor_id=auditor, covert=True)

    def answer(item):
        if item.type == "photo" or item.photo_on_fail:
            photos.add_photo(db, visit_id=visit_id, item_key=item.key, filename="x.jpg", thumb_filename="t.jpg",
                             width=1, height=1, size=1, uploaded_by=auditor)
        value = value_for(data.draw, item)
        if value is not None:
            visits.save_answer(db, visit_id=visit_id, item_key=item.key, value=value, user_id=auditor)

    for item in checklist.items():
        if data.draw(st.integers(0, 3)):  # about one in four left unanswered
            answer(item)
    for _ in range(3):  # fill what submit asks for, then submit again
        try:
            workflow.submit(db, visit_id, auditor)
            break
        except workflow.MissingItems as exc:
            for missing in exc.missing:
                answer(checklist.item(missing.item_key))
    assert visits.get_visit(db, visit_id)["status"] == "submitted"
    assert_rows_equal_scorer(db, visit_id, checklist, workflow.scoring_answers(db, checklist, visit_id))


def assert_stage_rows_say_where(db):
    """Every stage row carries its visit's store, start, version and released flag."""
    assert db.execute("SELECT count(*) FROM visit_stage_results r JOIN visits v ON v.id = r.visit_id "
                      "WHERE r.store_id IS NOT v.store_id OR r.started_at IS NOT v.started_at "
                      "OR r.checklist_row_id IS NOT v.checklist_row_id "
                      "OR r.released IS NOT (v.status = 'released')").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM visit_stage_results WHERE released = 1").fetchone()[0] > 20
    assert db.execute("SELECT count(*) FROM visit_stage_results WHERE released = 0").fetchone()[0] > 0


def assert_stage_hours_add_up(db):
    """The hour table holds, for every hour with released stage rows, exactly their sums."""
    want = {r[:3]: r[3:] for r in db.execute(
        "SELECT stage_key, substr(started_at, 1, 13), checklist_row_id, count(score), total(score) "
        "FROM visit_stage_results WHERE released = 1 GROUP BY 1, 2, 3")}
    got = {r[:3]: r[3:] for r in db.execute("SELECT stage_key, hour, checklist_row_id, n, total "
                                            "FROM visit_stage_hours WHERE n > 0")}
    assert len(want) > 20 and got.keys() == want.keys()
    for key, (n, total) in want.items():
        assert got[key][0] == n and got[key][1] == pytest.approx(total)


def test_migration_backfills_the_demo(instance):
    """On the demo as it was before 0008, the migration fills rows equal to the scorer
    (and to the rows submit wrote)."""
    path = str(instance / "cem.sqlite3")
    db = connect(path)
    written = {v: results.rows_of_visit(db, v) for (v,) in
               db.execute("SELECT id FROM visits WHERE score_json IS NOT NULL").fetchall()}
    assert len(written) > 20
    assert_stage_rows_say_where(db)  # as submit and release wrote them
    assert_stage_hours_add_up(db)
    with db.atomic():
        for table in ("visit_stage_results", "visit_touchpoint_results", "visit_item_results"):
            db.execute(f"DROP TABLE {table}")
        db.execute("DROP INDEX visits_released")
        db.execute("DROP INDEX stage_notes_emotion")
        db.execute("DELETE FROM _sqlite_migrations WHERE name IN ('0008_result_rows', '0012_stage_rows_where')")
    db.close()
    assert migrate(path) == ["0008_result_rows", "0012_stage_rows_where"]
    db = connect(path)
    assert_stage_rows_say_where(db)  # filled by 0012 from the visits
    for visit_id, rows in written.items():
        visit = visits.get_visit(db, visit_id)
        checklist = checklist_store.load_pinned(db, visit["checklist_row_id"])
        answers = workflow.scoring_answers(db, checklist, visit_id)
        assert_rows_equal_scorer(db, visit_id, checklist, answers)
        assert results.rows_of_visit(db, visit_id) == rows
        assert json.loads(visit["score_json"])["stages"] == rows["stages"]
    db.close()


# --- streamed exports -----------------------------------------------------------------

@pytest.fixture(scope="module")
def big_chain(tmp_path_factory):
    """20 stores with a year of visits, built by the benchmark's bulk builder."""
    from benchmarks.scale import build

    folder = tmp_path_factory.mktemp("chain")
    today = datetime.now(timezone(timedelta(hours=9))).date()
    built = build(folder, 20, 360, today)
    return folder, today, built


def _peak_and_body(client, url):
    tracemalloc.start()
    r = client.get(url, buffered=False)
    assert r.status_code == 200 and r.is_streamed
    size, chunks = 0, 0
    for chunk in r.response:
        size += len(chunk)
        chunks += 1
    r.close()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, size, chunks


@pytest.mark.slow
def test_exports_are_generators_with_flat_memory(big_chain):
    """Visits CSV and JSON of 120 days and of a year (3x the rows) stream in many
    chunks; peak memory (Python allocations) does not grow with the rows."""
    folder, today, _built = big_chain
    from benchmarks.scale import login as bench_login

    app = make_app(folder)
    admin = bench_login(app, "admin")
    for url in ("/dashboard.csv?table=visits&", "/dashboard.json?"):
        short = f"{url}start={(today - timedelta(days=119)).isoformat()}&end={today.isoformat()}"
        year = f"{url}start={(today - timedelta(days=359)).isoformat()}&end={today.isoformat()}"
        _peak_and_body(admin, short)  # first request: caches and imports, not rows
        peak_short, size_short, _ = _peak_and_body(admin, short)
        peak_year, size_year, chunks = _peak_and_body(admin, year)
        assert size_year > 2.5 * size_short and chunks > 4
        assert peak_year < 1.25 * peak_short, (url, peak_short, peak_year)  # a list of the visits: ~3x
    rows = list(csv.DictReader(io.StringIO(admin.get(
        f"/dashboard.csv?table=visits&start={(today - timedelta(days=359)).isoformat()}&end={today.isoformat()}"
    ).get_data(as_text=True).lstrip("\ufeff"))))
    data = admin.get(f"/dashboard.json?start={(today - timedelta(days=359)).isoformat()}"
                     f"&end={today.isoformat()}").get_json()
    assert len(rows) == len(data["visits"]) == data["visit_count"] > 2000
    assert [int(r["id"]) for r in rows] == [v["id"] for v in data["visits"]]
    assert sum(s["visits"] for s in data["stores"]) == data["visit_count"]
    assert all(1 <= len(s["trend"]) <= results.SPARK_POINTS for s in data["stores"])  # a year: 120 visits


def test_visits_export_holds_every_visit_of_the_period(app, db):
    """The demo's visits CSV lists every released visit of the period, newest first."""
    manager, _ = login(app, "manager")
    data = manager.get("/dashboard.json").get_json()
    rows = list(csv.DictReader(io.StringIO(manager.get("/dashboard.csv?table=visits").get_data(as_text=True)
                                           .lstrip("\ufeff"))))
    assert len(rows) == data["visit_count"] > 10
    assert [r["started_at"] for r in rows] == sorted((r["started_at"] for r in rows), reverse=True)
    assert date.fromisoformat(rows[-1]["started_at"][:10]) >= date.fromisoformat(data["filters"]["start"])


def test_ranking_sums_and_sparklines_equal_the_visits(big_chain):
    """Per store, the grouped scans give the visits' count, mean, passes and last
    start, and a sparkline of slice means equal to averaging the visits by hand."""
    folder, today, _built = big_chain
    db = connect(str(folder / "cem.sqlite3"))
    store_ids = [r[0] for r in db.execute("SELECT id FROM stores ORDER BY id")]
    scope = results.scope(db, store_ids, today - timedelta(days=199), today)
    got = results.store_summaries(db, scope)
    series = results.store_series(db, scope, store_ids, points=12)
    lo, hi = datetime.fromisoformat(scope.lo), datetime.fromisoformat(scope.hi)
    span = (hi - lo).total_seconds()
    for store_id in store_ids:
        rows = db.execute("SELECT started_at, score, passed FROM visits WHERE store_id = ? AND status = 'released' "
                          "AND started_at >= ? AND started_at < ? ORDER BY started_at",
                          [store_id, scope.lo, scope.hi]).fetchall()
        slices: dict[int, list] = {}
        for started, score, _passed in rows:
            at = int((datetime.fromisoformat(started) - lo).total_seconds() / span * 12)
            slices.setdefault(at, []).append(score)
        want_series = [sum(v) / len(v) for _, v in sorted(slices.items())]
        agg = got[store_id]
        assert agg["visits"] == len(rows) > 50
        assert agg["average"] == pytest.approx(sum(r[1] for r in rows) / len(rows))
        assert agg["passed"] == sum(r[2] for r in rows)
        assert agg["last"] == rows[-1][0]
        assert series[store_id] == pytest.approx(want_series) and 8 <= len(want_series) <= 12
    db.close()


@pytest.mark.parametrize("cut", [False, True])
def test_every_store_stage_means_equal_the_visits(big_chain, cut):
    """A chain's stage means from whole hours plus the rows of the partial edge hours
    equal averaging the released visits' stage scores by hand."""
    folder, today, _built = big_chain
    db = connect(str(folder / "cem.sqlite3"))
    assert_stage_hours_add_up(db)
    store_ids = [r[0] for r in db.execute("SELECT id FROM stores ORDER BY id")]
    scope = results.scope(db, store_ids, today - timedelta(days=120), today)
    assert scope.every_store
    if cut:  # a period that starts and ends inside an hour
        scope = replace(scope, lo=scope.lo[:14] + "41:13+00:00", hi=scope.hi[:11] + "02:07:00+00:00")
    keys = [r[0] for r in db.execute("SELECT DISTINCT stage_key FROM visit_stage_results")]
    got = results.stage_means(db, scope, keys)
    by_store = results.stage_means(db, replace(scope, every_store=False), keys)
    for key in keys:
        scores = [r[0] for r in db.execute(
            "SELECT r.score FROM visits v JOIN visit_stage_results r ON r.visit_id = v.id AND r.stage_key = ? "
            "WHERE v.status = 'released' AND v.started_at >= ? AND v.started_at < ? AND r.score IS NOT NULL",
            [key, scope.lo, scope.hi])]
        assert len(scores) > 100
        assert got[key] == pytest.approx(sum(scores) / len(scores)) == by_store[key]
    db.close()
