"""multi_choice, date, time, datetime (with deadlines), note and signature."""

import textwrap

import pytest
from pyxform.xls2xform import convert as pyxform_convert

from checklists import (AnswerError, ChecklistError, display_answer, item_failed, item_score,
                        load_checklist, load_checklist_text, missing_requirements, parse_answer,
                        score_visit)
from checklists.__main__ import main as cli

from xlsx_helpers import make_xlsx, model

SRC = textwrap.dedent("""\
    id: promise
    version: 1
    kind: promise_check
    title: {ko: 약속, en: Promise}
    stages:
      - key: claim
        title: Claim
        journey_stage: use
        touchpoints:
          - key: report
            title: Report
            importance: 5
            items:
              - {key: how_to, type: note, title: {ko: 사고 접수 후 기록, en: Record after reporting}}
              - {key: reported_at, type: datetime, title: Claim reported, required: true}
              - key: adjuster_at
                type: datetime
                title: Adjuster on site
                deadline_hours: 3
                deadline_from: reported_at
                critical: true
              - key: answered_at
                type: datetime
                title: Call answered
                deadline_hours: 0.05
              - key: services
                type: multi_choice
                title: Services offered
                choices:
                  - {key: tow, label: Towing, score: 1}
                  - {key: car, label: {ko: 대차, en: Rental car}, score: 0.5}
                  - {key: none, label: Nothing offered, score: 0, fail: true}
              - {key: visit_day, type: date, title: Day}
              - {key: visit_time, type: time, title: Time}
              - {key: signed, type: signature, title: Customer signature, required: true}
    """)


@pytest.fixture(scope="module")
def cl():
    return load_checklist_text(SRC, source="promise.yaml")


def test_multi_choice_parse_score_fail_display(cl):
    item = cl.item("services")
    assert parse_answer(item, "car tow") == ["tow", "car"]
    assert parse_answer(item, "tow, car") == ["tow", "car"]
    assert parse_answer(item, " ") is None
    with pytest.raises(AnswerError) as info:
        parse_answer(item, "tow boat")
    assert info.value.code == "multi_choice"
    assert item_score(item, ["tow", "car"]) == 1.0
    assert item_score(item, ["car"]) == pytest.approx(1 / 3)
    assert item_failed(item, ["tow"]) is False and item_failed(item, ["none"]) is True
    assert display_answer(item, ["tow", "car"], "ko") == "Towing, 대차"
    with pytest.raises(AnswerError):
        item_score(item, 3)
    assert item_score(item, "tow car") == 1.0  # ODK stores ticks space-separated


def test_date_and_time(cl):
    day, time = cl.item("visit_day"), cl.item("visit_time")
    assert parse_answer(day, "2024.5.31") == "2024-05-31"
    assert parse_answer(time, "9:05") == "09:05"
    for item, raw, code in ((day, "2024-02-30", "date"), (time, "25:00", "time")):
        with pytest.raises(AnswerError) as info:
            parse_answer(item, raw)
        assert info.value.code == code
    assert item_score(day, "2024-05-31") is None and item_failed(time, "09:05") is None


def test_deadline_from_another_item(cl):
    answers = {"reported_at": "2024-05-01 10:00", "adjuster_at": "2024-05-01 12:59"}
    ctx = {"answers": answers}
    item = cl.item("adjuster_at")
    assert item_failed(item, "2024-05-01 12:59", ctx) is False
    assert item_failed(item, "2024-05-01 13:01", ctx) is True
    assert item_score(item, "2024-05-01 13:01", ctx) == 0.0
    assert item_failed(item, "2024-05-01 13:01") is None  # no context: not judged
    s = score_visit(cl, dict(answers, adjuster_at="2024-05-01T14:00", signed=1))
    assert s.critical_failures == ("adjuster_at",) and not s.passed


def test_deadline_from_visit_start(cl):
    item = cl.item("answered_at")  # 0.05 h = 3 minutes
    answers = {"answered_at": "2024-05-01 10:02", "signed": 1, "reported_at": "2024-05-01 10:00"}
    assert score_visit(cl, answers, visit_start="2024-05-01T10:00").failed_items == ()
    late = score_visit(cl, answers, visit_start="2024-05-01T09:00")
    assert late.failed_items == ("answered_at",)
    assert score_visit(cl, answers).failed_items == ()  # start unknown: not judged
    assert item_failed(item, "2024-05-01 01:02+00:00",
                       {"visit_start": "2024-05-01T10:00+09:00"}) is False  # same instant zones
    assert item_failed(item, "2024-05-01 10:04+09:00",
                       {"visit_start": "2024-05-01T10:00+09:00"}) is True


def test_note_is_never_asked_and_signature_counts_like_a_photo(cl):
    assert parse_answer(cl.item("how_to"), "anything") is None
    missing = missing_requirements(cl, {"reported_at": "2024-05-01 10:00"}, {})
    assert [m.item_key for m in missing] == ["signed"]
    assert missing_requirements(cl, {"reported_at": "2024-05-01 10:00"}, {"signed": 1}) == []
    assert display_answer(cl.item("signed"), 1, "ko") == "서명함"


@pytest.mark.parametrize("old, new, path, code", [
    ("deadline_from: reported_at", "deadline_from: services", "items[2].deadline_from",
     "bad_deadline_from"),
    ("deadline_from: reported_at", "deadline_from: nowhere", "items[2].deadline_from",
     "bad_deadline_from"),
    ("type: note, title:", "type: note, required: true, title:", "items[0].required",
     "not_a_question"),
    ("deadline_hours: 3", "deadline_hours: 0", "items[2].deadline_hours", "not_above"),
])
def test_new_type_errors_are_located(old, new, path, code):
    with pytest.raises(ChecklistError) as info:
        load_checklist_text(SRC.replace(old, new), source="promise.yaml")
    assert info.value.path == f"stages[0].touchpoints[0].{path}" and info.value.code == code


def test_new_types_round_trip_through_xlsx_and_pass_pyxform(tmp_path, cl):
    src = tmp_path / "promise.yaml"
    src.write_text(SRC, encoding="utf-8")
    xlsx = tmp_path / "promise.xlsx"
    assert cli(["convert", str(src), str(xlsx)]) == 0
    assert model(load_checklist(xlsx)) == model(cl)
    assert pyxform_convert(xlsform=str(xlsx)).xform


def test_odk_types_map_to_the_new_item_types(tmp_path):
    survey = [["type", "name", "label", "appearance"],
              ["note", "intro", "Read this"],
              ["select_multiple extras", "extras", "Extras"],
              ["date", "d", "Date"], ["time", "t", "Time"], ["dateTime", "dt", "When"],
              ["image", "sig", "Sign here", "signature"], ["image", "pic", "Photo"]]
    choices = [["list_name", "name", "label", "score"], ["extras", "a", "A", 1],
               ["extras", "b", "B", 0]]
    c = load_checklist(make_xlsx(tmp_path / "f.xlsx", {"survey": survey, "choices": choices}))
    assert [i.type for i in c.items()] == ["note", "multi_choice", "date", "time", "datetime",
                                           "signature", "photo"]
