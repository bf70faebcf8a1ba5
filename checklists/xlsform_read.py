"""Read an XLSForm workbook (.xlsx or .xls, via python-calamine) into a Checklist.

Groups: a group with a ``journey_stage`` is a stage, and so is a top-level group when
no group inside it has one (else it is a wrapper, read through); a group inside a stage
is a touchpoint (groups deeper still are flattened into it). Questions outside any
touchpoint go to an added stage/touchpoint. What the file did not say and was filled in
is listed in ``checklist.import_notes``; question types the app cannot ask are refused,
or left out (and noted) with ``skip_unsupported=True``.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import replace

from .errors import ChecklistError
from .model import JOURNEY_STAGES, KINDS, Checklist, ImportNote, Stage, Text, Touchpoint
from .xlsform_cells import Record, Sheet
from .xlsform_items import METADATA, ODK_TYPES, ItemRows, and_, type_name

class _Node:
    def __init__(self, record: Record, kind: str, children=None):
        self.record, self.kind, self.children = record, kind, children or []

    def has_stage_inside(self) -> bool:
        return any(c.kind == "group" and (c.record.raw("journey_stage") or c.has_stage_inside())
                   for c in self.children)


class XLSFormReader(ItemRows):
    def __init__(self, source: str, sheets: dict[str, Sheet], skip_unsupported: bool):
        self.source, self.sheets, self.skip = source, sheets, skip_unsupported
        self.notes: list[ImportNote] = []
        self.item_keys: dict[str, int] = {}
        self.tp_keys: set[str] = set()
        self.stage_keys: set[str] = set()
        self.lists: dict[str, list[Record]] = {}
        self.survey = sheets["survey"]
        self.sites: dict = {}  # (item key, field) -> fail() at that cell

    def note(self, sheet, row, column, code, what, **params):
        self.notes.append(ImportNote(self.source, sheet, row, column, code, what, params))

    # --- survey structure -------------------------------------------------------
    def tree(self) -> list[_Node]:
        s = self.survey
        if not s.has_column("type") or not s.has_column("name"):
            missing = "type" if not s.has_column("type") else "name"
            s.fail(1, missing, "missing column (an XLSForm survey needs type, name and label)",
                   "missing_column")
        stack: list[tuple[str, _Node | None, list]] = [("", None, [])]
        skipping = False
        depth = 0
        for n, row in s.rows:
            rec = s.record(n, row)
            raw_type = rec.raw("type")
            xtype, lst = type_name(raw_type) if raw_type is not None else ("", None)
            if skipping:
                depth += xtype == "begin_repeat"
                depth -= xtype == "end_repeat"
                skipping = depth > 0
                continue
            if xtype == "":
                s.fail(n, "type", "missing: every row with content needs a type", "missing")
            if xtype == "begin_group":
                node = _Node(rec, "group")
                stack[-1][2].append(node)
                stack.append(("group", node, node.children))
            elif xtype == "end_group":
                if len(stack) == 1:
                    s.fail(n, "type", "end_group without a begin_group", "unbalanced")
                stack.pop()
            elif xtype in METADATA:
                self.note("survey", n, "type", "metadata_ignored",
                          f"{xtype}: form metadata, not a question; left out", type=xtype)
            elif not self.supported(rec, xtype, lst):
                if xtype not in ODK_TYPES:
                    s.fail(n, "type", f"unknown question type {str(raw_type)!r}",
                           "unknown_type", type=str(raw_type))
                if not self.skip:
                    s.fail(n, "type", f"{xtype} questions cannot be asked in this app (load with "
                                      f"skip_unsupported to leave them out)", "unsupported_type",
                           type=xtype)
                self.note("survey", n, "type", "skipped_unsupported",
                          f"{xtype} question {rec.raw('name')!r} left out", type=xtype,
                          name=rec.raw("name"))
                if xtype == "begin_repeat":
                    skipping, depth = True, 1
            else:
                stack[-1][2].append(_Node(rec, "question"))
        if len(stack) > 1:
            node = stack[-1][1]
            s.fail(node.record.row, "type", "begin_group without an end_group", "unbalanced")
        return stack[0][2]

    def stages(self, nodes, title: Text, extra_relevant=None) -> list[Stage]:
        out: list[Stage] = []
        loose: list[_Node] = []

        def flush():
            if loose:
                key = self._fresh("main", self.stage_keys)
                self.note("survey", loose[0].record.row, "type", "implicit_stage",
                          f"questions outside any group: put in stage {key!r} (journey_stage "
                          f"use, importance 3)", key=key)
                out.append(Stage(key=key, title=title, journey_stage="use",
                                 touchpoints=(self.touchpoint_of(loose, key, title,
                                                                 extra_relevant),)))
                loose.clear()

        for node in nodes:
            if node.kind == "question":
                loose.append(node)
                continue
            flush()
            rel = and_(extra_relevant, self.group_relevant(node))
            if node.record.raw("journey_stage") or not node.has_stage_inside():
                out.append(self.stage(node, rel))
            else:
                self.note("survey", node.record.row, "name", "wrapper_group",
                          f"group {node.record.raw('name')!r} holds stages: read through")
                out.extend(self.stages(node.children, title, rel))
        flush()
        return out

    def stage(self, node: _Node, relevant) -> Stage:
        r = node.record
        key = r.key()
        if key in self.stage_keys:
            r.fail_key("key", f"duplicate stage name {key!r}", "duplicate", of="stage", key=key)
        self.stage_keys.add(key)
        title = r.text("title", None) or Text(key, key)
        journey = r.str("journey_stage", None, choices=JOURNEY_STAGES)
        if journey is None:
            journey = "use"
            self.note("survey", r.row, "journey_stage", "defaulted",
                      f"stage {key!r}: no journey_stage, 'use' assumed", key=key)
        tps, loose = [], []
        for child in node.children:
            if child.kind == "question":
                loose.append(child)
                continue
            if loose:
                tps.append(self.touchpoint_of(loose, key, title, relevant))
                loose = []
            if child.record.raw("journey_stage"):
                child.record.fail_key("journey_stage", "a stage cannot be inside another stage "
                                                       "(put it at the top level)", "nested_stage")
            tps.append(self.touchpoint(child, and_(relevant, self.group_relevant(child))))
        if loose:
            tps.append(self.touchpoint_of(loose, key, title, relevant))
        if not tps:
            r.fail_key("key", f"stage {key!r} has no questions", "empty")
        return Stage(key=key, title=title, journey_stage=journey, touchpoints=tuple(tps),
                     emotion_prompt=r.bool("emotion_prompt", True))

    def touchpoint(self, node: _Node, relevant) -> Touchpoint:
        r = node.record
        key = r.key()
        if key in self.tp_keys:
            r.fail_key("key", f"duplicate touchpoint name {key!r}", "duplicate",
                       of="touchpoint", key=key)
        self.tp_keys.add(key)
        questions = list(self._flatten(node.children, relevant))
        if not questions:
            r.fail_key("key", f"group {key!r} has no questions", "empty")
        if not self.survey.has_column("importance"):
            self._column_note("importance", "importance 3 used for every touchpoint")
        return Touchpoint(key=key, title=r.text("title", None) or Text(key, key),
                          importance=r.int("importance", 3, lo=1, hi=5),
                          items=tuple(self.item(q, rel) for q, rel in questions))

    def touchpoint_of(self, loose, stage_key, title, relevant) -> Touchpoint:
        key = self._fresh(f"{stage_key}_items", self.tp_keys)
        self.tp_keys.add(key)
        self.note("survey", loose[0].record.row, "type", "implicit_touchpoint",
                  f"questions not in a touchpoint group: put in touchpoint {key!r} "
                  f"(importance 3)", key=key)
        return Touchpoint(key=key, title=title, importance=3,
                          items=tuple(self.item(q, relevant) for q in loose))

    def _flatten(self, nodes, relevant):
        for node in nodes:
            if node.kind == "question":
                yield node, relevant
            else:
                self.note("survey", node.record.row, "type", "flattened",
                          f"group {node.record.raw('name')!r} is inside a touchpoint: its "
                          f"questions join the touchpoint")
                yield from self._flatten(node.children, and_(relevant, self.group_relevant(node)))

    def group_relevant(self, node) -> str | None:
        from .build import read_expression
        return read_expression(node.record, "relevant")

    def _fresh(self, base: str, taken) -> str:
        key, n = base, 2
        while key in taken or key in self.item_keys:
            key, n = f"{base}_{n}", n + 1
        return key

    def _column_note(self, column, what):
        if not any(n.code == "no_column" and n.column == column for n in self.notes):
            self.note("survey", 1, column, "no_column", f"no {column} column: {what}",
                      col=column)

    # --- settings and glossary ---------------------------------------------------------
    def settings(self):
        sheet = self.sheets.get("settings")
        rec = sheet.record(*sheet.rows[0]) if sheet and sheet.rows else None
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", os.path.splitext(os.path.basename(self.source))[0])
        stem = stem.strip("-_")[:64] or "checklist"
        if rec is None:
            self.note("settings", 1, "form_id", "defaulted",
                      f"no settings: id {stem!r}, version 1, kind mystery_shop", id=stem)
            return dict(id=stem, version=1, kind="mystery_shop", title=Text(stem, stem),
                        description=None, pass_score=80.0)
        cid = rec.key("form_id") if rec.raw("form_id") is not None else None
        if cid is None:
            cid = stem
            self.note("settings", rec.row, "form_id", "defaulted", f"no form_id: {stem!r} used")
        version = 1
        raw_version = rec.raw("version")
        if raw_version is not None:
            text = str(int(raw_version)) if isinstance(raw_version, float) and \
                raw_version.is_integer() else str(raw_version)
            if text.isdigit() and int(text) >= 1:
                version = int(text)
            else:
                self.note("settings", rec.row, "version", "defaulted",
                          f"version {text!r} is not a whole number: 1 used", got=text)
        kind = rec.str("kind", None, choices=KINDS)
        if kind is None:
            kind = "mystery_shop"
            self.note("settings", rec.row, "kind", "defaulted", "no kind: mystery_shop assumed")
        title = rec.text("checklist_title", None) or rec.text("form_title", None) or \
            Text(cid, cid)
        return dict(id=cid, version=version, kind=kind, title=title,
                    description=rec.text("description", None),
                    pass_score=rec.number("pass_score", 80.0, lo=0, hi=100))

    def events(self):
        sheet = self.sheets.get("events")
        if sheet is None:
            return ()
        out, seen = [], set()
        for n, row in sheet.rows:
            rec = sheet.record(n, row, {"key": "event", "title": "label"})
            key = rec.key("key")
            if key in seen:
                rec.fail_key("key", f"duplicate event {key!r}", "duplicate")
            seen.add(key)
            out.append((key, rec.text("title")))
        return tuple(out)

    def checklist(self) -> Checklist:
        nodes = self.tree()
        head = self.settings()
        stages = self.stages(nodes, head["title"])
        if not stages:
            self.survey.fail(1, "type", "no questions in the survey sheet", "empty")
        return Checklist(**head, stages=tuple(stages), content_hash="", source=self.source,
                         events=self.events())


def load_xlsform(path, *, skip_unsupported: bool = False) -> Checklist:
    """Read an XLSForm ``.xlsx``/``.xls``; see the module docstring for the mapping.

    :raise ChecklistError: one line ``file:sheet:row: column: what``.
    """
    from python_calamine import CalamineWorkbook

    name = os.fspath(path)
    if not os.path.exists(name):
        raise ChecklistError(name, 1, "file", "no such file", code="no_file")
    if os.path.isdir(name):
        raise ChecklistError(name, 1, "file", "is a directory, not a file", code="no_file")
    try:
        wb = CalamineWorkbook.from_path(name)
        sheets_raw = {sn.strip().lower(): (sn, wb.get_sheet_by_name(sn).to_python(
            skip_empty_area=False)) for sn in wb.sheet_names}
    except Exception as exc:  # calamine raises several kinds; all mean "not a workbook"
        detail = " ".join(str(exc).split())[:120]
        raise ChecklistError(name, 1, "file", f"is not an Excel workbook (.xlsx or .xls)"
                                              f"{': ' + detail if detail else ''}",
                             code="not_a_workbook") from None
    if "survey" not in sheets_raw:
        found = ", ".join(sn for sn, _ in sheets_raw.values()) or "none"
        raise ChecklistError(name, 1, "(sheet)", f"missing: an XLSForm needs a survey sheet "
                                                 f"(found: {found})",
                             code="missing_sheet", sheet="survey")
    sheets = {k: Sheet(name, sn, rows) for k, (sn, rows) in sheets_raw.items()
              if k in ("survey", "choices", "settings", "events")}
    reader = XLSFormReader(name, sheets, skip_unsupported)
    checklist = reader.checklist()
    from .relevance import check_expressions
    from .yaml_write import checklist_to_yaml
    check_expressions(checklist, reader.sites)
    text = checklist_to_yaml(checklist)
    return replace(checklist, content_hash=hashlib.sha256(text.encode()).hexdigest(),
                   source_text=text, import_notes=tuple(reader.notes))
