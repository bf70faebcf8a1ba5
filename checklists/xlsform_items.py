"""XLSForm question rows -> Items: type inference, choice lists, CEM columns."""

from __future__ import annotations

import re

from .build import build_item, type_keys_hint
from .model import Choice, Item
from .types import item_type, item_type_names

METADATA = {"start", "end", "today", "deviceid", "phonenumber", "username", "email",
            "simserial", "subscriberid", "audit", "start-geopoint", "background-audio"}
# every XLSForm question type; those no registered type can ask are refused or skipped
ODK_TYPES = {"text", "integer", "decimal", "range", "select_one", "select_multiple", "rank",
             "note", "geopoint", "geotrace", "geoshape", "date", "time", "datetime", "image",
             "audio", "video", "file", "barcode", "calculate", "acknowledge", "hidden",
             "trigger", "xml-external", "csv-external", "begin_repeat", "end_repeat",
             "select_one_from_file", "select_multiple_from_file", "background-geopoint"}


def type_name(cell) -> tuple[str, str | None]:
    """``select_one  yes_no`` -> ('select_one', 'yes_no'); ``begin group`` -> begin_group."""
    words = str(cell).split()
    if not words:
        return "", None
    base = words[0].lower()
    if base in ("begin", "end", "select") and len(words) > 1:
        base, words = f"{base}_{words[1].lower()}", words[1:]
    if base in ("select_one", "select_multiple"):
        return base, words[1] if len(words) > 1 else None
    return base, None


def params(text) -> dict:
    out = {}
    for part in re.split(r"[\s;,]+", str(text or "").strip()):
        k, _, v = part.partition("=")
        if k and v:
            out[k.strip().lower()] = v.strip()
    return out


def _num_text(v: str) -> str:
    try:
        x = float(v)
    except ValueError:
        return v
    return str(int(x)) if x.is_integer() else v


def infer_type(xtype: str, list_name, choice_names, parameters, appearance) -> str | None:
    """Our item type for an XLSForm question without an ``item_type`` column."""
    words = str(appearance or "").lower().split()
    if xtype == "select_one" and list_name in ("yes_no", "yes_no_na"):
        if list(choice_names) == ["yes", "no", "na"][: 2 + (list_name == "yes_no_na")]:
            return list_name
    if xtype == "range":
        p = {k: _num_text(v) for k, v in params(parameters).items()}
        if (p.get("start"), p.get("end"), p.get("step", "1")) == ("1", "5", "1"):
            return "rating"
        return "number"
    if xtype in ("integer", "decimal"):
        return "number"
    if xtype == "select_one":
        return "choice"
    fitting = [n for n in item_type_names() if item_type(n).xlsform == xtype]
    for n in fitting:  # a type asking for an appearance (signature) wins when it is there
        wanted = item_type(n).xlsform_appearance
        if wanted and wanted in words:
            return n
    plain = [n for n in fitting if not item_type(n).xlsform_appearance]
    return plain[0] if plain else None


def and_(a, b):
    if a and b:
        return f"({a}) and ({b})"
    return a or b or None


class ItemRows:
    """Mixin of the XLSForm reader: one question row -> one Item."""

    def supported(self, rec, xtype, lst) -> bool:
        if rec.raw("item_type") is not None:
            return True
        if xtype in ("select_one", "select_multiple") and lst is None:
            return False
        return xtype in ("range", "select_one") or \
            infer_type(xtype, lst, (), rec.raw("parameters"), rec.raw("appearance")) is not None

    def choice_rows(self, r, lst):
        sheet = self.sheets.get("choices")
        rows = [sheet.record(n, row, {"key": "name", "title": "label"})
                for n, row in sheet.rows] if sheet else []
        mine = [c for c in rows if str(c.raw("list_name") or "").strip() == lst]
        if not mine:
            r.fail_key("type", f"no choices list {lst!r} in the choices sheet", "no_choices",
                       list=lst)
        return mine

    def item(self, node, relevant) -> Item:
        r = node.record
        xtype, lst = type_name(r.raw("type"))
        key = r.key()
        if key in self.item_keys:
            r.fail_key("key", f"duplicate item name {key!r} (first at row "
                              f"{self.item_keys[key]})", "duplicate", of="item", key=key)
        self.item_keys[key] = r.row
        rows = self.choice_rows(r, lst) if lst else []
        names = [str(c.str("key")) for c in rows]
        name = r.str("item_type", None, choices=item_type_names()) or \
            infer_type(xtype, lst, names, r.raw("parameters"), r.raw("appearance"))
        t = item_type(name)
        for k, hint in type_keys_hint().items():
            if k not in t.keys and k != "choices" and r.has(k):
                r.fail_key(k, hint, "wrong_type_key")
        if xtype == "range" and name == "number":
            p = {"start": "1", "end": "10", **params(r.raw("parameters"))}  # XLSForm's defaults
            for ours, theirs in (("min", "start"), ("max", "end")):
                if theirs in p and r.raw(ours) is None:
                    r.values[(ours, None)] = p[theirs]
        if "choices" in t.keys:
            if not lst:
                r.fail_key("type", f"{name} items need a choices list (select_one LIST)",
                           "no_choices")
            r.choice_reader = lambda rec: self.choices(rows, r)
        for column, default in (("weight", "weight 1"), ("critical", "not critical"),
                                ("photo_on_fail", "no photo needed on failure")):
            if not self.survey.has_column(column):
                self._column_note(column, f"{default} for every item")
        item = build_item(r, key, name, self.sites)
        rel = and_(relevant, item.relevant)
        return item if rel == item.relevant else _with(item, relevant=rel)

    def choices(self, rows, r) -> tuple[Choice, ...]:
        if len(rows) < 2:
            r.fail_key("type", "needs at least 2 choices", "too_few", min=2)
        sheet = self.sheets["choices"]
        scored = sheet.has_column("score")
        if not scored:
            self.note("choices", 1, "score", "no_column", "no score column: every choice "
                      "scores 1, so choice items never fail (add scores)", col="score")
        seen: dict[str, int] = {}
        out = []
        for c in rows:
            ck = c.key()
            if ck in seen:
                c.fail_key("key", f"duplicate choice {ck!r} in list (first at row {seen[ck]})",
                           "duplicate", of="choice", key=ck)
            seen[ck] = c.row
            score = c.number("score", lo=0, hi=1) if scored else 1.0
            out.append(Choice(key=ck, label=c.text("title", None) or _plain(ck), score=score,
                              fail=c.bool("fail", score == 0)))
        return tuple(out)


def _plain(key):
    from .model import Text
    return Text(key, key)


def _with(item, **kw):
    from dataclasses import replace
    return replace(item, **kw)
