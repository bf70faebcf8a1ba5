"""Admin pages (issue 15): people with located errors, temporary passwords that must be
changed, sessions ended, deactivation; stores; the organisation's time zone; the audit log
a person can read; visit windows enforced; covert schedules hidden from the store."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fieldapp.storage import users
from tests.conftest import Auth, csrf_from


def errors_of(html: str) -> dict:
    return dict(re.findall(r'class="field-error" id="err-([\w-]+)">([^<]*)<', html))


def test_user_form_errors_sit_by_their_field_and_keep_what_was_typed(client, auth):
    auth.login("admin")
    token = auth.token("/admin/users/new")
    response = client.post("/admin/users/new", data={
        "csrf_token": token, "username": "new person", "display_name": "Typed Name", "role": "manager",
        "language": "ko", "region": "Seoul", "mystery_shopper": "1", "store_codes": ["GN01"], "active": "1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = errors_of(html)
    assert set(errors) == {"username", "mystery_shopper"}
    assert 'value="new person"' in html and 'value="Typed Name"' in html
    assert re.search(r'value="GN01" checked', html)
    taken = client.post("/admin/users/new", data={"csrf_token": token, "username": "shopper",
                                                  "role": "auditor", "active": "1"})
    assert taken.status_code == 422 and "username" in errors_of(taken.get_data(as_text=True))


def test_new_person_gets_a_temporary_password_once_and_must_change_it(app, client, auth, db):
    auth.login("admin")
    token = auth.token("/admin/users/new")
    response = client.post("/admin/users/new", data={
        "csrf_token": token, "username": "yoon", "display_name": "Yoon", "role": "auditor",
        "language": "en", "region": "서울 Seoul", "mystery_shopper": "1", "active": "1"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = re.search(r"<code>([^<]+)</code>", response.get_data(as_text=True)).group(1)
    row = users.get_by_username(db, "yoon")
    assert row["must_change_password"] == 1 and password not in row["password_hash"]
    shopper = app.test_client()
    Auth(shopper).login("yoon", password)
    for path in ("/home", "/jobs", "/visits/1"):
        assert shopper.get(path).headers["Location"].endswith("/account/password")
    page = shopper.get("/account/password").get_data(as_text=True)
    assert 'id="must-change"' in page
    token = csrf_from(page)
    wrong = shopper.post("/account/password", data={"csrf_token": token, "current": password,
                                                    "new": "short", "again": "short"})
    assert wrong.status_code == 422 and "new" in errors_of(wrong.get_data(as_text=True))
    done = shopper.post("/account/password", data={"csrf_token": token, "current": password,
                                                   "new": "my own secret 1", "again": "my own secret 1"})
    assert done.status_code == 302
    assert shopper.get("/home").status_code == 200  # still logged in, no longer sent to the form
    assert users.authenticate(db, "yoon", "my own secret 1") is not None


def test_admin_reset_ends_the_persons_other_sessions(app, client, auth, db):
    phone = app.test_client()
    Auth(phone).login("staff")
    assert phone.get("/home").status_code == 200
    auth.login("admin")
    staff = users.get_by_username(db, "staff")
    response = client.post(f"/admin/users/{staff['id']}/password", data={"csrf_token": auth.token()})
    password = re.search(r"<code>([^<]+)</code>", response.get_data(as_text=True)).group(1)
    assert "/login" in phone.get("/home").headers["Location"]
    again = app.test_client()
    Auth(again).login("staff", password)
    assert again.get("/home").headers["Location"].endswith("/account/password")


def test_own_password_change_ends_other_sessions_but_keeps_this_one(app, db):
    first, second = app.test_client(), app.test_client()
    Auth(first).login("reviewer")
    Auth(second).login("reviewer")
    token = Auth(first).token("/account/password")
    from fieldapp.ops.demo import DEMO_PASSWORD_SUFFIX
    current = "reviewer" + DEMO_PASSWORD_SUFFIX
    response = first.post("/account/password", data={"csrf_token": token, "current": current,
                                                     "new": "a new password", "again": "a new password"})
    assert response.status_code == 302
    assert first.get("/home").status_code == 200
    assert "/login" in second.get("/home").headers["Location"]


def test_deactivated_people_cannot_log_in_and_keep_their_history(app, client, auth, db):
    shopper = users.get_by_username(db, "shopper")
    visits_before = db.execute("SELECT count(*) FROM visits WHERE auditor_id = ?", [shopper["id"]]).fetchone()[0]
    phone = app.test_client()
    Auth(phone).login("shopper")
    auth.login("admin")
    response = client.post(f"/admin/users/{shopper['id']}", data={
        "csrf_token": auth.token(), "display_name": shopper["display_name"], "role": "auditor",
        "mystery_shopper": "1", "store_codes": ["GN01"]})  # "active" unticked
    assert response.status_code == 302
    assert "/login" in phone.get("/home").headers["Location"]
    assert Auth(app.test_client()).login("shopper").status_code == 401
    assert db.execute("SELECT count(*) FROM visits WHERE auditor_id = ?", [shopper["id"]]).fetchone()[0] \
        == visits_before > 0
    assert "비활성" in client.get("/admin/users").get_data(as_text=True)  # "deactivated", admin reads Korean


def test_store_form_checks_like_the_import_and_saves(client, auth, db):
    auth.login("admin")
    token = auth.token("/admin/stores/new")
    bad = client.post("/admin/stores/new", data={"csrf_token": token, "code": "GN01", "name": "X",
                                                 "region": "", "chain": "Sweet Ring", "latitude": "37.5",
                                                 "longitude": "", "opening_hours": "nine to five"})
    errors = errors_of(bad.get_data(as_text=True))
    assert bad.status_code == 422
    assert set(errors) == {"code", "region", "longitude", "opening_hours"}
    assert 'value="nine to five"' in bad.get_data(as_text=True)
    good = client.post("/admin/stores/new", data={"csrf_token": token, "code": "JJ01", "name": "Jeju",
                                                  "region": "제주 Jeju", "chain": "Sweet Ring",
                                                  "latitude": "33.5", "longitude": "126.5",
                                                  "opening_hours": "09:00-21:00", "address": "Jeju-si 1"})
    assert good.status_code == 302
    row = next(db.query("SELECT * FROM stores WHERE code = 'JJ01'"))
    assert (row["latitude"], row["opening_hours"], row["address"]) == (33.5, "09:00-21:00", "Jeju-si 1")


def test_time_zone_setting_moves_shown_times_and_csv_exports(client, auth, db):
    auth.login("admin")
    stamp = db.execute("SELECT at FROM audit_log WHERE action = 'login' ORDER BY id DESC LIMIT 1").fetchone()[0]
    from datetime import datetime
    from zoneinfo import ZoneInfo
    moment = datetime.fromisoformat(stamp)
    page = client.get("/admin/audit-log").get_data(as_text=True)
    assert moment.astimezone(ZoneInfo("Asia/Seoul")).strftime("%Y-%m-%d %H:%M") in page
    bad = client.post("/admin/settings", data={"csrf_token": auth.token(), "name": "Sweet Ring",
                                               "timezone": "Mars/Olympus"})
    assert bad.status_code == 422 and "timezone" in errors_of(bad.get_data(as_text=True))
    assert client.post("/admin/settings", data={"csrf_token": auth.token(), "name": "Sweet Ring",
                                                "timezone": "Europe/London"}).status_code == 302
    page = client.get("/admin/audit-log").get_data(as_text=True)
    assert moment.astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m-%d %H:%M") in page
    csv_text = client.get("/dashboard.csv?table=visits").get_data(as_text=True)
    offsets = re.findall(r"T\d\d:\d\d:\d\d([+-]\d\d:\d\d)", csv_text)
    assert offsets and set(offsets) <= {"+00:00", "+01:00"}
    log_csv = client.get("/admin/audit-log.csv").get_data(as_text=True)
    assert re.search(r"T\d\d:\d\d:\d\d\+0[01]:00", log_csv)


def test_audit_log_reads_as_words_filters_pages_and_exports(client, auth, db):
    db.execute("INSERT INTO audit_log (at, actor_id, action, object_type, object_id, detail) "
               "VALUES ('2026-01-05T03:00:00+00:00', 1, 'approve', 'visit', '7', 'score=75.23364486')")
    for i in range(60):
        db.execute("INSERT INTO audit_log (at, actor_id, action, object_type, object_id, detail) "
                   "VALUES ('2026-01-06T03:00:00+00:00', 1, 'action_verified', 'action', ?, '')", [str(i)])
    db.conn.commit()
    auth.login("admin")
    english = {"Accept-Language": "en"}
    page = client.get("/admin/audit-log?what=approve", headers=english).get_data(as_text=True)
    assert "approved a visit" in page and "75.2" in page
    assert "75.23364486" not in page and "score=" not in page
    verified = client.get("/admin/audit-log?what=action_verified&from=2026-01-06&to=2026-01-06",
                          headers=english).get_data(as_text=True)
    rows = verified.split('id="audit-log">')[1].split("</ul>")[0]
    assert "verified an action" in rows and "action_verified" not in rows
    assert "60 entries" in verified and "page 1 of 2" in verified and 'rel="next"' in verified
    second = client.get("/admin/audit-log?what=action_verified&page=2", headers=english).get_data(as_text=True)
    assert "page 2 of 2" in second and second.count('class="row"') == 10
    outside = client.get("/admin/audit-log?what=approve&to=2026-01-04", headers=english).get_data(as_text=True)
    assert "0 entries" in outside
    korean = client.get("/admin/audit-log?what=approve", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert "approved a visit" not in korean
    csv_text = client.get("/admin/audit-log.csv?what=approve").get_data(as_text=True)
    row = next(line for line in csv_text.splitlines() if line.startswith("2026-01-05T12:00:00+09:00"))
    assert row.endswith(",score=75.23364486,점수 75.2")  # the stored code, then its words (admin reads Korean)


def _assignment(db, *, start: date, end: date) -> int:
    shopper = users.get_by_username(db, "shopper")
    with db.atomic():
        return db["assignments"].insert({
            "checklist_row_id": 1, "store_id": 1, "auditor_id": shopper["id"], "assigned_by": 1,
            "window_start": start.isoformat(), "window_end": end.isoformat(), "covert": 1, "note": "",
            "status": "open", "created_at": "2026-01-01T00:00:00+00:00"}).last_pk


def test_a_visit_cannot_start_outside_its_window_until_the_coordinator_extends_it(app, client, auth, db):
    from fieldapp.web.timefmt import STORE_TZ
    from datetime import datetime
    today = datetime.now(STORE_TZ).date()
    early = _assignment(db, start=today + timedelta(days=3), end=today + timedelta(days=5))
    late = _assignment(db, start=today - timedelta(days=5), end=today - timedelta(days=1))
    auth.login("shopper")
    home = client.get("/home").get_data(as_text=True)
    assert f'/assignments/{early}/start"' not in home and 'class="row-sub not-yet"' in home
    for assignment_id, day in ((early, today + timedelta(days=3)), (late, today - timedelta(days=1))):
        response = client.post(f"/assignments/{assignment_id}/start", data={"csrf_token": auth.token()})
        assert response.status_code == 303
        assert db.execute("SELECT count(*) FROM visits WHERE assignment_id = ?", [assignment_id]).fetchone()[0] == 0
        flash = re.search(r'<p class="flash" role="status">([^<]+)</p>', client.get("/home").get_data(as_text=True))
        assert flash and day.isoformat() in flash.group(1)  # "... opens on / closed on <date> ..."
    reviewer = app.test_client()
    Auth(reviewer).login("reviewer")
    response = reviewer.post(f"/schedules/assignments/{late}/window",
                             data={"csrf_token": Auth(reviewer).token(), "window_end": today.isoformat()})
    assert response.status_code == 302
    response = client.post(f"/assignments/{late}/start", data={"csrf_token": auth.token()})
    assert response.status_code == 302 and "/visits/" in response.headers["Location"]


def test_covert_schedule_is_invisible_to_the_store(app, client, auth, db):
    users.create_user(db, org_id=1, username="second", password="second-shopper", role="auditor",
                      mystery_shopper=True)  # the demo's one shopper made the stores' last visits
    auth.login("reviewer")
    today = date.today()
    response = client.post("/schedules", data={
        "csrf_token": auth.token("/schedules"), "name": "Hidden Seoul lunch", "checklist_row_id": "1",
        "store_mode": "list", "store_codes": ["GN01", "HD02"], "frequency": "weekly",
        "weekdays": [str(d) for d in range(7)], "interval_days": "7", "month_day": "1",
        "start_date": today.isoformat(), "window_days": "1", "horizon_days": "6", "claim_limit": "2",
        "covert": "1", "assign_mode": "rotate"})
    assert response.status_code == 302
    made = db.execute("SELECT count(*) FROM assignments WHERE schedule_id IS NOT NULL").fetchone()[0]
    assert made > 0
    manager = app.test_client()
    Auth(manager).login("manager")
    for path in ("/schedules", "/schedules/1", "/jobs"):
        assert manager.get(path).status_code in (403, 404)
    for path in ("/home", "/assignments", "/actions"):
        html = manager.get(path).get_data(as_text=True)
        assert "Hidden Seoul lunch" not in html
    listing = manager.get("/assignments").get_data(as_text=True)
    assert "second" not in listing
    overt = db.execute("SELECT count(*) FROM assignments a JOIN memberships m ON m.store_id = a.store_id "
                       "JOIN users u ON u.id = m.user_id WHERE u.username = 'manager' AND a.covert = 0 "
                       "AND a.status IN ('open', 'started')").fetchone()[0]
    assert listing.split('<section class="card">')[-1].count('<li class="row">') == overt
