"""Manager reports on screen: who may open which report, and what it shows."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Auth

EN = {"Accept-Language": "en"}


def login(app, username):
    c = app.test_client()
    a = Auth(c)
    a.login(username)
    return c, a


def store_id(db, code: str) -> int:
    return next(db.query("SELECT id FROM stores WHERE code = ?", [code]))["id"]


def released_visit(db, code: str, *, failed: bool | None = None, covert: bool | None = None) -> int:
    """The newest released demo visit of a store, optionally a failing or covert one."""
    sql = ("SELECT v.id FROM visits v JOIN stores s ON s.id = v.store_id "
           "WHERE s.code = ? AND v.status = 'released'")
    params: list = [code]
    if failed is not None:
        sql += " AND v.score_json LIKE ?"
        params.append('%"failed_items": ["%' if failed else '%"failed_items": []%')
    if covert is not None:
        sql += " AND v.covert = ?"
        params.append(int(covert))
    row = next(db.query(sql + " ORDER BY v.started_at DESC LIMIT 1", params), None)
    assert row, f"no matching demo visit at {code}"
    return row["id"]


def test_manager_opens_own_visit_report(app, db):
    """A manager sees a released visit of their store: cover, journey map, every stage."""
    manager, _ = login(app, "manager")
    visit_id = released_visit(db, "GN01")
    r = manager.get(f"/reports/visits/{visit_id}", headers=EN)
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert "Gangnam Station" in body and "Journey map" in body
    assert body.count('class="rep-stage"') == 7
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in body
    assert f"/reports/visits/{visit_id}.pdf" in body


def test_visit_report_page_obeys_csp(app, db):
    """No inline style attributes or inline scripts on the screen report (CSP)."""
    manager, _ = login(app, "manager")
    body = manager.get(f"/reports/visits/{released_visit(db, 'HD02')}").get_data(as_text=True)
    assert " style=" not in body and "<style" not in body
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)


def test_other_store_visit_is_404(app, db):
    """manager2 (Haeundae only) gets 404 for a Gangnam visit's page and PDF."""
    outsider, _ = login(app, "manager2")
    visit_id = released_visit(db, "GN01")
    assert outsider.get(f"/reports/visits/{visit_id}").status_code == 404
    assert outsider.get(f"/reports/visits/{visit_id}.pdf").status_code == 404


def test_unreleased_visit_is_404_for_manager_but_open_to_reviewer(app, db):
    """Submitted visits are not the store's yet; the reviewer may read them."""
    visit_id = next(db.query("SELECT v.id FROM visits v JOIN stores s ON s.id = v.store_id "
                             "WHERE s.code = 'GN01' AND v.status = 'submitted' LIMIT 1"))["id"]
    manager, _ = login(app, "manager")
    assert manager.get(f"/reports/visits/{visit_id}").status_code == 404
    reviewer, _ = login(app, "reviewer")
    assert reviewer.get(f"/reports/visits/{visit_id}").status_code == 200


@pytest.mark.parametrize("username", ["shopper", "planner"])
def test_auditors_and_planners_get_403(app, db, username):
    """Reports are for managers, reviewers and admins."""
    other, _ = login(app, username)
    visit_id = released_visit(db, "GN01")
    assert other.get(f"/reports/visits/{visit_id}").status_code == 403
    assert other.get(f"/reports/period?store={store_id(db, 'GN01')}").status_code == 403


def test_covert_visit_shows_mystery_shopper(app, db):
    """A covert visit names no auditor on the report."""
    manager, _ = login(app, "manager")
    body = manager.get(f"/reports/visits/{released_visit(db, 'HD02', covert=True)}", headers=EN) \
        .get_data(as_text=True)
    assert "mystery shopper" in body
    assert "Shopper" not in body


def test_overt_visit_names_the_auditor(app, db):
    """Staff audits (overt) show who did them."""
    manager, _ = login(app, "manager")
    body = manager.get(f"/reports/visits/{released_visit(db, 'GN01', covert=False)}", headers=EN) \
        .get_data(as_text=True)
    assert "Staff Jung" in body


def test_failed_items_are_highlighted(app, db):
    """Failed items carry the failed class and tag."""
    manager, _ = login(app, "manager")
    visit_id = released_visit(db, "HD02", failed=True)
    failed = [r["item_key"] for r in db.query(
        "SELECT value AS item_key FROM visits, json_each(visits.score_json, '$.failed_items') "
        "WHERE visits.id = ?", [visit_id])]
    assert failed
    body = manager.get(f"/reports/visits/{visit_id}", headers=EN).get_data(as_text=True)
    assert body.count('class="rep-item failed"') == len(failed)
    for key in failed:
        assert f'class="rep-item failed" id="item-{key}"' in body


def test_period_report_for_own_store(app, db):
    """The 30-day store report shows trend, stage comparison, waits and failed items."""
    manager, _ = login(app, "manager")
    r = manager.get(f"/reports/period?store={store_id(db, 'HD02')}", headers=EN)
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    for heading in ("Score trend", "Stage scores against the chain", "Most often failed items",
                    "Importance and performance of touchpoints", "Measured waits", "Open corrective actions"):
        assert heading in body
    assert "importance-performance matrix" in body


def test_period_report_scope_is_checked(app, db):
    """Another manager's store or region is 404; a bad date is 400."""
    manager, _ = login(app, "manager")
    assert manager.get(f"/reports/period?store={store_id(db, 'HU03')}").status_code == 404
    assert manager.get("/reports/period?region=부산 Busan").status_code == 404
    assert manager.get("/reports/period?region=서울 Seoul").status_code == 200
    assert manager.get("/reports/period?start=2026-13-01").status_code == 400
    assert manager.get("/reports/period?start=2026-02-01&end=2026-01-01").status_code == 400


def test_wait_chart_and_table_show_the_same_rounded_time(app, db):
    """A wait of 84.6 s reads 1:25 in the chart and in the table beside it."""
    visit_id = released_visit(db, "GN01")
    with db.atomic():
        key = next(db.query("SELECT item_key FROM timings WHERE visit_id = ? LIMIT 1", [visit_id]))["item_key"]
        db.execute("UPDATE answers SET value_json = '84.6' WHERE visit_id = ? AND item_key = ?", [visit_id, key])
    manager, _ = login(app, "manager")
    body = manager.get(f"/reports/visits/{visit_id}", headers=EN).get_data(as_text=True)
    chart = re.search(r'<svg[^>]*aria-label="waits against targets".*?</svg>', body, re.S)
    assert chart, "no waits chart"
    assert re.search(r">1:25 / \d+:\d\d<", chart.group(0))
    assert re.search(r'<td class="num">1:25</td>', body)
    assert "1:24" not in body
