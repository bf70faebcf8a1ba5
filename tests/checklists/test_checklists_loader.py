import hashlib
import textwrap

import pytest

from checklists import ChecklistError, Text, load_checklist, load_checklist_text

from cl_helpers import BASE, line_of


def error_of(text, source="demo.yaml"):
    with pytest.raises(ChecklistError) as info:
        load_checklist_text(text, source=source)
    err = info.value
    assert str(err) == err.message
    assert "\n" not in err.message
    return err


def assert_located(err, source, line, path):
    assert err.message.startswith(f"{source}:{line}: {path}: "), err.message


def test_valid_base_loads():
    c = load_checklist_text(BASE, source="demo.yaml")
    assert c.id == "demo" and c.version == 1 and c.kind == "mystery_shop"
    assert c.title == Text("데모", "Demo")
    assert c.pass_score == 80
    assert [i.key for i in c.items()] == ["greeted", "wait", "mood"]
    assert c.item("mood").mode == "emotional"
    assert c.item("greeted").mode == "rational"
    assert c.item("wait").timer_events == ("start", "stop")
    assert c.touchpoint_of("wait").key == "t1"
    assert c.stage_of("wait").key == "s1"
    assert c.content_hash == hashlib.sha256(BASE.encode()).hexdigest()
    assert c.source == "demo.yaml"


def test_model_is_immutable():
    c = load_checklist_text(BASE)
    with pytest.raises(AttributeError):
        c.id = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        c.item("greeted").weight = 3  # type: ignore[misc]


def test_plain_string_title_is_both_languages_and_get_falls_back():
    c = load_checklist_text(BASE)
    assert c.stages[0].touchpoints[0].title == Text("Touchpoint", "Touchpoint")
    assert Text("한국어", "").get("en") == "한국어"
    assert Text("", "English").get("ko") == "English"
    assert Text("가", "A").get("ko_KR") == "가"
    assert Text("가", "A").get("en-US") == "A"


def test_load_checklist_from_file(tmp_path):
    p = tmp_path / "krispy.yaml"
    p.write_text(BASE, encoding="utf-8")
    c = load_checklist(p)
    assert c.source == str(p)
    assert c.source_text == BASE


def test_missing_file(tmp_path):
    p = tmp_path / "nope.yaml"
    with pytest.raises(ChecklistError) as info:
        load_checklist(p)
    assert_located(info.value, str(p), 1, "file")
    assert "no such file" in info.value.message


def test_not_utf8(tmp_path):
    p = tmp_path / "latin.yaml"
    p.write_bytes(b"id: demo\ntitle: caf\xe9\n")
    with pytest.raises(ChecklistError) as info:
        load_checklist(p)
    assert_located(info.value, str(p), 2, "file")


def test_yaml_syntax_error():
    text = BASE.replace("title: Greeted", "title: [Greeted")
    err = error_of(text)
    assert err.message.startswith("demo.yaml:")
    assert ": yaml: syntax error" in err.message
    assert err.line >= line_of(text, "[Greeted")


def test_empty_document():
    err = error_of("# nothing\n")
    assert_located(err, "demo.yaml", 1, "(document)")


def test_root_not_a_mapping():
    err = error_of("- a\n- b\n")
    assert_located(err, "demo.yaml", 1, "(document)")
    assert "mapping" in err.message


def test_missing_required_field_names_parent_line():
    text = "".join(l for l in BASE.splitlines(True) if l.strip() != "title: Wait")
    err = error_of(text)
    assert_located(err, "demo.yaml", line_of(text, "- key: wait"),
                   "stages[0].touchpoints[0].items[1].title")
    assert "missing" in err.message


def test_unknown_key_is_an_error():
    text = BASE.replace("title: Greeted", "title: Greeted\n            colour: red")
    err = error_of(text)
    assert_located(err, "demo.yaml", line_of(text, "colour"),
                   "stages[0].touchpoints[0].items[0].colour")
    assert "unknown key" in err.message


def test_unknown_top_level_key():
    text = BASE + "owner: someone\n"
    err = error_of(text)
    assert_located(err, "demo.yaml", line_of(text, "owner"), "owner")


def test_key_for_another_item_type():
    text = BASE.replace("title: Greeted", "title: Greeted\n            target_sec: 30")
    err = error_of(text)
    assert_located(err, "demo.yaml", line_of(text, "target_sec: 30"),
                   "stages[0].touchpoints[0].items[0].target_sec")
    assert "only allowed on timer items" in err.message


def test_weight_must_be_positive():
    text = BASE.replace("weight: 1", "weight: 0")
    err = error_of(text, "krispy.yaml")
    assert err.message == (f"krispy.yaml:{line_of(text, 'weight: 0')}: "
                           "stages[0].touchpoints[0].items[0].weight: must be > 0")


def test_wrong_type_number():
    text = BASE.replace("target_sec: 60", "target_sec: soon")
    err = error_of(text)
    assert_located(err, "demo.yaml", line_of(text, "soon"),
                   "stages[0].touchpoints[0].items[1].target_sec")
    assert "must be a number" in err.message


def test_wrong_type_string_bool_hint():
    text = BASE.replace("key: greeted", "key: yes")
    err = error_of(text)
    assert_located(err, "demo.yaml", line_of(text, "key: yes"),
                   "stages[0].touchpoints[0].items[0].key")
    assert "quote" in err.message


def test_wrong_type_list():
    text = BASE.split("stages:\n")[0] + "stages: 3\n"
    err = error_of(text)
    assert_located(err, "demo.yaml", line_of(text, "stages: 3"), "stages")


def test_importance_out_of_range():
    text = BASE.replace("importance: 4", "importance: 9")
    err = error_of(text)
    assert_located(err, "demo.yaml", line_of(text, "importance: 9"),
                   "stages[0].touchpoints[0].importance")
    assert "between 1 and 5" in err.message


def test_version_must_be_whole_number():
    text = BASE.replace("version: 1", "version: 1.5")
    err = error_of(text)
    assert_located(err, "demo.yaml", 2, "version")


def test_invalid_enum_values():
    for old, new, path in [("kind: mystery_shop", "kind: survey", "kind"),
                           ("journey_stage: purchase", "journey_stage: checkout",
                            "stages[0].journey_stage"),
                           ("type: yes_no", "type: maybe", "stages[0].touchpoints[0].items[0].type"),
                           ("mode: emotional", "mode: poetic",
                            "stages[0].touchpoints[0].items[2].mode")]:
        text = BASE.replace(old, new)
        err = error_of(text)
        assert_located(err, "demo.yaml", line_of(text, new), path)
        assert "must be one of" in err.message


def test_duplicate_item_key():
    text = BASE.replace("key: wait", "key: greeted")
    err = error_of(text)
    lines = [n for n, l in enumerate(text.splitlines(), 1) if "key: greeted" in l]
    assert_located(err, "demo.yaml", lines[1], "stages[0].touchpoints[0].items[1].key")
    assert f"first at line {lines[0]}" in err.message


def test_duplicate_yaml_mapping_key():
    text = BASE.replace("title: Greeted", "title: Greeted\n            title: Again")
    err = error_of(text)
    assert_located(err, "demo.yaml", line_of(text, "title: Again"),
                   "stages[0].touchpoints[0].items[0].title")
    assert "duplicate key" in err.message


def test_duplicate_touchpoint_key_across_stages():
    extra = textwrap.indent(textwrap.dedent("""\
        - key: s2
          title: Two
          journey_stage: use
          touchpoints:
            - key: t1
              title: Again
              items:
                - {key: other, type: yes_no, title: Other}
        """), "  ")
    text = BASE + extra
    err = error_of(text)
    second = [n for n, l in enumerate(text.splitlines(), 1) if "key: t1" in l][1]
    assert_located(err, "demo.yaml", second, "stages[1].touchpoints[0].key")
    assert "duplicate touchpoint key" in err.message


def test_empty_list():
    text = BASE.split("        items:\n")[0] + "        items: []\n"
    err = error_of(text)
    assert_located(err, "demo.yaml", line_of(text, "items: []"),
                   "stages[0].touchpoints[0].items")
    assert "must not be empty" in err.message


def test_bad_title_mapping():
    text = BASE.replace("title: {ko: 데모, en: Demo}", "title: {ko: 데모, fr: Démo}")
    err = error_of(text)
    assert_located(err, "demo.yaml", 4, "title.fr")


def test_number_range_order():
    text = BASE.replace("type: yes_no", "type: number\n            min: 10\n            max: 5")
    err = error_of(text)
    assert_located(err, "demo.yaml", line_of(text, "max: 5"),
                   "stages[0].touchpoints[0].items[0].max")


def test_choice_errors():
    text = BASE.replace("type: yes_no", "type: choice\n            choices:\n"
                        "              - {key: a, label: A, score: 1.5}\n"
                        "              - {key: b, label: B, score: 0}")
    err = error_of(text)
    assert_located(err, "demo.yaml", line_of(text, "score: 1.5"),
                   "stages[0].touchpoints[0].items[0].choices[0].score")
    text = BASE.replace("type: yes_no", "type: choice\n            choices:\n"
                        "              - {key: a, label: A, score: 1}")
    err = error_of(text)
    assert "at least 2" in err.message


def test_choice_defaults_fail_on_zero_score():
    text = BASE.replace("type: yes_no", "type: choice\n            choices:\n"
                        "              - {key: a, label: A, score: 1}\n"
                        "              - {key: b, label: B, score: 0}\n"
                        "              - {key: c, label: C, score: 0.2, fail: true}")
    c = load_checklist_text(text)
    assert [ch.fail for ch in c.item("greeted").choices] == [False, True, True]


def test_timer_events():
    text = BASE.replace("target_sec: 60", "target_sec: 60\n            timer_events: "
                        "[queue_joined, greeted]")
    assert load_checklist_text(text).item("wait").timer_events == ("queue_joined", "greeted")
    text = BASE.replace("target_sec: 60", "target_sec: 60\n            timer_events: "
                        "[queue_joined, queue_joined]")
    err = error_of(text)
    assert_located(err, "demo.yaml", line_of(text, "timer_events"),
                   "stages[0].touchpoints[0].items[1].timer_events[1]")


def test_events_glossary_names_stopwatch_events():
    text = BASE.replace("stages:", "events:\n  queue_joined: {ko: 줄 섬, en: Joined the queue}\n"
                        "  greeted: Greeted\nstages:", 1)
    c = load_checklist_text(text)
    assert c.event_label("queue_joined") == Text("줄 섬", "Joined the queue")
    assert c.event_label("greeted").get("ko") == "Greeted"
    assert c.event_label("served") == Text("served", "served")  # not in the glossary: its key
    assert c.event_label("order_taken").get("en") == "order taken"
    assert load_checklist_text(BASE).events == ()


@pytest.mark.parametrize("glossary, needle, path, problem", [
    ("events: [queue_joined]", "events:", "events", "must be a mapping, not a list"),
    ("events:\n  'no spaces': Wait", "no spaces", "events.no spaces", "must be an event name like"),
    ("events:\n  greeted: {ko: 인사, de: Gruss}", "de: Gruss", "events.greeted.de", "unknown key"),
    ("events:\n  greeted: ''", "greeted: ''", "events.greeted", "must not be empty"),
])
def test_events_glossary_errors_are_located(glossary, needle, path, problem):
    text = BASE.replace("stages:", glossary + "\nstages:", 1)
    err = error_of(text)
    assert_located(err, "demo.yaml", line_of(text, needle), path)
    assert problem in err.message


def test_text_item_cannot_be_critical():
    text = BASE.replace("type: yes_no", "type: text\n            critical: true")
    err = error_of(text)
    assert_located(err, "demo.yaml", line_of(text, "critical: true"),
                   "stages[0].touchpoints[0].items[0].critical")


def test_bool_field_wrong_type():
    text = BASE.replace("title: Greeted", "title: Greeted\n            required: 2")
    err = error_of(text)
    assert_located(err, "demo.yaml", line_of(text, "required: 2"),
                   "stages[0].touchpoints[0].items[0].required")
    assert "true or false" in err.message


def test_content_hash_changes_with_text():
    a = load_checklist_text(BASE)
    b = load_checklist_text(BASE + "# comment\n")
    assert a.content_hash != b.content_hash
    assert a.stages == b.stages  # same content
