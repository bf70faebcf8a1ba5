"""The planner's workspace through real HTTP: baseline, what-if, jobs, PDF."""

import io
import re
import threading
import time

import pytest
import yaml
from pypdf import PdfReader

from fieldapp.planner import jobs
from fieldapp.storage import planning
from tests.conftest import Auth


@pytest.fixture
def planner(app):
    client = app.test_client()
    auth = Auth(client)
    auth.login("planner")
    return client, auth


def store_id(db, code="HD02"):
    return next(db.query("SELECT id FROM stores WHERE code = ?", [code]))["id"]


def build_baseline(client, auth, db) -> int:
    r = client.post("/planner/baseline", data={"scope": f"s{store_id(db)}", "date_from": "2000-01-01",
                                               "date_to": "2100-01-01", "csrf_token": auth.token("/planner/")})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return int(r.headers["Location"].rstrip("/").split("/")[-1])


def test_only_planners_and_admins_reach_the_workspace(app, planner):
    client, _ = planner
    assert client.get("/planner/").status_code == 200
    for username in ("manager", "shopper", "reviewer"):
        other = app.test_client()
        Auth(other).login(username)
        assert other.get("/planner/").status_code == 403


def test_baseline_from_field_data_then_fit_check_in_background(app, planner, db):
    client, auth = planner
    scenario_id = build_baseline(client, auth, db)
    row = planning.get_scenario(db, scenario_id, 1)
    baseline = yaml.safe_load(row["baseline_yaml"])
    assert baseline["stations"][0]["name"] == "counter"
    assert row["calibration"]["service"]["chosen"] in ("exponential", "lognormal", "gamma")
    fit = next(db.query("SELECT id, status FROM sim_jobs WHERE kind = 'fitcheck'"))
    assert fit["status"] == "queued"  # nothing simulated inside the request
    page = client.get(f"/planner/s/{scenario_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "the times are spread as" in page and "AIC" not in page and "hx-trigger=\"every 1s\"" in page
    assert jobs.run_pending(app) == 1
    page = client.get(f"/planner/s/{scenario_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    verdict = planning.get_job(db, fit["id"])["result"]["verdict"]["code"]
    assert 'id="fit-gaps"' in page and f'data-code="{verdict}"' in page and "KS" not in page
    headline = "You can trust" if verdict == "trust" else "Do not trust yet."
    assert headline in page and page.count('class="fit-verdict') == 1


def test_bad_period_is_refused_next_to_the_field(planner, db):
    client, auth = planner
    r = client.post("/planner/baseline", data={"scope": f"s{store_id(db)}", "date_from": "2026-05-01",
                                               "date_to": "2026-04-01", "csrf_token": auth.token("/planner/")},
                    headers={"Accept-Language": "en"})
    assert r.status_code == 422
    assert 'id="err-date_to"' in r.get_data(as_text=True) and 'value="2026-05-01"' in r.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM planner_scenarios").fetchone()[0] == 0


def test_whatif_form_saves_and_shows_the_yaml(planner, db):
    client, auth = planner
    scenario_id = build_baseline(client, auth, db)
    r = client.post(f"/planner/s/{scenario_id}/changes",
                    data={"extra_servers": "1", "extra_from": "11:00", "extra_to": "14:00", "samples": "1",
                          "express_share": "0", "express_servers": "1", "express_service_factor": "0.6",
                          "service_factor": "1"},
                    headers={"X-CSRFToken": auth.token("/planner/"), "HX-Request": "true"})
    assert r.status_code == 200 and "HX-Request" in r.headers["Vary"]
    body = r.get_data(as_text=True)
    assert "<html" not in body and "samples: true" in body
    spec = yaml.safe_load(re.search(r"<pre>(.*?)</pre>", body, re.S).group(1).replace("&#39;", "'").replace("&#34;", '"'))
    assert max(s["servers"] for s in spec["stations"][0]["shifts"]) == 3
    assert planning.get_scenario(db, scenario_id, 1)["changes"]["extra_servers"] == 1
    download = client.get(f"/planner/s/{scenario_id}/whatif.yaml")
    assert download.status_code == 200 and "samples: true" in download.get_data(as_text=True)


def test_bad_whatif_value_is_shown_and_kept(planner, db):
    client, auth = planner
    scenario_id = build_baseline(client, auth, db)
    r = client.post(f"/planner/s/{scenario_id}/changes",
                    data={"extra_servers": "99", "extra_from": "11:00", "extra_to": "14:00"},
                    headers={"X-CSRFToken": auth.token("/planner/"), "HX-Request": "true"})
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert 'id="err-extra_servers"' in body and 'value="99"' in body
    assert planning.get_scenario(db, scenario_id, 1)["changes"] == {}


def compare_job(client, auth, db) -> tuple[int, int]:
    scenario_id = build_baseline(client, auth, db)
    client.post(f"/planner/s/{scenario_id}/changes",
                data={"extra_servers": "1", "extra_from": "11:00", "extra_to": "14:00", "samples": "1"},
                headers={"X-CSRFToken": auth.token("/planner/"), "HX-Request": "true"})
    r = client.post(f"/planner/s/{scenario_id}/compare", data={"csrf_token": auth.token("/planner/")})
    assert r.status_code == 302
    return scenario_id, int(r.headers["Location"].rstrip("/").split("/")[-1])


def test_comparison_runs_in_background_and_prints(app, planner, db):
    client, auth = planner
    _, job_id = compare_job(client, auth, db)
    poll = client.get(f"/planner/jobs/{job_id}", headers={"HX-Request": "true"})
    assert poll.status_code == 200 and "<progress" in poll.get_data(as_text=True)
    jobs.run_pending(app)
    done = client.get(f"/planner/jobs/{job_id}", headers={"HX-Request": "true", "Accept-Language": "en"})
    assert done.status_code == 286  # htmx stops polling
    body = done.get_data(as_text=True)
    assert "Satisfaction" in body and "a real difference" in body and "<svg" in body
    assert "one more person at the counter 11:00–14:00" in body and 'id="hourly-table"' in body
    result = planning.get_job(db, job_id)["result"]
    assert result["metrics"]["staff_hours"]["diff"] == pytest.approx(3.0)  # one server for 3 hours
    assert result["metrics"]["wait_min"]["diff"] < 0
    pdf = client.get(f"/planner/jobs/{job_id}/comparison.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "만족도" in text and "기준" in text  # Korean labels render as text
    assert "1명 추가" in text and "11:00" in text   # the changes tested, in words


def test_cancel_stops_a_running_job(app, planner, db):
    client, auth = planner
    _, job_id = compare_job(client, auth, db)
    runner = threading.Thread(target=jobs.run_pending, args=(app,))
    runner.start()
    deadline = time.monotonic() + 30
    while planning.get_job(db, job_id)["progress_done"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    client.post(f"/planner/jobs/{job_id}/cancel", data={"csrf_token": auth.token("/planner/")})
    runner.join(60)
    job = planning.get_job(db, job_id)
    assert job["status"] == "cancelled" and job["progress_done"] < job["progress_total"]


def test_restart_marks_running_jobs_interrupted(app, planner, db):
    client, auth = planner
    _, job_id = compare_job(client, auth, db)
    db.execute("UPDATE sim_jobs SET status = 'running', heartbeat_at = '2000-01-01T00:00:00+00:00' WHERE id = ?",
               [job_id])
    db.conn.commit()
    assert jobs.mark_interrupted(app) == 1
    page = client.get(f"/planner/jobs/{job_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "interrupted" in page and "restarted" in page


def test_sweep_draws_the_tradeoff(app, planner, db):
    client, auth = planner
    scenario_id = build_baseline(client, auth, db)
    r = client.post(f"/planner/s/{scenario_id}/sweep", data={"max_extra": "1", "csrf_token": auth.token("/planner/")})
    job_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    jobs.run_pending(app)
    job = planning.get_job(db, job_id)
    assert job["status"] == "done" and len(job["result"]["variants"]) == 4
    hours = {(v["params"]["extra_servers"], v["params"]["samples"]): v["staff_hours"] for v in job["result"]["variants"]}
    assert hours[(1, False)] > hours[(0, False)] and hours[(0, True)] == hours[(0, False)]
    page = client.get(f"/planner/jobs/{job_id}").get_data(as_text=True)
    assert 'aria-label="staff hours against satisfaction"' in page


def test_other_organisations_jobs_are_not_found(app, planner, db):
    client, auth = planner
    _, job_id = compare_job(client, auth, db)
    db.execute("UPDATE sim_jobs SET org_id = 999 WHERE id = ?", [job_id]) if False else None
    assert client.get(f"/planner/jobs/{job_id + 1000}").status_code == 404


def test_baseline_for_a_store_type_pools_its_stores(app, planner, db):
    """'All street stores' pools HD02 and HU03 into one typical store."""
    client, auth = planner
    r = client.post("/planner/baseline", data={"scope": "tstreet", "date_from": "2000-01-01",
                                               "date_to": "2100-01-01", "csrf_token": auth.token("/planner/")})
    assert r.status_code == 302
    scenario_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    row = planning.get_scenario(db, scenario_id, 1)
    single = {}
    for code in ("HD02", "HU03"):
        from fieldapp.planner import observations
        single[code] = observations.field_data(db, [store_id(db, code)], "2000-01-01", "2100-01-01")["visits"]
    assert row["calibration"]["visits"] == single["HD02"] + single["HU03"]
    assert row["store_id"] is None and "street" in row["name"]
    baseline = yaml.safe_load(row["baseline_yaml"])
    rota = {s["servers"] for s in baseline["stations"][0]["shifts"]}
    assert rota <= {1, 2}  # a typical store's rota, not the two stores added up
    # the pooling is said in the planner's language
    warning = {"code": "pooled_stores", "params": {"n": 2, "names": "HD02, HU03"}}
    assert any(w["code"] == warning["code"] and w["params"] == warning["params"]
               for w in row["calibration"]["warnings"])
    en = client.get(f"/planner/s/{scenario_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Timings from 2 stores are pooled (HD02, HU03)" in en
    ko = client.get(f"/planner/s/{scenario_id}", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert "2개 매장의 측정 기록을 합쳤습니다(HD02, HU03)" in ko and "Timings from" not in ko
    bad = client.post("/planner/baseline", data={"scope": "tnowhere", "date_from": "2000-01-01",
                                                 "date_to": "2100-01-01", "csrf_token": auth.token("/planner/")})
    assert bad.status_code == 422 and 'id="err-scope"' in bad.get_data(as_text=True)


def test_rota_grid_sets_servers_for_one_hour(planner, db):
    client, auth = planner
    scenario_id = build_baseline(client, auth, db)
    page = client.get(f"/planner/s/{scenario_id}").get_data(as_text=True)
    assert 'name="servers_h12"' in page and 'placeholder="2"' in page
    r = client.post(f"/planner/s/{scenario_id}/changes", data={"servers_h12": "4"},
                    headers={"X-CSRFToken": auth.token("/planner/"), "HX-Request": "true"})
    assert r.status_code == 200 and "servers: 4" in r.get_data(as_text=True)
    assert planning.get_scenario(db, scenario_id, 1)["changes"]["servers_by_hour"] == {"12": 4}
