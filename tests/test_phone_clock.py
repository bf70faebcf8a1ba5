"""Phone clocks are checked against the server's: not-a-time refused, far-off times clamped."""

from datetime import UTC, datetime

import pytest

from fieldapp.audit.clock import FUTURE, INVALID, PAST, check_client_time

NOW = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
START = "2026-05-01T09:30:00+00:00"


@pytest.mark.parametrize("raw", ["", "soon", "12:00", "2026-05-01T10:00:00", "0000-01-01T00:00Z",
                                 "2026-13-01T00:00:00Z", "1" * 500, None, 17, "２０２６-05-01T10:00Z",
                                 "0001-01-01T00:00:00+09:00"])
def test_a_time_that_is_not_a_time_is_invalid(raw):
    assert check_client_time(raw, NOW) == (None, INVALID)


def test_a_believable_time_is_kept_in_utc_with_milliseconds():
    assert check_client_time("2026-05-01T19:05:03.250+09:00", NOW, not_before=START) == \
        ("2026-05-01T10:05:03.250+00:00", None)


@pytest.mark.parametrize("raw, flag", [("9999-12-31T23:59:59Z", FUTURE), ("2026-05-03T10:00:00Z", FUTURE),
                                       ("1970-01-01T00:00:00Z", PAST), ("2026-04-29T09:00:00Z", PAST)])
def test_far_future_or_past_is_clamped_to_the_server_time_with_a_flag(raw, flag):
    assert check_client_time(raw, NOW, not_before=START) == ("2026-05-01T10:00:00.000+00:00", flag)


def test_without_a_visit_start_a_month_back_is_the_limit():
    assert check_client_time("2026-04-10T10:00:00Z", NOW)[1] is None
    assert check_client_time("2026-03-10T10:00:00Z", NOW)[1] == PAST


# --- through the routes ---------------------------------------------------------

import json
from datetime import timedelta

from tests.audit_helpers import answer, doughnut, start_assignment


def _item(type_):
    return next(i for i in doughnut().items() if i.type == type_)


def _iso(moment):
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_an_answer_from_a_phone_set_to_9999_does_not_freeze_the_item(client, auth, db):
    """A far-future client_ts is clamped, so the next real edit still wins."""
    visit_id = start_assignment(client, auth)
    item, token = _item("yes_no"), auth.token()
    assert answer(client, token, visit_id, item.key, "no",
                  client_ts="9999-12-31T23:59:59.000Z").status_code == 200
    later = _iso(datetime.now(UTC) + timedelta(seconds=5))
    assert answer(client, token, visit_id, item.key, "yes", client_ts=later).status_code == 200
    row = db.execute("SELECT value_json, client_ts FROM answers WHERE visit_id = ? AND item_key = ?",
                     [visit_id, item.key]).fetchone()
    assert json.loads(row[0]) == "yes" and not row[1].startswith("9999")


@pytest.mark.parametrize("raw", ["yesterday", "2026-05-01T10:00:00", "+275760-09-13T00:00:00Z"])
def test_an_answer_whose_client_ts_is_not_a_time_is_a_400_with_a_message(client, auth, db, raw):
    visit_id = start_assignment(client, auth)
    item = _item("yes_no")
    r = answer(client, auth.token(), visit_id, item.key, "no", client_ts=raw)
    assert r.status_code == 400 and 'class="field-error"' in r.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM answers WHERE visit_id = ?", [visit_id]).fetchone()[0] == 0


@pytest.mark.parametrize("raw", ["yesterday", "", "2026-05-01", "NaN", "٢٠٢٦-٠٥-٠١T10:00:00Z"])
def test_a_malformed_stopwatch_mark_is_a_400_with_a_message(client, auth, db, raw):
    visit_id = start_assignment(client, auth)
    item = _item("timer")
    r = client.post(f"/visits/{visit_id}/items/{item.key}/timing",
                    data={"event": item.timer_events[0], "at": raw}, headers={"X-CSRFToken": auth.token()})
    assert r.status_code == 400 and 'class="field-error"' in r.get_data(as_text=True)


def test_a_phone_set_to_1970_makes_no_56_year_wait(client, auth, db):
    """The 1970 start is clamped to the server's time (flagged), so the wait stays short."""
    visit_id = start_assignment(client, auth)
    item, token = _item("timer"), auth.token()
    stamps = ["1970-01-01T00:00:00.000Z", _iso(datetime.now(UTC) + timedelta(seconds=30))]
    for event, at in zip(item.timer_events, stamps):
        r = client.post(f"/visits/{visit_id}/items/{item.key}/timing",
                        data={"event": event, "at": at}, headers={"X-CSRFToken": token})
        assert r.status_code == 200
    value = json.loads(db.execute("SELECT value_json FROM answers WHERE visit_id = ? AND item_key = ?",
                                  [visit_id, item.key]).fetchone()[0])
    assert 0 <= value < 3600
