"""Write a Checklist as an XLSForm workbook (openpyxl), lossless for our format.

Layout (ODK tools read the standard columns and ignore the CEM ones):

* ``survey``: stages are top-level groups carrying ``journey_stage``; touchpoints are
  groups inside them carrying ``importance``; items are questions. Labels, hints and
  constraint messages get ``::English (en)`` / ``::한국어 (ko)`` columns.
* ``choices``: one list per choice item (named after the item), plus ``yes_no`` and
  ``yes_no_na`` shared by those types; ``score`` and ``fail`` are CEM columns.
* ``settings``: ``form_id``, ``version``, ``form_title``, ``default_language`` and the
  CEM ``kind``, ``pass_score``, ``checklist_title::…``, ``description::…``.
* ``events``: the stopwatch glossary (``event``, ``label::…``).

``item_type`` is written only where the XLSForm type alone would read back as another
type (a timer is a ``decimal``).
"""

from __future__ import annotations

import datetime as dt
import os

from .model import Checklist, Item, Text
from .types import item_type, item_type_names

LANGS = (("en", "English (en)"), ("ko", "한국어 (ko)"))
YES_NO_LABELS = {"yes": Text("예", "Yes"), "no": Text("아니오", "No"), "na": Text("해당없음", "N/A")}
SHARED_LISTS = {"yes_no": ("yes", "no"), "yes_no_na": ("yes", "no", "na")}
_FIXED = dt.datetime(2024, 1, 1)  # workbook timestamps: the same bytes for the same checklist


def lang_cols(base: str) -> list[str]:
    return [f"{base}::{label}" for _, label in LANGS]


def _text_cells(t: Text | None) -> list:
    if t is None:
        return [None] * len(LANGS)
    return [getattr(t, code) or None for code, _ in LANGS]


def _num(x):
    if x is None:
        return None
    return int(x) if float(x).is_integer() else float(x)


def list_name(item: Item) -> str | None:
    """The choices list an item's select question uses."""
    if item.type in SHARED_LISTS:
        return item.type
    if item_type(item.type).keys.get("choices") is not None:
        return item.key if item.key not in SHARED_LISTS else f"{item.key}_list"
    return None


def type_columns() -> list[tuple[str, str]]:
    """(key, kind) of every registered type's own keys, first declaration wins."""
    seen: dict[str, str] = {}
    for name in item_type_names():
        for key, spec in item_type(name).keys.items():
            if spec.kind != "choices":
                seen.setdefault(key, spec.kind)
    return list(seen.items())


def survey_header() -> list[str]:
    head = ["type", "name", *lang_cols("label"), *lang_cols("hint"), "required", "relevant",
            "constraint", *lang_cols("constraint_message"), "appearance", "parameters",
            "item_type", "journey_stage", "emotion_prompt", "importance", "weight", "critical",
            "photo_on_fail"]
    for key, kind in type_columns():
        head += lang_cols(key) if kind == "text" else [key]
    return head


def _cell(kind: str, value):
    if value is None:
        return []
    if kind == "text":
        return _text_cells(value)
    if kind == "names":
        return " ".join(value)
    if kind == "number":
        return _num(value)
    if kind == "bool":
        return "yes" if value else "no"
    return value


def item_row(item: Item, head: list[str]) -> list:
    from .xlsform_items import infer_type  # the reader's rule decides if item_type is needed
    t = item_type(item.type)
    xtype = t.xlsform
    lst = list_name(item)
    if xtype in ("select_one", "select_multiple"):
        xtype = f"{xtype} {lst}"
    row = dict.fromkeys(head)
    row.update(type=xtype, name=item.key, appearance=t.xlsform_appearance,
               parameters=t.xlsform_parameters, relevant=item.relevant,
               constraint=item.constraint, required="yes" if item.required else None,
               weight=_num(item.weight) if item.weight != 1 else None,
               critical="yes" if item.critical else None,
               photo_on_fail="yes" if item.photo_on_fail else None)
    for base, text in (("label", item.title), ("hint", item.help),
                       ("constraint_message", item.constraint_message)):
        row.update(zip(lang_cols(base), _text_cells(text)))
    for key, spec in t.keys.items():
        value = getattr(item, key)
        if spec.kind == "choices" or value == spec.default:
            continue
        cells = _cell(spec.kind, value)
        if spec.kind == "text":
            row.update(zip(lang_cols(key), cells))
        else:
            row[key] = cells
    choice_names = [c.key for c in getattr(item, "choices", ())] or \
        list(SHARED_LISTS.get(item.type, ()))
    if infer_type(t.xlsform, lst, choice_names, t.xlsform_parameters,
                  t.xlsform_appearance) != item.type:
        row["item_type"] = item.type
    return [row[h] for h in head]


def write_xlsform(checklist: Checklist, path) -> None:
    """Write ``checklist`` to ``path`` (.xlsx) in XLSForm layout."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.created = wb.properties.modified = _FIXED
    survey = wb.active
    survey.title = "survey"
    head = survey_header()
    survey.append(head)

    def group(kind, key, title, **extra):
        row = dict.fromkeys(head)
        row.update(type=kind, name=key, **extra)
        if title is not None:
            row.update(zip(lang_cols("label"), _text_cells(title)))
        survey.append([row[h] for h in head])

    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", *lang_cols("label"), "score", "fail"])
    used_shared = set()
    for stage in checklist.stages:
        group("begin_group", stage.key, stage.title, journey_stage=stage.journey_stage,
              emotion_prompt=None if stage.emotion_prompt else "no")
        for tp in stage.touchpoints:
            group("begin_group", tp.key, tp.title, importance=tp.importance)
            for item in tp.items:
                survey.append(item_row(item, head))
                if item.type in SHARED_LISTS:
                    used_shared.add(item.type)
                elif list_name(item):
                    for c in item.choices:
                        fail = ("yes" if c.fail else "no") if c.fail != (c.score == 0) else None
                        choices.append([list_name(item), c.key, *_text_cells(c.label),
                                        _num(c.score), fail])
            group("end_group", tp.key, None)
        group("end_group", stage.key, None)
    for name in sorted(used_shared):
        for key in SHARED_LISTS[name]:
            choices.append([name, key, *_text_cells(YES_NO_LABELS[key]),
                            1 if key == "yes" else 0 if key == "no" else None, None])

    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version", "form_title", "default_language", "kind",
                     "pass_score", *lang_cols("checklist_title"), *lang_cols("description")])
    settings.append([checklist.id, str(checklist.version),
                     checklist.title.get("en"), LANGS[0][1], checklist.kind,
                     _num(checklist.pass_score), *_text_cells(checklist.title),
                     *_text_cells(checklist.description)])
    if checklist.events:
        events = wb.create_sheet("events")
        events.append(["event", *lang_cols("label")])
        for key, label in checklist.events:
            events.append([key, *_text_cells(label)])
    tmp = f"{os.fspath(path)}.tmp"
    wb.save(tmp)
    os.replace(tmp, path)
