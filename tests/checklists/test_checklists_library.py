import pytest
from pyxform.xls2xform import convert as pyxform_convert

from checklists import (ITEM_TYPES, JOURNEY_STAGES, KINDS, library_paths, load_checklist,
                        load_library, missing_requirements, relevant_items, score_visit)
from checklists.__main__ import XLSX_DIR

from xlsx_helpers import model

EXPECTED_IDS = {"doughnut-mystery-shop", "avis-rental-journey", "hilton-stay",
                "virgin-atlantic-journey", "skt-store-journey", "hyundai-card-promise-check",
                "vips-customer-panel", "aritaum-store-experience",
                "progressive-immediate-response"}


def best_answer(item):
    if item.type in ("yes_no", "yes_no_na"):
        return "yes"
    if item.type == "rating":
        return 5
    if item.type == "number":
        for v in (item.pass_min, item.pass_max, item.min, item.max, 0.0):
            if v is not None:
                return float(v)
    if item.type == "choice":
        return max(item.choices, key=lambda c: c.score).key
    if item.type == "multi_choice":
        return [c.key for c in item.choices if c.score > 0]
    if item.type == "datetime":
        return "2024-05-01 10:00"  # every moment the same: every deadline met
    if item.type == "date":
        return "2024-05-01"
    if item.type == "time":
        return "10:00"
    if item.type == "note":
        return None
    if item.type == "timer":
        return 0.0
    if item.type == "text":
        return "ok"
    return 1  # photo


def test_library_ids():
    assert set(load_library()) == EXPECTED_IDS
    assert len(library_paths()) == len(EXPECTED_IDS) == 9


@pytest.mark.parametrize("path", library_paths(), ids=lambda p: p.name)
def test_shipped_xlsx_equals_a_fresh_conversion(path):
    shipped = XLSX_DIR / f"{path.stem}.xlsx"
    assert shipped.exists(), "run: python -m checklists export-library"
    assert model(load_checklist(shipped)) == model(load_checklist(path))
    assert "<h:html" in pyxform_convert(xlsform=str(shipped)).xform


def test_no_stale_shipped_xlsx():
    assert sorted(p.stem for p in XLSX_DIR.glob("*.xlsx")) == \
        sorted(p.stem for p in library_paths())


@pytest.mark.parametrize("path", library_paths(), ids=lambda p: p.name)
def test_library_file_loads_and_scores(path):
    c = load_checklist(path)
    assert c.kind in KINDS
    assert c.title.ko and c.title.en
    for stage in c.stages:
        assert stage.journey_stage in JOURNEY_STAGES
    items = list(c.items())
    assert {i.type for i in items} <= set(ITEM_TYPES)
    best = {i.key: best_answer(i) for i in items}
    s = score_visit(c, best)
    assert s.score == 100 and s.passed and s.failed_items == ()
    assert missing_requirements(c, best, {}) == []
    worst = {i.key: "no" for i in items if i.type in ("yes_no", "yes_no_na")}
    s2 = score_visit(c, worst)
    assert s2.score is not None and s2.score < s.score and not s2.passed


@pytest.mark.parametrize("path", library_paths(), ids=lambda p: p.name)
def test_library_names_every_stopwatch_event_in_both_languages(path):
    c = load_checklist(path)
    used = {e for i in c.items() if i.type == "timer" for e in i.timer_events}
    assert used and used == {key for key, _ in c.events}
    for key, label in c.events:
        assert label.ko and label.en and label.ko != label.en, key


def test_doughnut_shop_is_rich():
    c = load_library()["doughnut-mystery-shop"]
    items = list(c.items())
    assert 35 <= len(items) <= 50
    assert len(c.stages) == 7
    timers = [i for i in items if i.type == "timer"]
    assert len(timers) >= 3 and all(t.target_sec for t in timers)
    assert c.item("queue_to_greeted").timer_events == ("queue_joined", "greeted")
    assert c.item("order_to_served").timer_events == ("order_taken", "served")
    assert any(i.critical for i in c.stages[2].items())  # hygiene
    assert sum(i.photo_on_fail for i in items) >= 5
    for stage in c.stages:
        assert any(i.type == "rating" and i.mode == "emotional" for i in stage.items())
    # one critical hygiene failure fails an otherwise perfect visit
    answers = {i.key: best_answer(i) for i in items}
    answers["no_bare_hand_contact"] = "no"
    s = score_visit(c, answers)
    assert s.score > 90 and not s.passed and s.critical_failures == ("no_bare_hand_contact",)


def test_kinds_covered():
    kinds = {c.kind for c in load_library().values()}
    assert {"mystery_shop", "promise_check", "customer_voice", "internal_audit"} <= kinds


def test_hilton_importance_varies():
    c = load_library()["hilton-stay"]
    assert len({tp.importance for s in c.stages for tp in s.touchpoints}) >= 3


def test_aritaum_compares_counselling_testers_and_services_with_skip_logic():
    c = load_library()["aritaum-store-experience"]
    assert c.kind == "mystery_shop"
    types = {i.type for i in c.items()}
    assert {"multi_choice", "note", "timer"} <= types
    shown = [i.key for i in relevant_items(c, {"counselling_offered": "no",
                                               "testers_available": "no"})]
    assert "no_counselling_reason" in shown and "asked_about_skin" not in shown
    assert "tester_condition" not in shown and "diagnosis_explained" not in shown
    shown = [i.key for i in relevant_items(c, {"services_offered": ["skin_diagnosis"]})]
    assert "diagnosis_explained" in shown
    s = score_visit(c, {"testers_available": "yes", "hygiene_tools": "no"})
    assert s.critical_failures == ("hygiene_tools",)


def test_progressive_promises_have_deadlines():
    c = load_library()["progressive-immediate-response"]
    assert c.kind == "promise_check"
    arrived = c.item("adjuster_arrived_at")
    assert (arrived.deadline_hours, arrived.deadline_from, arrived.critical) == (1, "reported_at",
                                                                                True)
    assert c.item("paid_at").deadline_hours == 24
    base = {i.key: best_answer(i) for i in c.items()}
    late = dict(base, adjuster_arrived_at="2024-05-01 11:30")
    s = score_visit(c, late)
    assert s.critical_failures == ("adjuster_arrived_at",) and not s.passed
    # paid on the spot: the 24 h payment deadline is not asked
    assert "paid_at" not in [i.key for i in relevant_items(c, base)]
    later = dict(base, payment_outcome="later_explained", paid_at="2024-05-02 11:00")
    assert score_visit(c, later).failed_items == ("paid_at",)
