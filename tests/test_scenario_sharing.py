"""Planner scenarios are shared across the organisation; the owner and every change are shown
and every edit is in the audit log."""

from fieldapp.storage import users
from tests.conftest import Auth


def _second_planner(app, db):
    planner = users.get_by_username(db, "planner")
    users.create_user(db, org_id=planner["org_id"], username="planner2", password="planner2-pass",
                      role="planner", display_name="Second Planner")
    client = app.test_client()
    Auth(client).login("planner2", "planner2-pass")
    return client


def _from_template(client, auth) -> int:
    token = auth.token("/planner/")
    page = client.get("/planner/").get_data(as_text=True)
    import re
    name = re.search(r'name="template" value="([^"]+)"', page) or re.search(r'<option value="([^"]+\.yaml)"', page)
    r = client.post("/planner/template", data={"template": name.group(1), "csrf_token": token})
    assert r.status_code == 302
    return int(r.headers["Location"].rstrip("/").split("/")[-1])


def test_an_edit_by_another_planner_is_in_the_audit_log_and_shown_with_the_owner(app, client, auth, db):
    auth.login("planner")
    scenario_id = _from_template(client, auth)
    other = _second_planner(app, db)
    token = Auth(other).token("/planner/")
    r = other.post(f"/planner/s/{scenario_id}/changes", data={"extra_servers": "2", "csrf_token": token},
                   headers={"HX-Request": "true"})
    assert r.status_code == 200
    logged = list(db.query("SELECT a.action, a.detail, u.username FROM audit_log a JOIN users u ON u.id = a.actor_id "
                           "WHERE a.object_type = 'planner_scenario' AND a.object_id = ? ORDER BY a.id",
                           [str(scenario_id)]))
    assert [(e["action"], e["username"]) for e in logged] == [("scenario_create", "planner"),
                                                              ("scenario_edit", "planner2")]
    assert "extra_servers: 0 -> 2" in logged[1]["detail"]
    page = client.get(f"/planner/s/{scenario_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    owner = users.get_by_username(db, "planner")["display_name"]
    assert 'id="scenario-history"' in page and owner in page and "Second Planner" in page
    assert "extra_servers: 0 -&gt; 2" in page or "extra_servers: 0 -> 2" in page


def test_saving_the_same_what_if_again_adds_no_line(app, client, auth, db):
    auth.login("planner")
    scenario_id = _from_template(client, auth)
    token = auth.token("/planner/")
    for _ in range(3):
        client.post(f"/planner/s/{scenario_id}/changes", data={"extra_servers": "1", "csrf_token": token},
                    headers={"HX-Request": "true"})
    edits = db.execute("SELECT count(*) FROM audit_log WHERE action = 'scenario_edit' AND object_id = ?",
                       [str(scenario_id)]).fetchone()[0]
    assert edits == 1
