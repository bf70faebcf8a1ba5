"""Property-based tests for the visit scorer, with skip logic (relevant) in the mix."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from checklists import (Checklist, Choice, Item, Stage, Text, Touchpoint, item_failed,
                        relevant_keys, score_visit)

SCORED_TYPES = ("yes_no", "yes_no_na", "rating", "number", "choice", "timer")
T = Text("가", "a")


@st.composite
def relevance(draw, earlier):
    """None, or an expression on an earlier yes/no or rating item (one that reads an N/A
    answer like an unanswered one, so N/A and blank stay interchangeable)."""
    sources = [i for i in earlier if i.type in ("yes_no", "yes_no_na", "rating")]
    if not sources or draw(st.integers(0, 2)) == 0:
        return None
    src = draw(st.sampled_from(sources))
    if src.type == "rating":
        expr = f"${{{src.key}}} <= {draw(st.integers(1, 5))}"
    else:
        expr = f"${{{src.key}}} = '{draw(st.sampled_from(('yes', 'no')))}'"
    return f"not({expr})" if draw(st.booleans()) else expr


@st.composite
def items(draw, key, earlier=()):
    type_ = draw(st.sampled_from(SCORED_TYPES))
    kw = dict(key=key, type=type_, title=T, relevant=draw(relevance(earlier)),
              weight=draw(st.floats(0.1, 5)), required=draw(st.booleans()),
              critical=draw(st.booleans()) and draw(st.booleans()))
    if type_ == "rating":
        kw["mode"] = draw(st.sampled_from(("rational", "emotional")))
        kw["fail_at_or_below"] = draw(st.integers(0, 4))
    elif type_ == "number":
        lo = draw(st.floats(-100, 100))
        kw.update(min=lo - 100, max=lo + 200, pass_min=lo, pass_max=lo + draw(st.floats(0, 50)))
    elif type_ == "choice":
        scores = draw(st.lists(st.floats(0, 1), min_size=2, max_size=4))
        kw["choices"] = tuple(Choice(f"c{i}", T, s, fail=s < 0.3)
                              for i, s in enumerate(scores + [1.0]))
    elif type_ == "timer":
        kw["target_sec"] = draw(st.floats(1, 600))
    return Item(**kw)


@st.composite
def checklists(draw):
    n = 0
    stages = []
    earlier: list = []
    for s in range(draw(st.integers(1, 3))):
        tps = []
        for t in range(draw(st.integers(1, 3))):
            its = []
            for _ in range(draw(st.integers(1, 4))):
                its.append(draw(items(f"i{n}", tuple(earlier))))
                earlier.append(its[-1])
                n += 1
            tps.append(Touchpoint(f"t{s}_{t}", T, draw(st.integers(1, 5)), tuple(its)))
        stages.append(Stage(f"s{s}", T, "use", tuple(tps)))
    return Checklist(id="prop", version=1, kind="internal_audit", title=T, description=None,
                     pass_score=draw(st.floats(0, 100)), stages=tuple(stages),
                     content_hash="0" * 64, source="prop.yaml")


def answer_for(draw, item):
    t = item.type
    if t == "yes_no":
        return draw(st.sampled_from(("yes", "no")))
    if t == "yes_no_na":
        return draw(st.sampled_from(("yes", "no", "na")))
    if t == "rating":
        return draw(st.integers(1, 5))
    if t == "number":
        return draw(st.floats(item.min, item.max))
    if t == "choice":
        return draw(st.sampled_from(item.choices)).key
    return draw(st.floats(0, 1200))  # timer


def passing_answer(item):
    return {"yes_no": "yes", "yes_no_na": "yes", "rating": 5, "number": item.pass_min,
            "choice": max(item.choices, key=lambda c: c.score).key if item.choices else None,
            "timer": 0.0}[item.type]


@st.composite
def visits(draw):
    cl = draw(checklists())
    answers = {}
    for item in cl.items():
        if draw(st.integers(0, 3)):  # ~1 in 4 left unanswered
            answers[item.key] = answer_for(draw, item)
    return cl, answers


@settings(max_examples=300)
@given(visits())
def test_scores_within_0_and_100(visit):
    cl, answers = visit
    s = score_visit(cl, answers)
    for value in [s.score, s.emotional, s.rational, *s.stages.values(), *s.touchpoints.values()]:
        assert value is None or 0 <= value <= 100
    assert s.answered == len(set(answers) & relevant_keys(cl, answers))


@given(checklists())
def test_all_pass_answers_score_100_and_pass(cl):
    s = score_visit(cl, {i.key: passing_answer(i) for i in cl.items()})
    assert s.score == 100
    assert s.passed
    assert s.failed_items == () and s.critical_failures == ()


@given(visits())
def test_any_critical_failure_means_not_passed(visit):
    cl, answers = visit
    s = score_visit(cl, answers)
    asked = relevant_keys(cl, answers)
    critical_failed = [i.key for i in cl.items()
                       if i.critical and i.key in asked and item_failed(i, answers.get(i.key))]
    assert list(s.critical_failures) == critical_failed
    if critical_failed:
        assert not s.passed
    assert set(s.critical_failures) <= set(s.failed_items)


@given(visits())
def test_na_equals_unanswered_for_optional_items(visit):
    cl, answers = visit
    optional_na = [i for i in cl.items() if i.type == "yes_no_na" and not i.required]
    for item in optional_na:
        with_na = dict(answers, **{item.key: "na"})
        without = {k: v for k, v in answers.items() if k != item.key}
        a, b = score_visit(cl, with_na), score_visit(cl, without)
        assert (a.score, a.stages, a.touchpoints, a.passed) == \
            (b.score, b.stages, b.touchpoints, b.passed)


@given(visits(), st.data())
def test_turning_no_into_yes_never_lowers_the_score(visit, data):
    cl, answers = visit
    read = {ref for i in cl.items() if i.relevant for ref in re.findall(r"\$\{(\w+)\}", i.relevant)}
    noes = [k for k, v in answers.items() if v == "no" and k not in read
            and k in relevant_keys(cl, answers)]
    if not noes:
        return
    key = data.draw(st.sampled_from(noes))
    before = score_visit(cl, answers)
    after = score_visit(cl, dict(answers, **{key: "yes"}))
    assert after.score >= before.score - 1e-9
    for before_part, after_part in ((before.stages, after.stages),
                                    (before.touchpoints, after.touchpoints)):
        for k, v in before_part.items():
            if v is not None:
                assert after_part[k] >= v - 1e-9
    assert after.passed or not before.passed
    assert len(after.failed_items) == len(before.failed_items) - 1


@given(visits(), st.data())
def test_answers_to_skipped_items_change_nothing(visit, data):
    cl, answers = visit
    skipped = [i for i in cl.items() if i.key not in relevant_keys(cl, answers)]
    if not skipped:
        return
    item = data.draw(st.sampled_from(skipped))
    read = {ref for i in cl.items() if i.relevant for ref in re.findall(r"\$\{(\w+)\}", i.relevant)}
    if item.key in read:
        return  # its answer would still be hidden, but keep the property simple
    a = score_visit(cl, {k: v for k, v in answers.items() if k != item.key})
    b = score_visit(cl, dict(answers, **{item.key: passing_answer(item)}))
    assert (a.score, a.stages, a.touchpoints, a.passed, a.failed_items, a.scored) == \
        (b.score, b.stages, b.touchpoints, b.passed, b.failed_items, b.scored)


@given(visits())
def test_skipped_items_are_never_failed_or_missing(visit):
    from checklists import missing_requirements
    cl, answers = visit
    asked = relevant_keys(cl, answers)
    s = score_visit(cl, answers)
    assert set(s.failed_items) <= asked
    assert {m.item_key for m in missing_requirements(cl, answers)} <= asked
