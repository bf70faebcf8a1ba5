"""The auditor's flow through real HTTP: start, answer, time, photograph, submit."""

import io
import json

import pytest
from PIL import Image

from tests.audit_helpers import answer, doughnut, jpeg_bytes, passing_value, start_assignment


def first_item(checklist, type_):
    return next(i for i in checklist.items() if i.type == type_)


def test_auditor_home_lists_open_assignments(client, auth):
    auth.login("shopper")
    page = client.get("/home", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert page.count('class="row assignment"') >= 2
    assert "/assignments/" in page and "/start" in page


def test_starting_pins_checklist_version_and_hash(client, auth, db):
    visit_id = start_assignment(client, auth)
    row = next(db.query(
        "SELECT v.status, c.checklist_id, c.version, c.content_hash FROM visits v "
        "JOIN checklists c ON c.id = v.checklist_row_id WHERE v.id = ?", [visit_id]))
    checklist = doughnut()
    assert row["status"] == "draft"
    assert (row["checklist_id"], row["version"], row["content_hash"]) == \
        (checklist.id, checklist.version, checklist.content_hash)


def test_starting_twice_continues_the_same_visit(client, auth, db):
    first = start_assignment(client, auth)
    assignment = next(db.query("SELECT assignment_id FROM visits WHERE id = ?", [first]))["assignment_id"]
    again = client.post(f"/assignments/{assignment}/start", data={"csrf_token": auth.token()})
    assert again.headers["Location"].endswith(f"/visits/{first}")
    assert db.execute("SELECT count(*) FROM visits WHERE assignment_id = ?", [assignment]).fetchone()[0] == 1


def test_other_auditor_cannot_start_or_see_the_visit(app, client, auth, db):
    visit_id = start_assignment(client, auth)
    other = app.test_client()
    from tests.conftest import Auth
    other_auth = Auth(other)
    other_auth.login("staff")
    assert other.get(f"/visits/{visit_id}/stage/0").status_code == 404
    item = first_item(doughnut(), "yes_no")
    response = answer(other, other_auth.token(), visit_id, item.key, "no")
    assert response.status_code == 404
    assert db.execute("SELECT count(*) FROM answers WHERE visit_id = ?", [visit_id]).fetchone()[0] == 0


def test_stage_page_shows_every_item_of_the_stage(client, auth):
    visit_id = start_assignment(client, auth)
    checklist = doughnut()
    page = client.get(f"/visits/{visit_id}/stage/0").get_data(as_text=True)
    for tp in checklist.stages[0].touchpoints:
        for item in tp.items:
            assert f'id="item-{item.key}"' in page
    assert 'role="progressbar"' in page
    assert client.get(f"/visits/{visit_id}/stage/{len(checklist.stages)}").status_code == 404


def test_answer_is_saved_at_once_and_shown_on_reload(client, auth, db):
    visit_id = start_assignment(client, auth)
    item = first_item(doughnut(), "yes_no")
    response = answer(client, auth.token(), visit_id, item.key, "no", note="카운터가 지저분함")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="item-{item.key}"' in body and "<html" not in body
    assert 'class="ok"' in body
    stored = next(db.query("SELECT value_json, note FROM answers WHERE visit_id = ? AND item_key = ?",
                           [visit_id, item.key]))
    assert json.loads(stored["value_json"]) == "no" and stored["note"] == "카운터가 지저분함"
    stage_index = next(i for i, s in enumerate(doughnut().stages)
                       if any(it.key == item.key for tp in s.touchpoints for it in tp.items))
    page = client.get(f"/visits/{visit_id}/stage/{stage_index}").get_data(as_text=True)
    assert 'value="no" checked' in page and "카운터가 지저분함" in page


def test_bad_answer_shows_message_keeps_typed_and_stores_nothing(client, auth, db):
    visit_id = start_assignment(client, auth)
    item = first_item(doughnut(), "rating")
    response = answer(client, auth.token(), visit_id, item.key, "9")
    body = response.get_data(as_text=True)
    assert 'class="field-error"' in body
    assert db.execute("SELECT count(*) FROM answers WHERE visit_id = ?", [visit_id]).fetchone()[0] == 0
    timer = first_item(doughnut(), "timer")
    body = answer(client, auth.token(), visit_id, timer.key, "abc").get_data(as_text=True)
    assert 'value="abc"' in body and 'class="field-error"' in body


def test_answer_without_csrf_token_is_refused(client, auth, db):
    visit_id = start_assignment(client, auth)
    item = first_item(doughnut(), "yes_no")
    response = client.post(f"/visits/{visit_id}/items/{item.key}", data={"value": "yes"})
    assert response.status_code == 400
    assert db.execute("SELECT count(*) FROM answers").fetchone()[0] > 0  # demo data is there
    assert db.execute("SELECT count(*) FROM answers WHERE visit_id = ?", [visit_id]).fetchone()[0] == 0


@pytest.mark.parametrize("username", ["manager", "reviewer", "planner", "admin"])
def test_other_roles_cannot_answer(app, client, auth, db, username):
    visit_id = start_assignment(client, auth)
    from tests.conftest import Auth
    other = app.test_client()
    other_auth = Auth(other)
    other_auth.login(username)
    item = first_item(doughnut(), "yes_no")
    response = answer(other, other_auth.token(), visit_id, item.key, "no")
    assert response.status_code == 403
    assert db.execute("SELECT count(*) FROM answers WHERE visit_id = ?", [visit_id]).fetchone()[0] == 0


def test_stopwatch_marks_become_timings_and_the_wait(client, auth, db):
    visit_id = start_assignment(client, auth)
    item = first_item(doughnut(), "timer")
    token = auth.token()
    from datetime import UTC, datetime, timedelta
    base = datetime.now(UTC).replace(microsecond=0)  # phone times are checked against the server's
    stamps = [(base + timedelta(seconds=s)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
              for s in (0, 70.5, 120, 270)]
    for event, at in zip(item.timer_events, stamps):
        r = client.post(f"/visits/{visit_id}/items/{item.key}/timing",
                        data={"event": event, "at": at, "client_id": f"c-{event}"},
                        headers={"X-CSRFToken": token})
        assert r.status_code == 200
    marks = list(db.query("SELECT event FROM timings WHERE visit_id = ? ORDER BY id", [visit_id]))
    assert [m["event"] for m in marks] == list(item.timer_events)
    value = json.loads(next(db.query("SELECT value_json FROM answers WHERE visit_id = ? AND item_key = ?",
                                     [visit_id, item.key]))["value_json"])
    last = stamps[len(item.timer_events) - 1]
    from datetime import datetime
    expected = (datetime.fromisoformat(last.replace("Z", "+00:00"))
                - datetime.fromisoformat(stamps[0].replace("Z", "+00:00"))).total_seconds()
    assert value == pytest.approx(expected)
    # a replayed mark with the same client id is stored once
    client.post(f"/visits/{visit_id}/items/{item.key}/timing",
                data={"event": item.timer_events[0], "at": stamps[0], "client_id": f"c-{item.timer_events[0]}"},
                headers={"X-CSRFToken": token})
    assert db.execute("SELECT count(*) FROM timings WHERE visit_id = ?", [visit_id]).fetchone()[0] == len(item.timer_events)


def test_bad_stopwatch_mark_is_refused(client, auth, db):
    visit_id = start_assignment(client, auth)
    item = first_item(doughnut(), "timer")
    r = client.post(f"/visits/{visit_id}/items/{item.key}/timing",
                    data={"event": "teleported", "at": "yesterday"}, headers={"X-CSRFToken": auth.token()})
    assert 'class="field-error"' in r.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM timings WHERE visit_id = ?", [visit_id]).fetchone()[0] == 0


def photo_item(checklist):
    return next(i for i in checklist.items() if i.type == "photo" or i.photo_on_fail)


def test_photo_is_checked_stripped_and_downsized(app, client, auth, db):
    visit_id = start_assignment(client, auth)
    item = photo_item(doughnut())
    r = client.post(f"/visits/{visit_id}/items/{item.key}/photos",
                    data={"photo": (io.BytesIO(jpeg_bytes(exif_gps=True)), "IMG_1.jpg")},
                    headers={"X-CSRFToken": auth.token()}, content_type="multipart/form-data")
    assert r.status_code == 200
    row = next(db.query("SELECT * FROM photos WHERE visit_id = ?", [visit_id]))
    from pathlib import Path
    stored = Image.open(Path(app.config["PHOTO_DIR"]) / row["filename"])
    assert max(stored.size) <= 1600
    assert len(stored.getexif()) == 0
    assert (Path(app.config["PHOTO_DIR"]) / row["thumb_filename"]).exists()
    assert client.get(f"/photos/{row['id']}/thumb").status_code == 200


def test_non_image_upload_is_refused_and_answers_stay(client, auth, db):
    visit_id = start_assignment(client, auth)
    yes_no = first_item(doughnut(), "yes_no")
    answer(client, auth.token(), visit_id, yes_no.key, "yes")
    item = photo_item(doughnut())
    r = client.post(f"/visits/{visit_id}/items/{item.key}/photos",
                    data={"photo": (io.BytesIO(b"<html><script>alert(1)</script></html>"), "x.jpg")},
                    headers={"X-CSRFToken": auth.token()}, content_type="multipart/form-data")
    assert r.status_code == 422
    assert "photo" in r.get_data(as_text=True).lower() or "사진" in r.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM photos WHERE visit_id = ?", [visit_id]).fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM answers WHERE visit_id = ?", [visit_id]).fetchone()[0] == 1


def test_oversized_upload_is_refused_and_answers_stay(instance):
    from tests.conftest import Auth, make_app
    app = make_app(instance, MAX_CONTENT_LENGTH=200_000)
    client = app.test_client()
    auth = Auth(client)
    visit_id = start_assignment(client, auth)
    yes_no = first_item(doughnut(), "yes_no")
    answer(client, auth.token(), visit_id, yes_no.key, "yes")
    item = photo_item(doughnut())
    big = jpeg_bytes(size=(3000, 3000)) + b"\0" * 300_000
    r = client.post(f"/visits/{visit_id}/items/{item.key}/photos",
                    data={"photo": (io.BytesIO(big), "big.jpg")},
                    headers={"X-CSRFToken": auth.token()}, content_type="multipart/form-data")
    assert r.status_code == 413
    from fieldapp.storage.db import connect
    db = connect(app.config["DATABASE"])
    assert db.execute("SELECT count(*) FROM answers WHERE visit_id = ?", [visit_id]).fetchone()[0] == 1


def complete_visit(client, token, visit_id, checklist, fail_key=None):
    for item in checklist.items():
        if item.type == "photo":
            client.post(f"/visits/{visit_id}/items/{item.key}/photos",
                        data={"photo": (io.BytesIO(jpeg_bytes((800, 600))), "p.jpg")},
                        headers={"X-CSRFToken": token}, content_type="multipart/form-data")
            continue
        value = passing_value(item)
        if item.key == fail_key:
            value = "no"
        r = answer(client, token, visit_id, item.key, value)
        assert 'class="field-error"' not in r.get_data(as_text=True), item.key


def test_submit_lists_missing_items_with_links(client, auth, db):
    visit_id = start_assignment(client, auth)
    r = client.post(f"/visits/{visit_id}/submit", data={"csrf_token": auth.token()})
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    required = [i for i in doughnut().items() if i.required]
    assert required
    for item in required:
        assert f"#item-{item.key}" in body
    assert next(db.query("SELECT status FROM visits WHERE id = ?", [visit_id]))["status"] == "draft"


def test_failed_item_needing_photo_blocks_submit_until_photo(client, auth, db):
    checklist = doughnut()
    visit_id = start_assignment(client, auth)
    needs = next(i for i in checklist.items() if i.photo_on_fail and i.type in ("yes_no", "yes_no_na"))
    token = auth.token()
    complete_visit(client, token, visit_id, checklist, fail_key=needs.key)
    r = client.post(f"/visits/{visit_id}/submit", data={"csrf_token": token})
    assert r.status_code == 422 and f"#item-{needs.key}" in r.get_data(as_text=True)
    client.post(f"/visits/{visit_id}/items/{needs.key}/photos",
                data={"photo": (io.BytesIO(jpeg_bytes((640, 480))), "f.jpg")},
                headers={"X-CSRFToken": token}, content_type="multipart/form-data")
    assert client.post(f"/visits/{visit_id}/submit", data={"csrf_token": token}).status_code == 302


def test_submit_scores_freezes_and_refuses_double_submit(client, auth, db):
    checklist = doughnut()
    visit_id = start_assignment(client, auth)
    token = auth.token()
    complete_visit(client, token, visit_id, checklist)
    assert client.post(f"/visits/{visit_id}/submit", data={"csrf_token": token}).status_code == 302
    row = next(db.query("SELECT status, score, passed FROM visits WHERE id = ?", [visit_id]))
    assert row["status"] == "submitted" and row["score"] == pytest.approx(100) and row["passed"] == 1
    again = client.post(f"/visits/{visit_id}/submit", data={"csrf_token": token})
    assert again.status_code == 409
    assert db.execute("SELECT count(*) FROM visit_events WHERE visit_id = ? AND to_status = 'submitted'",
                      [visit_id]).fetchone()[0] == 1
    item = first_item(checklist, "yes_no")
    assert answer(client, token, visit_id, item.key, "no").status_code == 409


def test_stage_feeling_is_saved(client, auth, db):
    visit_id = start_assignment(client, auth)
    stage = doughnut().stages[0]
    r = client.post(f"/visits/{visit_id}/stages/{stage.key}/feeling", data={"emotion": "2", "note": "줄이 길었다"},
                    headers={"X-CSRFToken": auth.token()})
    assert r.status_code == 200
    row = next(db.query("SELECT emotion, note FROM stage_notes WHERE visit_id = ?", [visit_id]))
    assert (row["emotion"], row["note"]) == (2, "줄이 길었다")
    bad = client.post(f"/visits/{visit_id}/stages/{stage.key}/feeling", data={"emotion": "7"},
                      headers={"X-CSRFToken": auth.token()})
    assert 'class="field-error"' in bad.get_data(as_text=True)


def test_internal_audit_only_for_staff(app, client, auth, db):
    auth.login("shopper")
    assert client.get("/audits/new").status_code == 403
    staff = app.test_client()
    from tests.conftest import Auth
    staff_auth = Auth(staff)
    staff_auth.login("staff")
    form = staff.get("/audits/new").get_data(as_text=True)
    import re
    store_id = re.search(r'name="store_id"><option value="(\d+)"', form).group(1)
    row_id = re.search(r'name="checklist_row_id"><option value="(\d+)"', form).group(1)
    r = staff.post("/audits/new", data={"store_id": store_id, "checklist_row_id": row_id,
                                        "csrf_token": staff_auth.token()})
    assert r.status_code == 302
    visit_id = int(r.headers["Location"].split("/")[-1])
    assert next(db.query("SELECT covert FROM visits WHERE id = ?", [visit_id]))["covert"] == 0
    bad = staff.post("/audits/new", data={"store_id": "99999", "checklist_row_id": row_id,
                                          "csrf_token": staff_auth.token()})
    assert bad.status_code == 422


def test_replayed_older_feeling_does_not_overwrite_a_newer_one(client, auth, db):
    """Two phones, or an outbox replay: the feeling given last on the phone wins."""
    visit_id = start_assignment(client, auth)
    stage = doughnut().stages[0]
    url = f"/visits/{visit_id}/stages/{stage.key}/feeling"
    headers = {"X-CSRFToken": auth.token()}
    from datetime import UTC, datetime, timedelta
    base = datetime.now(UTC)  # phone times are checked against the server's clock

    def ts(minutes):
        return (base + timedelta(minutes=minutes)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    client.post(url, data={"emotion": "5", "client_ts": ts(10)}, headers=headers)
    client.post(url, data={"emotion": "2", "client_ts": ts(5)}, headers=headers)
    assert next(db.query("SELECT emotion FROM stage_notes WHERE visit_id = ?", [visit_id]))["emotion"] == 5
    client.post(url, data={"note": "늦게 쓴 메모", "client_ts": ts(11)}, headers=headers)
    row = next(db.query("SELECT emotion, note FROM stage_notes WHERE visit_id = ?", [visit_id]))
    assert (row["emotion"], row["note"]) == (5, "늦게 쓴 메모")


def test_stopwatch_speaks_the_checklists_event_words(client, auth):
    """The doughnut checklist calls queue_joined "줄 섬" / "Joined the queue": the journey
    clock's buttons and marks say that, never the key."""
    visit_id = start_assignment(client, auth)
    item = first_item(doughnut(), "timer")
    first, second = item.timer_events[:2]
    words = {e: doughnut().event_label(e) for e in (first, second)}
    page = client.get(f"/visits/{visit_id}/stage/0", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert f">{words[first].ko}</button>" in page
    r = client.post(f"/visits/{visit_id}/clock",
                    data={"event": first, "at": "2026-11-23T03:00:00.000Z", "client_id": "w-1", "stage": "0"},
                    headers={"X-CSRFToken": auth.token(), "Accept-Language": "en"})
    fragment = r.get_data(as_text=True)
    assert f"✓ {words[first].en}</span>" in fragment and f">{words[second].en}</button>" in fragment
    assert first.replace("_", " ") not in fragment  # the key is not shown
