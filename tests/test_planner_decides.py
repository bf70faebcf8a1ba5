"""Issue 18 through real HTTP and the real CLI: field inputs, staffing, adoption, an honest fit."""

import io
import re

import pytest
from openpyxl import Workbook

from fieldapp.planner import jobs
from fieldapp.storage import planning
from tests.conftest import Auth

EXAMPLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def planner(app):
    client = app.test_client()
    auth = Auth(client)
    auth.login("planner")
    return client, auth


def store_id(db, code):
    return next(db.query("SELECT id FROM stores WHERE code = ?", [code]))["id"]


def table_dump(db):
    return (list(db.query("SELECT * FROM traffic_counts ORDER BY store_id, day, slot_start")),
            list(db.query("SELECT * FROM rota ORDER BY store_id, weekday, station, hour")))


# -- imports -------------------------------------------------------------------------------

def test_import_rota_and_traffic_from_the_command_line_twice_changes_nothing(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["import-rota", str(EXAMPLES / "rota.csv")])
    assert first.exit_code == 0, first.output
    hd = store_id(db, "HD02")
    sat_noon = db.execute("SELECT servers FROM rota WHERE store_id = ? AND weekday = 5 AND hour = 18",
                          [hd]).fetchone()[0]
    mon_noon = db.execute("SELECT servers FROM rota WHERE store_id = ? AND weekday = 0 AND hour = 17",
                          [hd]).fetchone()[0]
    assert (sat_noon, mon_noon) == (3, 2)   # the Saturday row wins over the every-day row
    assert runner.invoke(args=["import-traffic", str(EXAMPLES / "traffic.csv")]).exit_code == 0
    before = table_dump(db)
    again = runner.invoke(args=["import-rota", str(EXAMPLES / "rota.csv")])
    assert "0 new, 0 changed" in again.output
    again = runner.invoke(args=["import-traffic", str(EXAMPLES / "traffic.csv")])
    assert again.exit_code == 0 and "0 new, 0 changed" in again.output
    assert table_dump(db) == before


def test_a_bad_file_changes_nothing_and_every_problem_is_located(app, db, tmp_path):
    bad = tmp_path / "counts.csv"
    bad.write_text("store,day,slot_start,count\n"
                   "HD02,2026-11-01,08:00,5\n"           # fine, but must not be stored
                   "HD02,2026-13-01,08:00,3\n"
                   "NOPE,2026-11-01,08:07,-1\n"
                   "HD02,2026-11-01,08:00,6\n", encoding="utf-8")
    before = table_dump(db)
    result = app.test_cli_runner().invoke(args=["import-traffic", str(bad)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert "counts.csv:3: day: not a day as YYYY-MM-DD" in lines
    assert "counts.csv:4: store: unknown store code NOPE" in lines
    assert any(line.startswith("counts.csv:4: slot_start:") for line in lines)
    assert any(line.startswith("counts.csv:4: count:") for line in lines)
    assert "counts.csv:5: slot_start: repeated (first on row 2)" in lines
    assert table_dump(db) == before


def test_rota_from_xlsx_with_a_missing_column_is_refused(app, db, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["store", "hour"])
    ws.append(["GN01", 9])
    path = tmp_path / "rota.xlsx"
    wb.save(path)
    result = app.test_cli_runner().invoke(args=["import-rota", str(path)])
    assert result.exit_code == 2 and result.output.strip() == "rota.xlsx:1: servers: missing column (need store, hour, servers)"
    ws["C1"], ws["C2"], ws["D1"], ws["D2"] = "servers", 4, "weekday", "화"
    wb.save(path)
    assert app.test_cli_runner().invoke(args=["import-rota", str(path)]).exit_code == 0
    gn = store_id(db, "GN01")
    assert db.execute("SELECT servers FROM rota WHERE store_id = ? AND weekday = 1 AND hour = 9",
                      [gn]).fetchone()[0] == 4


def test_upload_page_previews_then_imports_and_shows_errors_in_korean(planner, db):
    client, auth = planner
    token = auth.token("/planner/inputs")
    data = (EXAMPLES / "traffic.csv").read_bytes()
    before = table_dump(db)
    preview = client.post("/planner/inputs", data={"csrf_token": token, "kind": "traffic", "action": "check",
                                                   "file": (io.BytesIO(data), "traffic.csv")},
                          content_type="multipart/form-data", headers={"HX-Request": "true"})
    assert preview.status_code == 200 and 'id="import-preview"' in preview.get_data(as_text=True)
    assert table_dump(db) == before   # a preview writes nothing
    done = client.post("/planner/inputs", data={"csrf_token": token, "kind": "traffic", "action": "import",
                                                "file": (io.BytesIO(data), "traffic.csv")},
                       content_type="multipart/form-data")
    assert done.status_code == 200 and 'id="import-done"' in done.get_data(as_text=True)
    assert len(table_dump(db)[0]) == len(before[0]) + 112
    bad = b"store,hour,servers\nHD02,25,2\n"
    refused = client.post("/planner/inputs", data={"csrf_token": token, "kind": "rota", "action": "import",
                                                   "file": (io.BytesIO(bad), "rota.csv")},
                          content_type="multipart/form-data", headers={"Accept-Language": "ko"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "rota.csv:2: hour:" in page
    assert "not an hour" not in page   # said in Korean


# -- the fit check, the what-if's words, levers ----------------------------------------------

@pytest.mark.parametrize("code", ["HD02", "GN01"])
def test_the_demo_fit_check_says_do_not_trust_yet(app, planner, db, code):
    client, auth = planner
    r = client.post("/planner/baseline", data={"scope": f"s{store_id(db, code)}", "date_from": "2000-01-01",
                                               "date_to": "2100-01-01", "csrf_token": auth.token("/planner/")})
    scenario_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    jobs.run_pending(app)
    fit = next(db.query("SELECT id FROM sim_jobs WHERE kind = 'fitcheck' ORDER BY id DESC LIMIT 1"))
    result = planning.get_job(db, fit["id"])["result"]
    assert result["verdict"]["code"] in ("too_few", "do_not_trust_gap")
    page = client.get(f"/planner/s/{scenario_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Do not trust yet." in page and "fit-ok" not in page
    ko = client.get(f"/planner/s/{scenario_id}", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    # the scenario file itself (YAML, in a closed <details>) is the exchange format, not a label
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<pre>.*?</pre>", "", ko.split("<main", 1)[1], flags=re.S))
    for english in ("lognormal", "AIC", "KS", "staff hours", "Staff hours", ".yaml"):
        assert english not in text, english


def test_car_rental_template_offers_no_doughnut_levers(planner):
    client, auth = planner
    r = client.post("/planner/template", data={"template": "avis_members.yaml", "csrf_token": auth.token("/planner/")})
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'name="samples"' not in page and 'name="show_in_view"' not in page
    heading = re.search(r"<h1>(.*?)</h1>", page.split("<main", 1)[1], re.S).group(1)
    assert 'name="wait_info_shown"' in page and "avis_members" not in heading and "렌터카" in heading
    scenario_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    saved = client.post(f"/planner/s/{scenario_id}/changes",
                        data={"samples": "1", "csrf_token": auth.token(f"/planner/s/{scenario_id}")})
    assert saved.status_code == 200 and "samples" not in re.sub(r"<[^>]+>", "", saved.get_data(as_text=True))


# -- staffing, trying it, adopting it, and the home page ---------------------------------------

def test_staffing_target_try_it_and_adopt(app, planner, db):
    client, auth = planner
    r = client.post("/planner/template", data={"template": "doughnut_saturday.yaml",
                                               "csrf_token": auth.token("/planner/")})
    scenario_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    token = auth.token(f"/planner/s/{scenario_id}")
    bad = client.post(f"/planner/s/{scenario_id}/staff", data={"measure0": "p90_wait_min", "value0": "-2",
                                                               "csrf_token": token})
    assert bad.status_code == 422 and 'id="err-value0"' in bad.get_data(as_text=True)
    assert 'value="-2"' in bad.get_data(as_text=True)   # what was typed is kept
    r = client.post(f"/planner/s/{scenario_id}/staff", data={"measure0": "p90_wait_min", "value0": "3",
                                                             "csrf_token": token})
    staff_job = int(r.headers["Location"].rstrip("/").split("/")[-1])
    jobs.run_pending(app)
    result = planning.get_job(db, staff_job)["result"]
    assert result["met"] and all(h["achieved"]["p90_wait_min"]["mean"] <= 3 for h in result["hours"])
    page = client.get(f"/planner/jobs/{staff_job}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="staff-grid"' in page and "Staff-hours: now" in page and 'id="try-staffing"' in page
    r = client.post(f"/planner/jobs/{staff_job}/try", data={"csrf_token": auth.token(f"/planner/jobs/{staff_job}")})
    compare_job = int(r.headers["Location"].rstrip("/").split("/")[-1])
    jobs.run_pending(app)
    job = planning.get_job(db, compare_job)
    assert job["input"]["changes"]["rota_by_station"]   # the answer is the what-if's rota
    page = client.get(f"/planner/jobs/{compare_job}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    tested = re.search(r'id="changes-tested">(.*?)</ul>', page, re.S).group(1)
    assert re.search(r"at ordering \d\d:00–\d\d:00 \(was \d\)", tested), tested
    hd = store_id(db, "HD02")
    token = auth.token(f"/planner/jobs/{compare_job}")
    refused = client.post(f"/planner/jobs/{compare_job}/adopt", data={"from_day": "soon", "csrf_token": token})
    assert refused.status_code == 422 and 'id="err-store"' in refused.get_data(as_text=True)
    client.post(f"/planner/jobs/{compare_job}/adopt", data={"store": str(hd), "from_day": "2026-01-05",
                                                           "csrf_token": token})
    adoption = next(a for a in planning.adoptions_of(db, 1) if a["job_id"] == compare_job)
    assert adoption["store_ids"] == [hd] and adoption["from_day"] == "2026-01-05"
    assert adoption["prediction"]["wait_diff"]["mean"] is not None


def test_home_says_whether_the_demo_change_delivered(planner, db):
    client, _auth = planner
    page = client.get("/home", headers={"Accept-Language": "en"}).get_data(as_text=True)
    article = re.search(r'<article class="outcome" data-verdict="(\w+)".*?</article>', page, re.S)
    assert article, "the seeded adoption is on the planner's home"
    assert article.group(1) == "delivered"
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", article.group(0)))
    assert "one more person at the counter 11:00–14:00" in text and "Delivered." in text
    assert "Against the other stores" in text and "Predicted" in text


def test_a_learned_wait_factor_is_offered_and_replaces_the_assumed_one(planner, db, monkeypatch):
    """When the field's data suffice, the what-if offers the learned factor and the scenario uses it."""
    from fieldapp.planner import experience, whatif

    client, auth = planner
    r = client.post("/planner/baseline", data={"scope": f"s{store_id(db, 'HD02')}", "date_from": "2000-01-01",
                                               "date_to": "2100-01-01", "csrf_token": auth.token("/planner/")})
    scenario_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    real = experience.learned_factors(db, planning.get_scenario(db, scenario_id, 1))
    assert real["factors"]["samples_offered"]["n_with"] > 0      # read from the demo's checklist answers
    assert not real["factors"]["samples_offered"]["enough"]        # 30 of each are needed; the demo has fewer
    page = client.get(f"/planner/s/{scenario_id}").get_data(as_text=True)
    assert 'id="learned-factors"' in page and 'name="learned_samples"' not in page
    enough = {**real, "factors": {**real["factors"], "samples_offered": {
        **real["factors"]["samples_offered"], "multiplier": 0.8, "ci95": [0.7, 0.9], "enough": True}}}
    monkeypatch.setattr(experience, "learned_factors", lambda db, row: enough)
    page = client.get(f"/planner/s/{scenario_id}").get_data(as_text=True)
    assert 'name="learned_samples" value="0.800"' in page
    client.post(f"/planner/s/{scenario_id}/changes", data={"learned_posted": "1", "learned_samples": "0.800",
                                                           "samples": "1", "csrf_token": auth.token("/planner/")})
    changes = whatif.changes_from_json(planning.get_scenario(db, scenario_id, 1)["changes"])
    assert changes.learned == {"samples": 0.8}
    spec = whatif.apply_changes(__import__("yaml").safe_load(planning.get_scenario(db, scenario_id, 1)["baseline_yaml"]),
                                changes)
    assert spec["experience"]["multipliers"]["samples"] == 0.8


def test_several_what_ifs_of_one_baseline_side_by_side(app, planner, db):
    client, auth = planner
    r = client.post("/planner/template", data={"template": "doughnut_saturday.yaml",
                                               "csrf_token": auth.token("/planner/")})
    scenario_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    token = auth.token(f"/planner/s/{scenario_id}")
    for form in ({"extra_servers": "1", "extra_from": "11:00", "extra_to": "14:00"}, {"samples": "1"}):
        client.post(f"/planner/s/{scenario_id}/changes", data={**form, "csrf_token": token})
        client.post(f"/planner/s/{scenario_id}/compare", data={"csrf_token": token})
    jobs.run_pending(app)
    page = client.get(f"/planner/s/{scenario_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    table = re.search(r'id="side-by-side".*?</section>', page, re.S).group(0)
    heads = re.findall(r"<th><a [^>]*>#\d+</a> (.*?)</th>", table)
    assert heads == ["one more person at ordering 11:00–14:00", "free samples while waiting"]
    assert table.count("<tr>") >= 5    # wait, p90, satisfaction, left, staff-hours


def test_a_baseline_for_one_weekday_uses_that_days_rota(app, planner, db):
    import yaml

    client, auth = planner
    assert app.test_cli_runner().invoke(args=["import-rota", str(EXAMPLES / "rota.csv")]).exit_code == 0

    def servers_at_18(weekday):
        r = client.post("/planner/baseline", data={"scope": f"s{store_id(db, 'HD02')}", "date_from": "2000-01-01",
                                                   "date_to": "2100-01-01", "weekday": weekday,
                                                   "csrf_token": auth.token("/planner/")})
        assert r.status_code == 302, r.get_data(as_text=True)[-800:]
        row = planning.get_scenario(db, int(r.headers["Location"].rstrip("/").split("/")[-1]), 1)
        shifts = yaml.safe_load(row["baseline_yaml"])["stations"][0]["shifts"]
        minute = (18 - int(row["calibration"]["open_time"][:2])) * 60
        return next(s["servers"] for s in shifts if s["from_min"] <= minute < s["to_min"])

    assert (servers_at_18("0"), servers_at_18("5")) == (3, 3)
    assert servers_at_18("") == 3
    saturday_15 = planning.staffing_for(db, [store_id(db, "HD02")], 5)
    assert {r["hour"]: r["servers"] for r in saturday_15}[15] == 3      # Saturday's own row
    assert {r["hour"]: r["servers"] for r in planning.staffing_for(db, [store_id(db, "HD02")], 0)}[15] == 2


def test_the_sample_xlsx_rota_imports_like_the_csv(app, db):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["import-rota", str(EXAMPLES / "rota.csv")]).exit_code == 0
    again = runner.invoke(args=["import-rota", str(EXAMPLES / "rota.xlsx")])
    assert again.exit_code == 0 and "0 new, 0 changed, 98 unchanged" in again.output


@pytest.mark.parametrize("after,before,expected", [
    ([0.4] * 5, [1.8] * 20, "too_early"),                          # 5 visits since: too few
    ([0.4, 0.5, 0.3, 0.6, 0.2] * 4, [1.8, 1.5, 2.1, 1.7, 1.9] * 4, "delivered"),
    ([1.7, 1.9, 1.8, 2.0, 1.6] * 4, [1.8, 1.5, 2.1, 1.7, 1.9] * 4, "not_delivered"),
    ([0.0, 4.0, 0.2, 3.0, 0.1] * 2, [3.0, 0.0, 2.5, 0.1, 1.9] * 2, "unclear"),
])
def test_the_delivery_verdict_reads_the_interval_against_the_prediction(after, before, expected):
    from datetime import date

    from fieldapp.planner import outcomes

    adopted = {"before": {"wait": outcomes._mean_ci(before)}, "after": {"wait": outcomes._mean_ci(after)}}
    change = outcomes._difference([(1, adopted["after"]["wait"]), (-1, adopted["before"]["wait"])])
    verdict = outcomes._verdict("wait", {"mean": -1.1, "ci95": [-1.5, -0.7]}, change, None, adopted,
                                date(2026, 11, 17), date(2026, 12, 1))
    assert verdict["code"] == expected
    if expected in ("too_early", "unclear"):
        assert verdict["more"] >= 2 and verdict["ready_by"] > "2026-12-01"
