"""Door counts and rotas from CSV or XLSX: check every row, then apply all or nothing.

The columns are those ``python -m simulation calibrate`` reads (its
``read_traffic_csv`` / ``read_staffing_csv``), with the store code required,
and for the rota two optional columns: ``weekday`` (mon..sun, 월..일 or 1-7
from Monday; empty = every day without a row of its own) and ``station``
(default ``counter``).
Values are checked by the same parsers as the calibrator's. Every problem is
one located line ``traffic.csv:14: count: ...`` with a code and params, so a
Korean page can say it in Korean. Applying is an upsert by key: importing the
same file again changes nothing. Used by ``fieldapp import-traffic`` /
``import-rota`` and by the planner's upload page.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import PurePath

from fieldapp.storage import audit_log, planning, stores
from simulation.calibration.records import (
    _Bad,
    _count,
    _day,
    _hhmm,
    _hour,
    _servers,
    _slot,
)

KINDS = {
    "traffic": {"required": ("store", "day", "slot_start", "count"), "optional": ()},
    "rota": {"required": ("store", "hour", "servers"), "optional": ("weekday", "station")},
}
MAX_ROWS = 50000
MAX_PROBLEMS = 30
WEEKDAYS = {name: i for i, names in enumerate(
    [("mon", "monday", "월", "1"), ("tue", "tuesday", "화", "2"), ("wed", "wednesday", "수", "3"),
     ("thu", "thursday", "목", "4"), ("fri", "friday", "금", "5"), ("sat", "saturday", "토", "6"),
     ("sun", "sunday", "일", "7")]) for name in names}

# problem code -> English text (the CLI); the page translates by code (planner/labels.py)
PROBLEMS = {
    "file_type": "not a CSV or XLSX file",
    "unreadable": "the file cannot be read",
    "no_rows": "no rows under the header",
    "too_many_rows": "more than %(max)s rows",
    "missing_column": "missing column (need %(need)s)",
    "empty": "empty",
    "unknown_store": "unknown store code %(code)s",
    "repeated": "repeated (first on row %(first)s)",
    "day": "not a day as YYYY-MM-DD",
    "slot_start": "not the start of a 15-minute slot (HH:00, HH:15, HH:30, HH:45)",
    "count": "not a count >= 0",
    "hour": "not an hour from 0 to 23",
    "servers": "not a whole number of servers >= 0",
    "weekday": "not a weekday (mon..sun or 1-7 from Monday)",
}
PARSERS = {"day": _day, "slot_start": _slot, "count": _count, "hour": _hour, "servers": _servers}


@dataclass
class Problem:
    row: int | None
    column: str | None
    code: str
    params: dict = field(default_factory=dict)

    def line(self, filename: str) -> str:
        where = filename if self.row is None else f"{filename}:{self.row}"
        text = PROBLEMS[self.code] % self.params if self.params else PROBLEMS[self.code]
        return f"{where}: {self.column}: {text}" if self.column else f"{where}: {text}"


@dataclass
class Checked:
    kind: str
    filename: str
    rows: list = field(default_factory=list)       # ready for planning.save_traffic / save_rota
    problems: list = field(default_factory=list)
    stores: set = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        return [p.line(self.filename) for p in self.problems]


def read_table(filename: str, data: bytes) -> list[tuple[int, list]]:
    """(row number as a spreadsheet shows it, cells) of every non-empty row; raises ValueError(code)."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("unreadable") from None
        reader = csv.reader(io.StringIO(text))
        try:
            rows = [(reader.line_num, row) for row in reader]
        except csv.Error:
            raise ValueError("unreadable") from None
    elif suffix in (".xlsx", ".xls"):
        from python_calamine import CalamineWorkbook

        try:
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        except Exception:  # calamine raises its own error types for any broken file
            raise ValueError("unreadable") from None
        rows = [(i + 1, row) for i, row in enumerate(sheet)]
    else:
        raise ValueError("file_type")
    return [(n, cells) for n, cells in rows if any(str(c).strip() for c in cells if c is not None)]


def check(db, org_id: int, kind: str, filename: str, data: bytes, default_store: int | None = None) -> Checked:
    """Read and check a whole file; ``rows`` is filled only when there is no problem."""
    spec = KINDS[kind]
    out = Checked(kind, PurePath(filename).name)
    try:
        table = read_table(filename, data)
    except ValueError as exc:
        out.problems.append(Problem(None, None, str(exc)))
        return out
    if not table:
        out.problems.append(Problem(None, None, "no_rows"))
        return out
    header_row, header = table[0]
    header = [str(c or "").strip().lower() for c in header]
    required = [c for c in spec["required"] if not (c == "store" and default_store is not None)]
    missing = [c for c in required if c not in header]
    if missing:
        out.problems.append(Problem(header_row, missing[0], "missing_column", {"need": ", ".join(required)}))
        return out
    if len(table) - 1 > MAX_ROWS:
        out.problems.append(Problem(None, None, "too_many_rows", {"max": MAX_ROWS}))
        return out
    if len(table) == 1:
        out.problems.append(Problem(None, None, "no_rows"))
        return out
    codes = {s["code"]: s["id"] for s in stores.org_stores(db, org_id)}
    seen: dict[tuple, int] = {}
    rows = []
    for number, cells in table[1:]:
        rec = _record(header, cells)
        row = _row(kind, rec, number, codes, default_store, out.problems)
        if row is None:
            continue
        for key in _keys(kind, row):
            if key in seen:
                out.problems.append(Problem(number, "hour" if kind == "rota" else "slot_start", "repeated",
                                            {"first": seen[key]}))
                break
            seen[key] = number
        else:
            rows.append(row)
            out.stores.add(row["store_id"])
        if len(out.problems) >= MAX_PROBLEMS:
            break
    if not out.problems:
        out.rows = rows if kind == "traffic" else _expand(rows)
    return out


def apply(db, checked: Checked, actor_id: int) -> dict:
    """Write a checked file in one transaction; return the tally (new, changed, same)."""
    if not checked.ok:
        raise ValueError("a file with problems is never applied")
    with db.atomic():
        save = planning.save_traffic if checked.kind == "traffic" else planning.save_rota
        tally = save(db, checked.rows)
        if tally["new"] or tally["changed"]:
            audit_log.record(db, actor_id=actor_id, action=f"import_{checked.kind}", object_type="store",
                             object_id=min(checked.stores),
                             detail=f"{checked.filename}: {tally['new']} new, {tally['changed']} changed")
    return tally


def _record(header: list[str], cells: list) -> dict:
    rec = {}
    for i, name in enumerate(header):
        if name:
            value = cells[i] if i < len(cells) else None
            rec[name] = None if value is None or (isinstance(value, str) and not value.strip()) else value
    return rec


def _row(kind, rec, number, codes, default_store, problems) -> dict | None:
    """One checked row, or None after adding its problems."""
    spec = KINDS[kind]
    row, bad = {}, False
    code = rec.get("store")
    if code is None and default_store is not None:
        row["store_id"] = default_store
    elif code is None:
        problems.append(Problem(number, "store", "empty"))
        bad = True
    else:
        code = str(code).strip()
        if code.endswith(".0") and code[:-2].isdigit():
            code = code[:-2]  # a spreadsheet turned the code into a number
        if code not in codes:
            problems.append(Problem(number, "store", "unknown_store", {"code": code}))
            bad = True
        else:
            row["store_id"] = codes[code]
    for col in spec["required"]:
        if col == "store":
            continue
        if rec.get(col) is None:
            problems.append(Problem(number, col, "empty"))
            bad = True
            continue
        try:
            row[col] = PARSERS[col](rec[col])
        except _Bad:
            problems.append(Problem(number, col, col))
            bad = True
    if kind == "rota":
        weekday = rec.get("weekday")
        if weekday is None:
            row["weekday"] = None
        else:
            text = str(weekday).strip().lower()
            text = text[:-2] if text.endswith(".0") else text
            if text not in WEEKDAYS:
                problems.append(Problem(number, "weekday", "weekday"))
                bad = True
            row["weekday"] = WEEKDAYS.get(text)
        row["station"] = str(rec.get("station") or "counter").strip()
    if bad:
        return None
    if kind == "traffic":
        row["day"] = row["day"].isoformat()
        row["slot_start"] = _hhmm(row["slot_start"])
        row["count"] = int(row["count"]) if float(row["count"]).is_integer() else row["count"]
    return row


def _keys(kind, row) -> list[tuple]:
    if kind == "traffic":
        return [(row["store_id"], row["day"], row["slot_start"])]
    return [(row["store_id"], row["weekday"], row["station"], row["hour"])]


def _expand(rows: list[dict]) -> list[dict]:
    """A rota row without a weekday holds for every day that has no row of its own."""
    given = {(r["store_id"], r["weekday"], r["station"], r["hour"]) for r in rows if r["weekday"] is not None}
    out = [r for r in rows if r["weekday"] is not None]
    for r in rows:
        if r["weekday"] is None:
            out.extend({**r, "weekday": d} for d in range(7)
                       if (r["store_id"], d, r["station"], r["hour"]) not in given)
    return out
