"""Spreadsheet sheets as header-mapped rows, and typed cell getters with located errors.

Every error is one line ``file:sheet:row: column: what``; rows are numbered as the
spreadsheet shows them (the header is row 1).
"""

from __future__ import annotations

import datetime as dt
import math
import re

from .errors import ChecklistError
from .model import Text

KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_LANG_CODE = re.compile(r"\(\s*([A-Za-z]{2,3})(?:[-_][A-Za-z]+)?\s*\)\s*$")
_LANG_NAMES = {"english": "en", "en": "en", "korean": "ko", "ko": "ko", "한국어": "ko"}
_TRUE = {"yes", "true", "true()", "1", "y"}
_FALSE = {"no", "false", "false()", "0", "n"}


def lang_of(label: str) -> str:
    """``English (en)`` -> en, ``한국어 (ko)`` -> ko, ``Korean`` -> ko; other languages as given."""
    m = _LANG_CODE.search(label)
    if m:
        return m.group(1).lower()
    return _LANG_NAMES.get(label.strip().lower(), label.strip())


def shown(value) -> str:
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        kind = "date" if isinstance(value, dt.date) else "time"
        return f"a {kind} {value} (is the cell formatted as a date?)"
    if isinstance(value, bool):
        return f"{str(value).upper()}"
    if isinstance(value, float) and value.is_integer():
        return repr(int(value))
    return repr(value)


class Sheet:
    """A sheet's header (base column, language) and its non-blank rows."""

    def __init__(self, source: str, name: str, rows: list[list]):
        self.source, self.name = source, name
        self.columns: dict[tuple[str, str | None], int] = {}
        self.headers: list[str] = []
        header = rows[0] if rows else []
        for i, cell in enumerate(header):
            text = clean(cell)
            self.headers.append(text if isinstance(text, str) else "")
            if text in (None, ""):
                continue
            text = str(text) if not isinstance(text, str) else text
            base, _, lang = text.partition("::")
            base = base.strip().lower()
            col = (base, lang_of(lang) if lang else None)
            if col in self.columns:
                first = self.headers[self.columns[col]]
                self.fail(1, text, f"duplicate column (also column {_letters(self.columns[col])}"
                                   f" {first!r})", "duplicate_column")
            self.columns[col] = i
        self.rows = [(n, row) for n, row in enumerate(rows[1:], 2)
                     if any(clean(c) not in (None, "") for c in row)]

    def fail(self, row: int, column: str, what: str, code: str = "invalid", **params):
        raise ChecklistError(self.source, row, column, what, code=code, params=params,
                             sheet=self.name)

    def has_column(self, base: str) -> bool:
        return any(b == base for b, _ in self.columns)

    def langs(self, base: str) -> list[str | None]:
        return [lang for b, lang in self.columns if b == base]

    def header(self, base: str, lang: str | None = None) -> str:
        i = self.columns.get((base, lang))
        return self.headers[i] if i is not None else (f"{base}::{lang}" if lang else base)

    def record(self, n: int, row: list, cols: dict | None = None) -> "Record":
        values = {}
        for col, i in self.columns.items():
            if i < len(row):
                v = clean(row[i])
                if v not in (None, ""):
                    values[col] = v
        return Record(self, n, values, cols)


def clean(cell):
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, float) and not math.isfinite(cell):
        return None
    return cell


def _letters(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


class Record:
    """One row: typed getters by our key name; ``cols`` maps keys to XLSForm columns."""

    def __init__(self, sheet: Sheet, row: int, values: dict, cols: dict | None = None):
        self.sheet, self.row, self.values = sheet, row, values
        self.cols = cols or {"key": "name", "title": "label", "help": "hint"}

    def col(self, key: str) -> str:
        return self.cols.get(key, key)

    def raw(self, key: str, lang: str | None = None):
        return self.values.get((self.col(key), lang))

    def has(self, key: str) -> bool:
        base = self.col(key)
        return any(b == base for b, _ in self.values)

    def fail_key(self, key, what, code="invalid", **params):
        langs = [l for b, l in self.values if b == self.col(key)] or [None]
        self.sheet.fail(self.row, self.sheet.header(self.col(key), langs[0]), what, code,
                        **params)

    def _get(self, key, default):
        value = self.raw(key)
        if value is None:
            if default is ...:
                self.fail_key(key, "missing (required)", "missing")
            return None, True
        return value, False

    def str(self, key, default=..., choices=None):
        value, absent = self._get(key, default)
        if absent:
            return default
        if isinstance(value, float) and value.is_integer():
            value = str(int(value))
        if not isinstance(value, str) or isinstance(value, bool):
            self.fail_key(key, f"must be text (got {shown(value)})", "not_string")
        if choices is not None and value not in choices:
            self.fail_key(key, f"must be one of {', '.join(choices)} (got {value!r})",
                          "not_one_of", allowed=list(choices), got=value)
        return value

    def key(self, key="key"):
        value = self.str(key)
        if not KEY_RE.match(value):
            self.fail_key(key, f"{value!r} is not a valid name (letters, digits, _ and -, at "
                               f"most 64, starting with a letter or digit)", "bad_key", got=value)
        return value

    def number(self, key, default=..., lo=None, hi=None, gt=None):
        value, absent = self._get(key, default)
        if absent:
            return default
        x = value
        if isinstance(value, str):
            try:
                x = float(value.replace(",", ""))
            except ValueError:
                x = None
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            self.fail_key(key, f"must be a number (got {shown(value)})", "not_number")
        if gt is not None and not x > gt:
            self.fail_key(key, f"must be > {gt:g}", "not_above", gt=gt)
        if lo is not None and x < lo or hi is not None and x > hi:
            self.fail_key(key, f"must be between {lo:g} and {hi:g} (got {x:g})"
                          if lo is not None and hi is not None else
                          f"must be >= {lo:g}" if lo is not None else f"must be <= {hi:g}",
                          "out_of_range", low=lo, high=hi, got=x)
        return float(x)

    def int(self, key, default=..., lo=None, hi=None):
        value, absent = self._get(key, default)
        if absent:
            return default
        x = self.number(key, lo=lo, hi=hi)
        if not x.is_integer():
            self.fail_key(key, f"must be a whole number (got {shown(value)})",
                          "not_whole_number")
        return int(x)

    def bool(self, key, default=...):
        value, absent = self._get(key, default)
        if absent:
            return default
        if isinstance(value, bool):
            return value
        low = shown(value).strip("'").lower() if isinstance(value, (int, float)) \
            else str(value).lower() if isinstance(value, str) else None
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        self.fail_key(key, f"must be yes or no (got {shown(value)})", "not_bool")

    def text(self, key, default=...):
        base = self.col(key)
        ko, en = self.values.get((base, "ko")), self.values.get((base, "en"))
        plain = self.values.get((base, None))
        for lang, v in (("ko", ko), ("en", en), (None, plain)):
            if v is not None and not isinstance(v, str):
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    continue
                self.sheet.fail(self.row, self.sheet.header(base, lang),
                                f"must be text (got {shown(v)})", "not_string")
        ko, en, plain = (_as_text(v) for v in (ko, en, plain))
        if ko is None and en is None and plain is None:  # only other languages: take the first
            plain = next((_as_text(v) for (b, lang), v in self.values.items() if b == base), None)
        if ko is None and en is None and plain is None:
            if default is ...:
                self.fail_key(key, "missing (required)", "missing")
            return default
        return Text(ko=ko or plain or "", en=en or plain or "")

    def names(self, key, default=..., min_len=0):
        value, absent = self._get(key, default)
        if absent:
            return default
        parts = [p for p in re.split(r"[\s,]+", str(value)) if p]
        if len(parts) < min_len:
            self.fail_key(key, f"needs at least {min_len} names separated by spaces",
                          "too_few", min=min_len)
        for i, p in enumerate(parts):
            if not KEY_RE.match(p):
                self.fail_key(key, f"{p!r} is not a name like queue_joined", "bad_name")
            if p in parts[:i]:
                self.fail_key(key, f"duplicate name {p!r}", "duplicate", got=p)
        return tuple(parts)

    def choices(self, key):
        return self.choice_reader(self)


def _as_text(v):
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
