"""Spreadsheet checklists: XLSForm in (ODK/Kobo or ours), XLSX out, lossless round trip."""

import re
import zipfile

import pytest
from pyxform.xls2xform import convert as pyxform_convert

from checklists import ChecklistError, library_paths, load_checklist, load_checklist_text
from checklists.__main__ import main as cli

from xlsx_helpers import ODK_CHOICES, ODK_SETTINGS, ODK_SURVEY, make_xlsx, model

ONE_LINE = re.compile(r"^[^\n]+:(survey|choices|settings|events):\d+: [^\n]+: [^\n]+$")


def odk(tmp_path, survey=None, choices=None, settings=None, name="odk.xlsx"):
    sheets = {"survey": survey or ODK_SURVEY, "choices": choices or ODK_CHOICES,
              "settings": settings or ODK_SETTINGS}
    return make_xlsx(tmp_path / name, {k: v for k, v in sheets.items() if v != []})


def error_of(path, **kw):
    with pytest.raises(ChecklistError) as info:
        load_checklist(path, **kw)
    assert "\n" not in info.value.message and str(info.value) == info.value.message
    return info.value


@pytest.mark.parametrize("path", library_paths(), ids=lambda p: p.name)
def test_library_round_trips_yaml_xlsx_yaml(path, tmp_path):
    xlsx, back = tmp_path / "c.xlsx", tmp_path / "c.yaml"
    assert cli(["convert", str(path), str(xlsx)]) == 0
    assert cli(["convert", str(xlsx), str(back)]) == 0
    original = load_checklist(path)
    assert model(load_checklist(back)) == model(original)
    from_xlsx = load_checklist(xlsx)
    assert model(from_xlsx) == model(original) and from_xlsx.import_notes == ()


@pytest.mark.parametrize("path", library_paths(), ids=lambda p: p.name)
def test_pyxform_accepts_every_written_xlsx(path, tmp_path):
    xlsx = tmp_path / f"{path.stem}.xlsx"
    assert cli(["convert", str(path), str(xlsx)]) == 0
    result = pyxform_convert(xlsform=str(xlsx))
    assert "<h:html" in result.xform


def test_xlsx_source_text_is_yaml_with_its_hash(tmp_path):
    xlsx = tmp_path / "c.xlsx"
    cli(["convert", str(library_paths()[0]), str(xlsx)])
    c = load_checklist(xlsx)
    again = load_checklist_text(c.source_text)
    assert model(again) == model(c) and again.content_hash == c.content_hash


def test_odk_form_imports_with_defaults_and_says_what_was_defaulted(tmp_path):
    c = load_checklist(odk(tmp_path))
    assert (c.id, c.version, c.kind, c.pass_score) == ("odk_shop", 2024010501, "mystery_shop", 80)
    assert [s.key for s in c.stages] == ["arrival", "service"]
    assert [s.journey_stage for s in c.stages] == ["use", "use"]
    assert [i.key for i in c.items()] == ["greeted", "queue", "why_not", "quality", "stars"]
    greeted = c.item("greeted")
    assert greeted.type == "yes_no" and greeted.required and greeted.weight == 1
    assert greeted.title.ko == "인사를 받았나요?" and greeted.help.en == "Within 30 s"
    assert c.item("quality").type == "choice" and c.item("quality").required
    assert c.item("stars").type == "number" and (c.item("stars").min, c.item("stars").max) == (1, 10)
    assert all(tp.importance == 3 for tp in c.touchpoints())
    codes = {(n.code, n.column) for n in c.import_notes}
    assert {("defaulted", "journey_stage"), ("no_column", "weight"), ("no_column", "score"),
            ("metadata_ignored", "type"), ("defaulted", "kind")} <= codes
    assert all(ONE_LINE.match(str(n)) for n in c.import_notes)
    assert pyxform_convert(xlsform=str(odk(tmp_path, name="again.xlsx"))).xform


def test_range_1_to_5_is_a_rating_and_group_with_journey_stage_is_a_stage(tmp_path):
    survey = [["type", "name", "label", "parameters", "journey_stage", "importance", "mode"],
              ["begin_group", "visit", "Visit"],
              ["begin_group", "stay", "Stay", None, "use"],
              ["begin_group", "room", "Room", None, None, 5],
              ["range", "feel", "Feeling", "start=1 end=5 step=1", None, None, "emotional"],
              ["end_group"], ["end_group"], ["end_group"]]
    c = load_checklist(odk(tmp_path, survey=survey))
    assert [s.key for s in c.stages] == ["stay"]
    assert c.touchpoint_of("feel").importance == 5
    assert c.item("feel").type == "rating" and c.item("feel").mode == "emotional"
    assert "wrapper_group" in {n.code for n in c.import_notes}


@pytest.mark.parametrize("qtype", ["geopoint", "barcode", "audio", "calculate"])
def test_unsupported_question_is_refused_with_its_row_and_type(tmp_path, qtype):
    survey = ODK_SURVEY[:4] + [[qtype, "odd", "Odd"]] + ODK_SURVEY[4:]
    err = error_of(odk(tmp_path, survey=survey))
    assert err.message.startswith(f"{tmp_path / 'odk.xlsx'}:survey:5: type: {qtype} questions")
    assert err.code == "unsupported_type" and err.params == {"type": qtype}


def test_unsupported_questions_and_repeats_are_skipped_when_asked(tmp_path):
    survey = ODK_SURVEY[:4] + [["geopoint", "where", "Where"], ["begin_repeat", "kids", "Kids"],
                               ["text", "kid", "Kid"], ["end_repeat"]] + ODK_SURVEY[4:]
    path = odk(tmp_path, survey=survey)
    assert error_of(path).code == "unsupported_type"
    c = load_checklist(path, skip_unsupported=True)
    assert "where" not in [i.key for i in c.items()] and "kid" not in [i.key for i in c.items()]
    skipped = [n for n in c.import_notes if n.code == "skipped_unsupported"]
    assert [(n.row, n.params["type"]) for n in skipped] == [(5, "geopoint"), (6, "begin_repeat")]


def test_unknown_question_type_is_an_error_even_when_skipping(tmp_path):
    survey = ODK_SURVEY[:4] + [["txt", "odd", "Odd"]] + ODK_SURVEY[4:]
    err = error_of(odk(tmp_path, survey=survey), skip_unsupported=True)
    assert err.code == "unknown_type" and ":survey:5: type: unknown question type 'txt'" in err.message


def test_weight_error_names_file_sheet_row_and_column(tmp_path):
    survey = [r + [w] for r, w in zip(ODK_SURVEY, ["weight", None, None, None, 0] + [None] * 8)]
    err = error_of(odk(tmp_path, survey=survey, name="doughnut.xlsx"))
    assert err.message == f"{tmp_path / 'doughnut.xlsx'}:survey:5: weight: must be > 0"
    assert (err.sheet, err.line, err.path, err.code) == ("survey", 5, "weight", "not_above")


def test_cem_column_on_the_wrong_type_is_refused(tmp_path):
    survey = [r + [w] for r, w in zip(ODK_SURVEY, ["target_sec", None, None, 30] + [None] * 9)]
    err = error_of(odk(tmp_path, survey=survey))
    assert ":survey:4: target_sec: only allowed on timer items" in err.message


def test_empty_file(tmp_path):
    p = tmp_path / "empty.xlsx"
    p.write_bytes(b"")
    err = error_of(p)
    assert err.message.startswith(f"{p}:1: file: is not an Excel workbook") and err.code == \
        "not_a_workbook"


def test_renamed_csv(tmp_path):
    p = tmp_path / "form.xlsx"
    p.write_text("type,name,label\ntext,a,A\n", encoding="utf-8")
    assert error_of(p).code == "not_a_workbook"


def test_zip_that_is_not_xlsx(tmp_path):
    p = tmp_path / "form.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "hi")
    assert error_of(p).code == "not_a_workbook"


def test_missing_survey_sheet(tmp_path):
    p = make_xlsx(tmp_path / "f.xlsx", {"Sheet1": [["type", "name"], ["text", "a"]]})
    err = error_of(p)
    assert err.message.startswith(f"{p}:survey:1: (sheet): missing") and "Sheet1" in err.message


def test_survey_without_type_column(tmp_path):
    err = error_of(odk(tmp_path, survey=[["kind", "name", "label"], ["text", "a", "A"]]))
    assert ":survey:1: type: missing column" in err.message


def test_empty_survey(tmp_path):
    err = error_of(odk(tmp_path, survey=[["type", "name", "label"]]))
    assert err.code == "empty" and ":survey:1:" in err.message


def test_choice_list_missing(tmp_path):
    survey = ODK_SURVEY[:8] + [["select_one nosuch", "x", "X"]] + ODK_SURVEY[10:]
    err = error_of(odk(tmp_path, survey=survey))
    assert ":survey:9: type: no choices list 'nosuch'" in err.message


def test_duplicate_columns(tmp_path):
    survey = [["type", "name", "label", "Label"], ["text", "a", "A", "B"]]
    err = error_of(odk(tmp_path, survey=survey))
    assert err.message.endswith("survey:1: Label: duplicate column (also column C 'label')")


def test_merged_cells_read_as_the_top_left_value(tmp_path):
    import openpyxl
    p = odk(tmp_path)
    wb = openpyxl.load_workbook(p)
    ws = wb["survey"]
    ws["C4"], ws["D4"] = "Greeted", None
    ws.merge_cells("C4:D4")
    wb.save(p)
    c = load_checklist(p)
    assert c.item("greeted").title.en == "Greeted" and c.item("greeted").title.ko == ""


def test_formula_without_a_computed_value_gives_a_located_error_or_a_default(tmp_path):
    survey = [r + [w] for r, w in zip(ODK_SURVEY, ["weight", None, None, "=1/0"] + [None] * 9)]
    p = odk(tmp_path, survey=survey)
    try:
        c = load_checklist(p)
    except ChecklistError as exc:
        assert ":survey:4: weight:" in exc.message
    else:
        assert c.item("greeted").weight == 1


def test_date_typed_in_a_number_column(tmp_path):
    import datetime as dt
    survey = [r + [w] for r, w in zip(ODK_SURVEY, ["weight", None, None, dt.date(2024, 1, 5)]
                                      + [None] * 9)]
    err = error_of(odk(tmp_path, survey=survey))
    assert ":survey:4: weight: must be a number (got a date 2024-01-05" in err.message


def test_number_stored_as_text_and_whole_number_names_are_read(tmp_path):
    survey = [r + [w] for r, w in zip(ODK_SURVEY, ["weight", None, None, "2"] + [None] * 9)]
    choices = ODK_CHOICES[:3] + [["quality", 1, "One", "하나"], ["quality", 2, "Two", "둘"]]
    c = load_checklist(odk(tmp_path, survey=survey, choices=choices))
    assert c.item("greeted").weight == 2
    assert [ch.key for ch in c.item("quality").choices] == ["1", "2"]


def test_unbalanced_groups(tmp_path):
    err = error_of(odk(tmp_path, survey=ODK_SURVEY[:-1]))
    assert err.code == "unbalanced" and ":survey:8: type: begin_group without" in err.message
    err = error_of(odk(tmp_path, survey=ODK_SURVEY + [["end_group"]]))
    assert ":survey:12: type: end_group without" in err.message


def test_xls_files_are_read_too(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook()
    ws = wb.add_sheet("survey")
    for r, row in enumerate([["type", "name", "label"], ["text", "note_it", "Note it"]]):
        for col, value in enumerate(row):
            ws.write(r, col, value)
    wb.save(str(tmp_path / "old.xls"))
    c = load_checklist(tmp_path / "old.xls")
    assert [i.key for i in c.items()] == ["note_it"] and c.id == "old"


def test_cli_bad_input_exits_2_with_one_line(tmp_path, capsys):
    p = tmp_path / "bad.xlsx"
    p.write_bytes(b"PK\x03\x04 nope")
    assert cli(["convert", str(p), str(tmp_path / "out.yaml")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{p}:1: file:") and "\n" not in err


def test_cli_prints_import_notes(tmp_path, capsys):
    assert cli(["convert", str(odk(tmp_path)), str(tmp_path / "out.yaml")]) == 0
    assert "note: " in capsys.readouterr().err
    assert load_checklist(tmp_path / "out.yaml").id == "odk_shop"
