"""Skip logic (relevant) and constraints: parser, semantics, loading, scoring."""

import json
import textwrap
from pathlib import Path

import pytest

from checklists import (AnswerError, ChecklistError, Missing, constraint_violations,
                        is_relevant, load_checklist, load_checklist_text, missing_requirements,
                        parse_answer, relevant_items, score_visit)
from checklists.relevance import ExpressionError, evaluate, parse_expression

from cl_helpers import line_of
from xlsx_helpers import ODK_CHOICES, ODK_SETTINGS, ODK_SURVEY, make_xlsx

CASES = json.loads((Path(__file__).parent / "relevance_cases.json").read_text("utf-8"))

SRC = textwrap.dedent("""\
    id: skip
    version: 1
    kind: mystery_shop
    title: Skip
    stages:
      - key: s1
        title: One
        journey_stage: purchase
        touchpoints:
          - key: t1
            title: T
            items:
              - {key: offered, type: yes_no, title: Sample offered}
              - key: sample_taste
                type: rating
                title: Sample taste
                required: true
                relevant: "${offered} = 'yes'"
              - key: why_not
                type: text
                title: Why not
                relevant: "${offered} = 'no'"
              - key: follow_up
                type: yes_no
                title: Follow-up
                relevant: "${sample_taste} <= 2"
              - key: people
                type: number
                title: People
                constraint: ". >= 0 and . <= ${capacity}"
                constraint_message: {ko: 정원 이하, en: At most the capacity}
              - {key: capacity, type: number, title: Capacity, min: 0, max: 500}
    """)


@pytest.fixture(scope="module")
def cl():
    return load_checklist_text(SRC, source="skip.yaml")


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['expr']} {c['answers']}")
def test_relevance_cases(case):
    assert evaluate(case["expr"], case["answers"], case.get("value")) is case["expected"]


def test_cases_file_is_json_plain():
    for case in CASES:
        assert set(case) <= {"expr", "answers", "expected", "value"}
        for value in case["answers"].values():
            assert value is None or isinstance(value, (str, int, float, list))


@pytest.mark.parametrize("src, pos", [("${a} = ", 7), ("${a} == 1", 6), ("(${a} = 1", 9),
                                      ("${a} = 1 1", 9), ("import os", 0), ("${a} = 'x", 7),
                                      ("__import__('os')", 0), ("not ${a}", 4)])
def test_syntax_errors_have_a_position_and_never_run_code(src, pos):
    with pytest.raises(ExpressionError) as info:
        parse_expression(src)
    assert info.value.pos == pos


def test_the_parser_builds_an_ast():
    assert parse_expression("not(${a} = 'x') or selected(${m}, 'y')") == \
        ("or", ("not", ("cmp", "=", ("ref", "a"), ("str", "x"))),
         ("selected", ("ref", "m"), ("str", "y")))


def test_relevant_items_cascade(cl):
    keys = lambda answers: [i.key for i in relevant_items(cl, answers)]  # noqa: E731
    assert keys({}) == ["offered", "people", "capacity"]
    assert keys({"offered": "yes", "sample_taste": 2}) == \
        ["offered", "sample_taste", "follow_up", "people", "capacity"]
    # sample_taste is hidden again: its kept answer no longer shows follow_up
    assert keys({"offered": "no", "sample_taste": 2}) == ["offered", "why_not", "people",
                                                           "capacity"]
    assert is_relevant(cl.item("follow_up"), {"offered": "no", "sample_taste": 2})
    assert not is_relevant(cl.item("follow_up"), {"offered": "no", "sample_taste": 2}, cl)


def test_irrelevant_items_are_not_required_and_leave_the_denominator(cl):
    assert missing_requirements(cl, {"offered": "no"}) == []
    assert missing_requirements(cl, {"offered": "yes"}) == [Missing("sample_taste", "required")]
    s = score_visit(cl, {"offered": "no"})
    assert s.scored == 1 and s.score == 0
    s = score_visit(cl, {"offered": "yes"})  # required sample_taste unanswered counts 0
    assert s.scored == 2 and s.score == 50


def test_answer_to_an_item_that_became_irrelevant_is_kept_but_not_scored(cl):
    answers = {"offered": "no", "sample_taste": 1, "follow_up": "no"}
    s = score_visit(cl, answers)
    assert s.failed_items == ("offered",) and s.answered == 1 and s.scored == 1
    assert answers["sample_taste"] == 1


def test_constraint_breaks_raise_answer_error_with_code(cl):
    people = cl.item("people")
    with pytest.raises(AnswerError) as info:
        parse_answer(people, "60", {"capacity": 50})
    assert info.value.code == "constraint" and info.value.message == "At most the capacity"
    assert info.value.params["item"] == "people"
    assert parse_answer(people, "40", {"capacity": 50}) == 40
    assert parse_answer(people, "60") == 60  # other answers unknown: not judged
    assert [k for k, _ in constraint_violations(cl, {"people": 60, "capacity": 50})] == ["people"]
    assert constraint_violations(cl, {"people": 6, "capacity": 50}) == []


def test_self_only_constraint_checked_without_answers():
    c = load_checklist_text(SRC.replace(". >= 0 and . <= ${capacity}", ". >= 1"))
    with pytest.raises(AnswerError) as info:
        parse_answer(c.item("people"), "0")
    assert info.value.code == "constraint"


@pytest.mark.parametrize("old, new, code", [
    ("\"${offered} = 'yes'\"", "\"${offerd} = 'yes'\"", "unknown_item"),
    ("\"${offered} = 'yes'\"", "\"${offered} = \"", "expression_syntax"),
    ("\"${offered} = 'yes'\"", "\". = 'yes'\"", "self_in_relevant"),
    ("\"${offered} = 'yes'\"", "\"${follow_up} = 'yes'\"", "relevance_cycle"),
])
def test_bad_expressions_are_located(old, new, code):
    text = SRC.replace(old, new)
    with pytest.raises(ChecklistError) as info:
        load_checklist_text(text, source="skip.yaml")
    err = info.value
    assert err.code == code
    assert err.message.startswith(f"skip.yaml:{line_of(text, new.strip(chr(34)))}: "
                                  f"stages[0].touchpoints[0].items[1].relevant: "), err.message


def test_cycle_error_names_the_loop():
    text = SRC.replace("\"${offered} = 'yes'\"", "\"${follow_up} = 'yes'\"")
    with pytest.raises(ChecklistError) as info:
        load_checklist_text(text)
    assert "sample_taste -> follow_up -> sample_taste" in info.value.message


def test_xlsform_relevant_constraint_and_group_relevance(tmp_path):
    survey = [row[:] for row in ODK_SURVEY]
    survey[7][6] = "${greeted} = 'yes'"  # the service group is asked only after a greeting
    c = load_checklist(make_xlsx(tmp_path / "f.xlsx", {"survey": survey, "choices": ODK_CHOICES,
                                                      "settings": ODK_SETTINGS}))
    assert c.item("why_not").relevant == "${greeted} = 'no'"
    assert c.item("queue").constraint == ". >= 0"
    assert c.item("queue").constraint_message.en == "Not negative"
    assert c.item("quality").relevant == "${greeted} = 'yes'"
    assert [i.key for i in relevant_items(c, {"greeted": "no"})] == ["greeted", "queue",
                                                                     "why_not"]
    with pytest.raises(AnswerError):
        parse_answer(c.item("queue"), "-1")


def test_xlsform_expression_errors_name_the_cell(tmp_path):
    survey = [row[:] for row in ODK_SURVEY]
    survey[5][6] = "${greetd} = 'no'"
    p = make_xlsx(tmp_path / "f.xlsx", {"survey": survey, "choices": ODK_CHOICES})
    with pytest.raises(ChecklistError) as info:
        load_checklist(p)
    assert info.value.message.startswith(f"{p}:survey:6: relevant: unknown item ${{greetd}}")
