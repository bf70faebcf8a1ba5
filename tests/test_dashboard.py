"""The manager's dashboard: ranking, hot spots, filters as htmx fragments, CSV and JSON."""

from __future__ import annotations

import csv
import io

from tests.test_reports import EN, login


def test_dashboard_ranks_only_own_stores(app, db):
    """Manager Kim sees Gangnam and Hongdae ranked by score, not Haeundae."""
    manager, _ = login(app, "manager")
    r = manager.get("/dashboard", headers=EN)
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert "Gangnam Station" in body and "Hongdae" in body and "Haeundae" not in body
    assert body.index("Gangnam Station") < body.index("Hongdae")  # the better store first
    assert body.count('class="sparkline"') == 2
    assert "Failed-item hot spots" in body and "Recent visits" in body and "Open actions" in body


def test_htmx_gets_the_fragment_and_vary_header(app):
    """The same URL returns only the body to htmx, the full page otherwise; both vary on HX-Request."""
    manager, _ = login(app, "manager")
    page = manager.get("/dashboard")
    fragment = manager.get("/dashboard", headers={"HX-Request": "true"})
    boosted = manager.get("/dashboard", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in page.get_data(as_text=True) and "<html" in boosted.get_data(as_text=True)
    frag = fragment.get_data(as_text=True)
    assert "<html" not in frag and frag.lstrip().startswith('<div id="dash-body"')
    for response in (page, fragment):
        assert "HX-Request" in response.headers["Vary"]


def test_filters_region_and_stage(app):
    """A region filter narrows the stores; a foreign region is 404; a stage filter narrows hot spots."""
    manager, _ = login(app, "manager")
    assert manager.get("/dashboard?region=부산 Busan").status_code == 404
    data = manager.get("/dashboard.json?stage=hygiene", headers=EN).get_json()
    assert data["filters"]["stage"] == "hygiene"
    assert data["hotspots"], "the demo has hygiene failures"
    assert {h["item_key"] for h in data["hotspots"]} <= {
        "hairnets_gloves", "no_bare_hand_contact", "display_case_temp", "tables_clean", "counter_clean",
        "restroom", "no_pests", "hygiene_trust"}
    manager2, _ = login(app, "manager2")
    busan = manager2.get("/dashboard.json?region=부산 Busan").get_json()
    assert [s["code"] for s in busan["stores"]] == ["HU03"]


def test_period_filter_changes_counts(app):
    """An empty period has no visits; the default 30 days has some."""
    manager, _ = login(app, "manager")
    full = manager.get("/dashboard.json").get_json()
    empty = manager.get("/dashboard.json?start=2001-01-01&end=2001-01-31").get_json()
    assert full["visit_count"] > 0 and empty["visit_count"] == 0
    assert manager.get("/dashboard.json?start=junk").status_code == 400


def test_csv_matches_json(app):
    """The CSV export has the rows the JSON has, Hangul intact."""
    manager, _ = login(app, "manager")
    data = manager.get("/dashboard.json").get_json()
    r = manager.get("/dashboard.csv?table=stores")
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["code"] for row in rows] == [s["code"] for s in data["stores"]]
    assert "강남역점" in rows[0]["store"] + rows[1]["store"]
    assert float(rows[0]["average"]) == data["stores"][0]["average"]
    hot = list(csv.DictReader(io.StringIO(manager.get("/dashboard.csv?table=hotspots").get_data(as_text=True)
                                          .lstrip("\ufeff"))))
    assert len(hot) == len(data["hotspots"])
    assert manager.get("/dashboard.csv?table=users").status_code == 404


def test_overdue_actions_stand_out_on_dashboard(app):
    """Overdue actions are counted per store and listed first, marked."""
    manager, _ = login(app, "manager")
    data = manager.get("/dashboard.json").get_json()
    overdue = [a for a in data["actions"] if a["overdue"]]
    assert overdue and data["actions"][0]["overdue"]
    assert sum(s["overdue_actions"] for s in data["stores"]) == len(overdue)
    body = manager.get("/dashboard", headers=EN).get_data(as_text=True)
    assert body.count('class="row action-row overdue"') == len(overdue)


def test_mystery_shoppers_hidden_in_exports(app, db):
    """A manager's JSON says "mystery shopper" for covert visits and for anyone who
    shops covertly, even on an overt visit; staff auditors are named."""
    manager, _ = login(app, "manager")
    data = manager.get("/dashboard.json", headers=EN).get_json()
    rows = {r["id"]: r for r in db.query(
        "SELECT v.id, v.covert, u.mystery_shopper, u.display_name FROM visits v "
        "JOIN users u ON u.id = v.auditor_id")}
    shown = {v["id"]: v["auditor"] for v in data["visits"]}
    assert {(rows[i]["covert"], rows[i]["mystery_shopper"]) for i in shown} >= {(1, 1), (0, 1)}
    for visit_id, auditor in shown.items():
        hidden = rows[visit_id]["covert"] or rows[visit_id]["mystery_shopper"]
        assert auditor == ("mystery shopper" if hidden else rows[visit_id]["display_name"])


def test_roles(app):
    """Auditors and planners get 403; reviewers see the whole organisation."""
    for username in ("shopper", "planner"):
        other, _ = login(app, username)
        assert other.get("/dashboard").status_code == 403
        assert other.get("/dashboard.json").status_code == 403
    reviewer, _ = login(app, "reviewer")
    assert {s["code"] for s in reviewer.get("/dashboard.json").get_json()["stores"]} == {"GN01", "HD02", "HU03"}
