"""The journey clock: each stopwatch event is marked once per visit and every timed
item that uses it reads it from there; marks can be corrected (who, when) and undone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.audit_helpers import doughnut, start_assignment

# phone times are checked against the server's clock (audit/clock.py): use today's
_BASE = datetime.now(UTC).replace(microsecond=0, second=0) - timedelta(minutes=20)


def at(seconds: float = 0) -> str:
    """A phone time ``seconds`` after the test's base, as the phone sends it."""
    return (_BASE + timedelta(seconds=seconds)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def stored_at(seconds: float = 0) -> str:
    return (_BASE + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


T0 = at(0)


def mark(client, auth, visit_id, event, at, client_id=None, stage=0):
    return client.post(f"/visits/{visit_id}/clock",
                       data={"event": event, "at": at, "client_id": client_id or f"c-{event}-{at}",
                             "stage": str(stage)},
                       headers={"X-CSRFToken": auth.token(), "HX-Request": "true"})


def stored(db, visit_id):
    return {r["item_key"]: json.loads(r["value_json"]) for r in db.query(
        "SELECT item_key, value_json FROM answers WHERE visit_id = ?", [visit_id])}


def timers(event_start):
    return [i for i in doughnut().items() if i.type == "timer" and i.timer_events[0] == event_start]


def test_one_mark_serves_every_timed_item_that_starts_with_it(client, auth, db):
    visit_id = start_assignment(client, auth)
    queue_items = timers("queue_joined")
    assert len(queue_items) >= 2  # stage 1 (queue -> greeted) and stage 4 (queue -> sample)
    assert mark(client, auth, visit_id, "queue_joined", T0).status_code == 200
    mark(client, auth, visit_id, "greeted", at(40))
    mark(client, auth, visit_id, "sample_offered", at(180))
    values = stored(db, visit_id)
    by_end = {i.timer_events[-1]: values.get(i.key) for i in queue_items}
    assert by_end == {"greeted": 40.0, "sample_offered": 180.0}
    count = db.execute("SELECT count(*) FROM journey_marks WHERE visit_id = ? AND event = 'queue_joined'",
                       [visit_id]).fetchone()[0]
    assert count == 1


def test_an_event_is_marked_once_and_replays_add_nothing(client, auth, db):
    visit_id = start_assignment(client, auth)
    mark(client, auth, visit_id, "queue_joined", T0, client_id="a")
    mark(client, auth, visit_id, "queue_joined", T0, client_id="a")  # outbox replay
    mark(client, auth, visit_id, "queue_joined", at(300), client_id="b")  # second tap
    rows = list(db.query("SELECT at FROM journey_marks WHERE visit_id = ?", [visit_id]))
    assert [r["at"] for r in rows] == [stored_at(0)]


def test_later_stage_shows_the_event_marked_on_the_first(client, auth, db):
    visit_id = start_assignment(client, auth)
    mark(client, auth, visit_id, "queue_joined", T0)
    later = next(i for i in timers("queue_joined") if i.timer_events[-1] == "sample_offered")
    index = [s.key for s in doughnut().stages].index(doughnut().stage_of(later.key).key)
    page = client.get(f"/visits/{visit_id}/stage/{index}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    block = page[page.index(f'id="item-{later.key}"'):]
    block = block[:block.index('class="manual"')]
    local = (_BASE + timedelta(hours=9)).strftime("%H:%M:%S")  # Asia/Seoul
    assert 'data-running="1"' in block and "✓ Joined the queue" in block and local in block


def test_correcting_a_mark_records_who_and_when_and_moves_the_wait(client, auth, db):
    visit_id = start_assignment(client, auth)
    mark(client, auth, visit_id, "queue_joined", T0)
    mark(client, auth, visit_id, "greeted", at(60))
    item = next(i for i in timers("queue_joined") if i.timer_events[-1] == "greeted")
    earlier = (_BASE + timedelta(hours=9, seconds=-30)).strftime("%H:%M:%S")
    r = client.post(f"/visits/{visit_id}/clock/queue_joined/correct", data={"time": earlier, "stage": "0"},
                    headers={"X-CSRFToken": auth.token(), "Accept-Language": "en"})
    assert r.status_code == 200
    assert stored(db, visit_id)[item.key] == 90.0
    row = next(db.query("SELECT m.*, u.username FROM journey_marks m JOIN users u ON u.id = m.corrected_by "
                        "WHERE visit_id = ? AND event = 'queue_joined'", [visit_id]))
    assert (row["username"], row["original_at"]) == ("shopper", stored_at(0))
    assert row["at"] == stored_at(-30) and row["corrected_at"]
    actions = [r["action"] for r in db.query("SELECT action FROM journey_mark_log WHERE visit_id = ? ORDER BY id",
                                             [visit_id])]
    assert actions == ["mark", "mark", "correct"]
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'clock_correct' AND object_id = ?",
                      [visit_id]).fetchone()[0] == 1
    assert "Corrected by" in r.get_data(as_text=True)


def test_a_time_that_is_not_a_time_is_refused_next_to_the_mark(client, auth, db):
    visit_id = start_assignment(client, auth)
    mark(client, auth, visit_id, "queue_joined", T0)
    r = client.post(f"/visits/{visit_id}/clock/queue_joined/correct", data={"time": "25:99"},
                    headers={"X-CSRFToken": auth.token()})
    assert r.status_code == 422 and 'class="field-error"' in r.get_data(as_text=True)
    assert next(db.query("SELECT at FROM journey_marks WHERE visit_id = ?", [visit_id]))["at"] == stored_at(0)


def test_undo_takes_back_the_clocks_waits_but_keeps_seconds_typed_by_hand(client, auth, db):
    visit_id = start_assignment(client, auth)
    by_end = {i.timer_events[-1]: i for i in timers("queue_joined")}
    mark(client, auth, visit_id, "queue_joined", T0)
    mark(client, auth, visit_id, "greeted", at(40))
    client.post(f"/visits/{visit_id}/items/{by_end['sample_offered'].key}",
                data={"value": "75", "client_ts": at(360)}, headers={"X-CSRFToken": auth.token()})
    r = client.post(f"/visits/{visit_id}/clock/queue_joined/undo", headers={"X-CSRFToken": auth.token()})
    assert r.status_code == 200
    values = stored(db, visit_id)
    assert by_end["greeted"].key not in values and values[by_end["sample_offered"].key] == 75
    assert db.execute("SELECT count(*) FROM journey_marks WHERE visit_id = ?", [visit_id]).fetchone()[0] == 1


def test_unknown_event_or_bad_time_is_a_400_with_a_message(client, auth, db):
    visit_id = start_assignment(client, auth)
    for event, at in (("teleported", T0), ("queue_joined", "yesterday")):
        r = mark(client, auth, visit_id, event, at)
        assert r.status_code == 400 and 'class="field-error"' in r.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM journey_marks WHERE visit_id = ?", [visit_id]).fetchone()[0] == 0


def test_the_mark_reply_refreshes_the_timed_items_of_the_stage(client, auth, db):
    visit_id = start_assignment(client, auth)
    first = next(i for i in timers("queue_joined") if i.timer_events[-1] == "greeted")
    index = [s.key for s in doughnut().stages].index(doughnut().stage_of(first.key).key)
    mark(client, auth, visit_id, "queue_joined", T0, stage=index)
    html = mark(client, auth, visit_id, "greeted", at(40), stage=index).get_data(as_text=True)
    assert 'id="clock-bar"' in html and f'id="item-{first.key}"' in html and 'hx-swap-oob="true"' in html
    assert "0:40" in html


def test_an_empty_visit_started_by_mistake_can_be_discarded(client, auth, db):
    """Discarding is logged and reopens the assignment; once something is recorded it is refused."""
    visit_id = start_assignment(client, auth)
    assignment = next(db.query("SELECT assignment_id FROM visits WHERE id = ?", [visit_id]))["assignment_id"]
    assert 'action="/visits/%d/discard"' % visit_id in client.get(f"/visits/{visit_id}/stage/0").get_data(as_text=True)
    r = client.post(f"/visits/{visit_id}/discard", data={"csrf_token": auth.token()})
    assert r.status_code == 303
    assert db.execute("SELECT count(*) FROM visits WHERE id = ?", [visit_id]).fetchone()[0] == 0
    assert next(db.query("SELECT status FROM assignments WHERE id = ?", [assignment]))["status"] == "open"
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'discard' AND object_id = ?",
                      [visit_id]).fetchone()[0] == 1
    second = start_assignment(client, auth)
    mark(client, auth, second, "queue_joined", T0)
    assert client.post(f"/visits/{second}/discard", data={"csrf_token": auth.token()}).status_code == 409
    assert db.execute("SELECT count(*) FROM visits WHERE id = ?", [second]).fetchone()[0] == 1


def test_number_failure_shows_the_pass_range(client, auth, db):
    visit_id = start_assignment(client, auth)
    item = next(i for i in doughnut().items() if i.type == "number" and i.pass_min is not None
                and i.pass_max is not None)
    low = item.pass_min - 1 if item.min is None or item.pass_min - 1 >= item.min else item.min
    r = client.post(f"/visits/{visit_id}/items/{item.key}", data={"value": str(low)},
                    headers={"X-CSRFToken": auth.token(), "Accept-Language": "en"})
    html = r.get_data(as_text=True)
    def num(x):
        return str(int(x)) if float(x).is_integer() else str(x)
    assert f"Passes at {num(item.pass_min)}–{num(item.pass_max)}" in html
