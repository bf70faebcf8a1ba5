"""Item types are one class each, found by name: a new one plugs in from outside."""

import datetime as dt
import textwrap

import pytest

from checklists import (ITEM_TYPES, AnswerError, ChecklistError, ItemType, Key, display_answer,
                        item_failed, item_score, item_type, item_type_names, load_checklist_text,
                        missing_requirements, parse_answer, register_item_type, score_visit,
                        unregister_item_type)

from cl_helpers import BASE


class ToyDate(ItemType):
    """A date that must not be later than its item's ``not_after``."""

    name = "test_date"
    keys = {"not_after": Key("str")}

    def check(self, kw, fail):
        if kw["not_after"] is not None:
            try:
                dt.date.fromisoformat(kw["not_after"])
            except ValueError:
                fail("not_after", "must be a date like 2024-12-31", "bad_date")

    def parse_text(self, item, s):
        try:
            return dt.date.fromisoformat(s).isoformat()
        except ValueError:
            raise AnswerError("Enter a date like 2024-12-31.", "test_date") from None

    def normalize(self, item, value):
        if not isinstance(value, str):
            raise self.bad(item, value)
        return value

    def scorable(self, item):
        return item.not_after is not None

    def score(self, item, value):
        return None if item.not_after is None else float(value <= item.not_after)

    def failed(self, item, value):
        return None if item.not_after is None else value > item.not_after


TOY = BASE + textwrap.indent(textwrap.dedent("""\
    - key: s2
      title: Dates
      journey_stage: use
      touchpoints:
        - key: t2
          title: Dates
          items:
            - {key: opened, type: test_date, title: Opened, not_after: "2024-06-30", critical: true}
            - {key: noted, type: test_date, title: Noted}
    """), "  ")


@pytest.fixture
def toy_type():
    register_item_type(ToyDate)
    yield
    unregister_item_type("test_date")


def test_a_type_registered_from_outside_loads_parses_scores_and_fails(toy_type):
    c = load_checklist_text(TOY, source="toy.yaml")
    opened = c.item("opened")
    assert opened.not_after == "2024-06-30" and c.item("noted").not_after is None
    assert parse_answer(opened, " 2024-06-01 ") == "2024-06-01"
    with pytest.raises(AnswerError) as info:
        parse_answer(opened, "June")
    assert info.value.code == "test_date"
    assert item_score(opened, "2024-06-01") == 1.0 and item_failed(opened, "2024-06-01") is False
    assert item_failed(opened, "2024-07-01") is True
    assert item_failed(c.item("noted"), "2024-07-01") is None
    s = score_visit(c, {"greeted": "yes", "opened": "2024-07-01", "noted": "2030-01-01"})
    assert s.critical_failures == ("opened",) and not s.passed
    assert s.touchpoints["t2"] == 0
    assert display_answer(opened, "2024-07-01") == "2024-07-01"


def test_a_registered_type_checks_its_own_keys(toy_type):
    with pytest.raises(ChecklistError) as info:
        load_checklist_text(TOY.replace('"2024-06-30"', "soon"), source="toy.yaml")
    assert info.value.path.endswith("items[0].not_after") and info.value.code == "bad_date"
    with pytest.raises(ChecklistError) as info:
        load_checklist_text(TOY.replace("title: Noted", "title: Noted, target_sec: 3"))
    assert "only allowed on timer items" in info.value.message


def test_unregistered_type_is_unknown_again():
    assert "test_date" not in item_type_names()
    with pytest.raises(ChecklistError) as info:
        load_checklist_text(TOY)
    assert info.value.code == "not_one_of" and "test_date" in info.value.message
    with pytest.raises(KeyError):
        item_type("test_date")


def test_register_refuses_a_taken_or_bad_name():
    with pytest.raises(ValueError):
        register_item_type(type("Again", (ItemType,), {"name": "rating"}))
    with pytest.raises(ValueError):
        register_item_type(type("Nameless", (ItemType,), {}))
    assert item_type("rating").name == "rating"


def test_builtin_types_are_registered_in_readme_order():
    assert ITEM_TYPES[:8] == ("yes_no", "yes_no_na", "rating", "number", "choice", "text",
                              "photo", "timer")
    assert all(item_type(n).name == n for n in ITEM_TYPES)


@pytest.mark.parametrize("key, raw, code, params", [
    ("greeted", "maybe", "yes_no", {}),
    ("mood", "9", "rating_range", {"low": 1, "high": 5}),
    ("wait", "soon", "timer", {}),
])
def test_answer_errors_carry_a_code_and_params(key, raw, code, params):
    c = load_checklist_text(BASE)
    with pytest.raises(AnswerError) as info:
        parse_answer(c.item(key), raw)
    assert (info.value.code, info.value.params) == (code, params)


def test_number_answer_error_params():
    c = load_checklist_text(BASE.replace("type: yes_no", "type: number\n            min: 0\n"
                                         "            max: 50"))
    with pytest.raises(AnswerError) as info:
        parse_answer(c.item("greeted"), "70")
    assert info.value.code == "number_range" and info.value.params == {"low": 0, "high": 50}


def test_checklist_errors_carry_a_code():
    with pytest.raises(ChecklistError) as info:
        load_checklist_text(BASE.replace("weight: 1", "weight: 0"))
    assert info.value.code == "not_above" and info.value.params == {"gt": 0}
    with pytest.raises(ChecklistError) as info:
        load_checklist_text(BASE.replace("importance: 4", "importance: 9"))
    assert info.value.code == "out_of_range" and info.value.params["high"] == 5


@pytest.mark.parametrize("key, value, locale, shown", [
    ("greeted", "yes", "en", "Yes"), ("greeted", "no", "ko", "아니오"),
    ("wait", 95.0, "en", "1:35"), ("wait", 3605.4, "en", "1:00:05"),
    ("mood", 4, "en", "4/5"), ("mood", None, "en", ""),
])
def test_display_is_plain_text(key, value, locale, shown):
    c = load_checklist_text(BASE)
    assert display_answer(c.item(key), value, locale) == shown


def test_display_numbers_without_float_noise():
    c = load_checklist_text(BASE.replace("type: yes_no", "type: number"))
    assert display_answer(c.item("greeted"), 20.0) == "20"
    assert display_answer(c.item("greeted"), 21.5) == "21.5"


def test_photo_type_decides_what_counts_as_answered():
    c = load_checklist_text(BASE.replace("type: yes_no", "type: photo\n            required: true")
                            .replace("                weight: 1\n", ""))
    assert missing_requirements(c, {}, {"greeted": 1}) == []
    assert [m.item_key for m in missing_requirements(c, {}, {})] == ["greeted"]
