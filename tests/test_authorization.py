"""Every route × every role (and anonymous), from the app's own route map.

Expectations come from ``tests/authz_table.py``; a route missing there fails
the test, so a new route cannot ship without saying who may use it.
"""

import re

import pytest

from tests.authz_table import ALLOWED, FORM, PUBLIC, QUERY, USERS
from tests.conftest import Auth


@pytest.fixture
def targets(app, db):
    """Ids of the fixed demo objects the table speaks of."""
    visit = next(db.query(
        "SELECT v.id, v.checklist_row_id FROM visits v JOIN users u ON u.id = v.auditor_id "
        "JOIN stores s ON s.id = v.store_id WHERE u.username = 'shopper' AND s.code = 'HU03' "
        "AND v.status = 'released' AND json_array_length(v.score_json, '$.failed_items') > 0 "
        "ORDER BY v.id LIMIT 1"))
    photo = next(db.query("SELECT id, item_key FROM photos WHERE visit_id = ? LIMIT 1", [visit["id"]]))
    action = next(db.query("SELECT a.id FROM actions a JOIN stores s ON s.id = a.store_id "
                           "WHERE s.code = 'HU03' ORDER BY a.id LIMIT 1"))
    assignment = next(db.query("SELECT a.id FROM assignments a JOIN users u ON u.id = a.auditor_id "
                               "WHERE u.username = 'shopper' ORDER BY a.id LIMIT 1"))
    from fieldapp.storage import planning
    from fieldapp.planner.views import EXAMPLES
    scenario_id = planning.save_scenario(db, org_id=1, user_id=1, store_id=None, name="t",
                                         baseline_yaml=(EXAMPLES / "doughnut_saturday.yaml").read_text(),
                                         calibration={})
    job_id = planning.enqueue_job(db, org_id=1, user_id=1, kind="run", title="#0 t", payload={})
    from fieldapp.storage import checklist_store
    checklist = checklist_store.load_pinned(db, visit["checklist_row_id"])
    stage = checklist.stages[0]
    timer = next(i for i in checklist.items() if i.type == "timer")
    import json
    failed = json.loads(next(db.query("SELECT score_json FROM visits WHERE id = ?",
                                      [visit["id"]]))["score_json"])["failed_items"][0]
    return {"failed_item": failed, "visit_id": visit["id"], "photo_id": photo["id"], "action_id": action["id"],
            "assignment_id": assignment["id"], "row_id": visit["checklist_row_id"], "scenario_id": scenario_id, "job_id": job_id,
            "item_key": timer.key, "stage_key": stage.key, "index": 0, "code": "en",
            "size": "thumb", "which": "baseline", "filename": "app.css",
            "event": "queue_joined", **_issue17_targets(db), **_issue15_targets(db),
            **_issue16_targets(db, visit["id"], failed, action["id"], photo["id"])}


def _issue15_targets(db) -> dict:
    """A store, the admin's own user (so no one else's password is reset), and a
    job-board schedule of Haeundae's region with one open slot."""
    from datetime import date

    from fieldapp.schedules import planning
    from fieldapp.storage import schedules
    store = next(db.query("SELECT id, region FROM stores WHERE code = 'HU03'"))
    admin = next(db.query("SELECT id FROM users WHERE username = 'admin'"))
    row_id = next(db.query("SELECT id FROM checklists ORDER BY id LIMIT 1"))["id"]
    schedule_id = schedules.create_schedule(db, org_id=1, created_by=admin["id"], values={
        "name": "authz", "checklist_row_id": row_id, "store_mode": "list", "store_value": '["HU03"]',
        "frequency": "every_n_days", "interval_days": 7, "weekdays": "", "month_day": 1,
        "window_days": 3, "covert": 1, "assign_mode": "board", "claim_limit": 2, "horizon_days": 7,
        "start_date": date.today().isoformat()})
    planning.run_schedule(db, schedules.get_schedule(db, schedule_id), date.today())
    slot = next(db.query("SELECT id FROM schedule_slots WHERE schedule_id = ?", [schedule_id]))
    return {"store_id": store["id"], "user_id": admin["id"], "schedule_id": schedule_id,
            "slot_id": slot["id"]}


def url_for_rule(rule, targets) -> str:
    def value(match):
        name = match.group(1).split(":")[-1]
        return str(targets[name])
    return re.sub(r"<([^>]+)>", value, rule.rule)


def routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_in_the_table(app):
    missing = sorted({r.endpoint for r, _ in routes(app)} - set(ALLOWED))
    assert missing == []


def call(client, token, method, url, endpoint, targets):
    def fill(values):
        return {k: v.format(**targets) for k, v in values.items()}
    if method == "GET":
        response = client.get(url, query_string=fill(QUERY.get(endpoint, {})))
    else:
        response = client.post(url, data={"csrf_token": token, **fill(FORM.get(endpoint, {}))},
                               headers={"X-CSRFToken": token})
    response.get_data()  # a streamed body is read to its end, so a failure inside it shows
    response.close()
    return response


def denied(response) -> bool:
    return response.status_code in (401, 403, 404) or (
        response.status_code == 302 and "/login" in response.headers.get("Location", ""))


def test_anonymous_gets_only_public_routes(app, targets):
    client = app.test_client()
    token = Auth(client).token("/login")
    for rule, method in routes(app):
        if rule.endpoint == "auth.logout":
            continue  # clears the session and with it the CSRF token
        response = call(client, token, method, url_for_rule(rule, targets), rule.endpoint, targets)
        assert response.status_code < 500, (rule.rule, method)
        if ALLOWED[rule.endpoint] != PUBLIC:
            assert denied(response), (rule.rule, method, response.status_code)


@pytest.mark.parametrize("username", USERS)
def test_each_role_reaches_exactly_its_routes(app, targets, username):
    client = app.test_client()
    auth = Auth(client)
    auth.login(username)
    token = auth.token()
    problems = []
    for rule, method in routes(app):
        if rule.endpoint == "auth.logout":
            continue  # would end this session; covered in test_auth
        response = call(client, token, method, url_for_rule(rule, targets), rule.endpoint, targets)
        allowed = ALLOWED[rule.endpoint] == PUBLIC or username in ALLOWED[rule.endpoint]
        if response.status_code >= 500:
            problems.append((method, rule.rule, response.status_code, "server error"))
        elif allowed and denied(response):
            problems.append((method, rule.rule, response.status_code, "should be allowed"))
        elif not allowed and not denied(response):
            problems.append((method, rule.rule, response.status_code, "should be refused"))
    assert problems == []


def _issue16_targets(db, visit_id: int, failed_item: str, action_id: int, photo_id: int) -> dict:
    """A photo in the action's thread (the visit photo's file), an open dispute of the
    visit's failed item by manager2, and a notification of manager2's."""
    from fieldapp.storage import disputes, notify, photos
    photo = photos.get_photo(db, photo_id)
    action_photo_id = photos.add_photo(db, visit_id=visit_id, item_key=f"action:{action_id}",
                                       filename=photo["filename"], thumb_filename=photo["thumb_filename"],
                                       width=photo["width"], height=photo["height"], size=photo["bytes"],
                                       uploaded_by=None)
    manager2 = next(db.query("SELECT id, store_id FROM users JOIN memberships ON user_id = id "
                             "WHERE username = 'manager2'"))
    with db.atomic():
        dispute_id = disputes.insert_dispute(db, visit_id=visit_id, store_id=manager2["store_id"],
                                             item_key=failed_item, reason="authz", raised_by=manager2["id"])
        notification_id = notify.add_notification(db, user_id=manager2["id"], event="visit_released",
                                                   params={}, link="/home", mail="none")
    return {"action_photo_id": action_photo_id, "dispute_id": dispute_id, "notification_id": notification_id}


def _issue17_targets(db) -> dict:
    """The demo's survey round, Haeundae's public store link and one of its detractors' answers."""
    link = next(db.query("SELECT l.round_id, l.token FROM voice_links l JOIN stores s ON s.id = l.store_id "
                         "WHERE s.code = 'HU03' AND l.kind = 'store' ORDER BY l.id LIMIT 1"))
    response = next(db.query("SELECT x.id FROM voice_responses x JOIN stores s ON s.id = x.store_id "
                             "WHERE s.code = 'HU03' AND x.nps <= 6 ORDER BY x.id LIMIT 1"))
    return {"round_id": link["round_id"], "token": link["token"], "response_id": response["id"]}
