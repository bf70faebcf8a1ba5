import textwrap

import pytest

from checklists import (AnswerError, Missing, item_failed, load_checklist_text,
                        missing_requirements, parse_answer, score_visit)

SRC = textwrap.dedent("""\
    id: scoring
    version: 2
    kind: internal_audit
    title: Scoring
    pass_score: 75
    stages:
      - key: s1
        title: One
        journey_stage: purchase
        touchpoints:
          - key: heavy
            title: Heavy
            importance: 4
            items:
              - {key: clean, type: yes_no, title: Clean, critical: true, photo_on_fail: true}
              - {key: na_ok, type: yes_no_na, title: NA ok}
              - {key: mood, type: rating, mode: emotional, title: Mood}
          - key: light
            title: Light
            importance: 1
            items:
              - {key: speed, type: timer, title: Speed, target_sec: 60, required: true}
              - {key: temp, type: number, title: Temp, min: 0, max: 50, pass_min: 18, pass_max: 24}
      - key: s2
        title: Two
        journey_stage: retention
        touchpoints:
          - key: extra
            title: Extra
            items:
              - key: pick
                type: choice
                title: Pick
                weight: 2
                choices:
                  - {key: good, label: Good, score: 1}
                  - {key: meh, label: Meh, score: 0.5}
                  - {key: bad, label: Bad, score: 0.25, fail: true}
              - {key: free_count, type: number, title: Count}
              - {key: untimed, type: timer, title: Untimed}
              - {key: note, type: text, title: Note, required: true}
              - {key: pic, type: photo, title: Pic}
    """)


@pytest.fixture(scope="module")
def cl():
    return load_checklist_text(SRC, source="scoring.yaml")


def test_all_good_is_100(cl):
    s = score_visit(cl, {"clean": "yes", "na_ok": "yes", "mood": 5, "speed": 30.0,
                         "temp": 20.0, "pick": "good", "note": "fine", "pic": 2})
    assert s.score == 100 and s.passed
    assert s.stages == {"s1": 100, "s2": 100}
    assert s.failed_items == () and s.critical_failures == ()
    assert s.answered == 8 and s.scored == 6
    assert s.emotional == 100 and s.rational == 100


def test_item_scores_and_touchpoint_importance_weighting(cl):
    # heavy (importance 4): clean=1; light (importance 1): speed over target=0
    s = score_visit(cl, {"clean": "yes", "speed": 90.0})
    assert s.touchpoints["heavy"] == 100
    assert s.touchpoints["light"] == 0
    assert s.stages["s1"] == pytest.approx(100 * 4 / 5)
    assert s.failed_items == ("speed",)  # timer past target counts as failed
    assert s.touchpoints["extra"] is None and s.stages["s2"] is None


def test_rating_and_choice_scores(cl):
    s = score_visit(cl, {"mood": 4, "speed": 10.0})
    assert s.touchpoints["heavy"] == pytest.approx(75)
    assert s.emotional == pytest.approx(75) and s.rational == 100
    s = score_visit(cl, {"pick": "meh", "speed": 10.0})
    assert s.touchpoints["extra"] == pytest.approx(50)
    assert s.failed_items == ()
    s = score_visit(cl, {"pick": "bad", "speed": 10.0})
    assert s.failed_items == ("pick",)


def test_na_and_unanswered_optional_leave_denominator(cl):
    base = score_visit(cl, {"clean": "yes", "speed": 120.0})
    with_na = score_visit(cl, {"clean": "yes", "speed": 120.0, "na_ok": "na"})
    assert base.score == with_na.score
    assert with_na.answered == base.answered + 1


def test_unanswered_required_counts_as_zero(cl):
    s = score_visit(cl, {"clean": "yes"})  # speed (required) missing
    assert s.touchpoints["light"] == 0
    assert s.score == pytest.approx(100 * 4 / 5)
    assert "speed" not in s.failed_items


def test_critical_failure_fails_visit_whatever_the_score(cl):
    answers = {"clean": "no", "na_ok": "yes", "mood": 5, "speed": 1.0, "temp": 20.0,
               "pick": "good"}
    s = score_visit(cl, answers)
    assert s.score >= cl.pass_score
    assert not s.passed
    assert s.critical_failures == ("clean",)


def test_pass_score_threshold(cl):
    assert not score_visit(cl, {"speed": 100.0, "clean": "yes", "mood": 1}).passed
    assert score_visit(cl, {}).passed is False  # score 0: required speed missing


def test_number_without_range_and_timer_without_target_not_scored(cl):
    s = score_visit(cl, {"free_count": 3.0, "untimed": 999.0, "speed": 1.0})
    assert s.scored == 1 and s.touchpoints["extra"] is None
    assert item_failed(cl.item("free_count"), 3.0) is None
    assert item_failed(cl.item("untimed"), 999.0) is None


def test_number_pass_range(cl):
    temp = cl.item("temp")
    assert item_failed(temp, 17.9) is True
    assert item_failed(temp, 18) is False
    assert item_failed(temp, 24.5) is True


def test_item_failed_rules(cl):
    assert item_failed(cl.item("clean"), "no") is True
    assert item_failed(cl.item("clean"), "yes") is False
    assert item_failed(cl.item("clean"), None) is None
    assert item_failed(cl.item("na_ok"), "na") is None
    assert item_failed(cl.item("mood"), 2) is True
    assert item_failed(cl.item("mood"), 3) is False
    assert item_failed(cl.item("speed"), 60.0) is False
    assert item_failed(cl.item("speed"), 60.5) is True
    assert item_failed(cl.item("note"), "x") is None
    assert item_failed(cl.item("pic"), 0) is None


def test_invalid_stored_value_raises(cl):
    with pytest.raises(AnswerError):
        score_visit(cl, {"clean": "maybe"})
    with pytest.raises(AnswerError):
        score_visit(cl, {"mood": 7})


def test_unknown_answer_keys_ignored(cl):
    assert score_visit(cl, {"gone": "yes", "speed": 1.0}).score == 100


def test_missing_requirements(cl):
    missing = missing_requirements(cl, {"clean": "no"}, {})
    assert missing == [Missing("clean", "photo_on_fail"), Missing("speed", "required"),
                       Missing("note", "required")]
    assert missing_requirements(cl, {"clean": "no", "speed": 3.0, "note": "x"},
                                {"clean": 1}) == []


@pytest.mark.parametrize("type_key,raw,expected", [
    ("clean", "Yes", "yes"), ("clean", " no ", "no"), ("clean", "", None),
    ("na_ok", "N/A", "na"), ("mood", "4", 4), ("temp", "21.5", 21.5),
    ("pick", "meh", "meh"), ("note", "  hi ", "hi"), ("pic", "3", 3),
    ("speed", "95", 95.0), ("speed", "1:30", 90.0), ("speed", "1:00:05", 3605.0),
])
def test_parse_answer_ok(cl, type_key, raw, expected):
    assert parse_answer(cl.item(type_key), raw) == expected


@pytest.mark.parametrize("type_key,raw,message", [
    ("clean", "maybe", "Choose yes or no."),
    ("na_ok", "perhaps", "Choose yes, no or N/A."),
    ("mood", "6", "Choose a rating from 1 to 5."),
    ("mood", "3.5", "Choose a rating from 1 to 5."),
    ("temp", "70", "Enter a number between 0 and 50."),
    ("temp", "warm", "Enter a number between 0 and 50."),
    ("free_count", "x", "Enter a number."),
    ("pick", "great", "Choose one of the options."),
    ("pic", "-1", "Enter the number of photos."),
    ("speed", "-4", "Enter the wait in seconds (or as m:ss)."),
])
def test_parse_answer_errors(cl, type_key, raw, message):
    with pytest.raises(AnswerError) as info:
        parse_answer(cl.item(type_key), raw)
    assert info.value.message == message == str(info.value)
