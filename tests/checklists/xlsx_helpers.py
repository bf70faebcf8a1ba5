"""Build small workbooks in tests, the way ODK's docs lay XLSForms out."""

from dataclasses import fields

import openpyxl

from checklists import Checklist


def make_xlsx(path, sheets: dict):
    """Write ``{"survey": [header, row, ...], ...}`` with openpyxl; returns path."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path


def model(c: Checklist) -> dict:
    """What a checklist says, without where it came from (hash, source, notes)."""
    skip = {"content_hash", "source", "source_text", "import_notes", "_index"}
    return {f.name: getattr(c, f.name) for f in fields(c) if f.name not in skip}


# An ODK-style form: groups, relevant, label::language columns, no CEM columns.
ODK_SURVEY = [
    ["type", "name", "label::English (en)", "label::한국어 (ko)", "hint::English (en)",
     "required", "relevant", "constraint", "constraint_message::English (en)", "appearance"],
    ["start", "start", None, None, None, None, None, None, None, None],
    ["begin_group", "arrival", "Arrival", "도착", None, None, None, None, None, "field-list"],
    ["select_one yes_no", "greeted", "Were you greeted?", "인사를 받았나요?", "Within 30 s",
     "yes", None, None, None, None],
    ["integer", "queue", "People in the queue", "대기 인원", None, None, None, ". >= 0",
     "Not negative", None],
    ["text", "why_not", "Why not?", "왜요?", None, None, "${greeted} = 'no'", None, None, None],
    ["end_group", None, None, None, None, None, None, None, None, None],
    ["begin group", "service", "Service", "서비스", None, None, None, None, None, None],
    ["select_one quality", "quality", "Quality", "품질", None, "true()", None, None, None,
     "minimal"],
    ["range", "stars", "Stars", "별점", None, None, None, None, None, None],
    ["end group", None, None, None, None, None, None, None, None, None],
]
ODK_CHOICES = [
    ["list_name", "name", "label::English (en)", "label::한국어 (ko)"],
    ["yes_no", "yes", "Yes", "예"], ["yes_no", "no", "No", "아니오"],
    ["quality", "good", "Good", "좋음"], ["quality", "poor", "Poor", "나쁨"],
]
ODK_SETTINGS = [["form_id", "version", "form_title", "default_language"],
                ["odk_shop", "2024010501", "Shop visit", "English (en)"]]
