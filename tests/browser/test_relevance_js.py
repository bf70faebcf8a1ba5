"""The phone's skip-logic evaluator (static/relevance.js) in real Chromium gives the same
answer as the Python one for every shared case, and the same cascade over a checklist."""

import json
from pathlib import Path

import pytest

from checklists import relevant_keys
from tests.skip_helpers import skip_checklist

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "tests/checklists/relevance_cases.json").read_text("utf-8"))
SCRIPT = ROOT / "fieldapp/static/relevance.js"


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(SCRIPT))
    yield page
    context.close()


def test_every_shared_case_gives_the_expected_answer_in_chromium(page):
    got = page.evaluate("""cases => cases.map(c => {
        try { return Relevance.evaluate(c.expr, c.answers, c.value === undefined ? null : c.value); }
        catch (e) { return 'error: ' + e.message; }
    })""", CASES)
    wrong = [(c["expr"], c["answers"], c.get("value"), c["expected"], g)
             for c, g in zip(CASES, got) if g != c["expected"]]
    assert len(got) == len(CASES) > 50
    assert wrong == []


def test_a_syntax_error_throws_rather_than_guessing(page):
    for bad in ("${a} = ", "${a} == 'x'", "foo(${a})", "${a} = 'x' and"):
        assert page.evaluate("src => { try { Relevance.parse(src); return false; } "
                             "catch (e) { return true; } }", bad), bad


def test_the_cascade_matches_relevant_keys_for_many_answer_sets(page):
    checklist = skip_checklist()
    order = [i.key for i in checklist.items()]
    rules = {i.key: i.relevant for i in checklist.items() if i.relevant}
    answer_sets = [{}, {"sample_offered": "no"}, {"sample_offered": "yes"},
                   {"extras": ["coupon"]}, {"extras": ["napkin"]},
                   {"sample_offered": "yes", "extras": ["napkin", "coupon"], "capacity": 3}]
    for answers in answer_sets:
        js = page.evaluate("([o, r, a]) => Object.keys(Relevance.relevantKeys(o, r, a))",
                           [order, rules, answers])
        assert set(js) == relevant_keys(checklist, answers), answers
