"""Field records as values: parsers that say what is wrong, and errors that say where.

Every problem becomes a ``CalibrationError`` whose message is one line,
``file.csv:12: column: problem`` for CSV rows or ``timings[11]: column: ...``
for records passed as dicts, so a user can find and fix it.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time

__all__ = ["CalibrationError", "Rows", "SLOT_MIN"]

SLOT_MIN = 15


class CalibrationError(ValueError):
    """Bad or insufficient field data; ``.message`` is one located line."""

    def __init__(self, message: str):
        message = "\\n".join(str(message).splitlines())
        super().__init__(message)
        self.message = message


class Rows(list):
    """Records read from a CSV file; remembers the file name and line of each record,
    so that problems found later (a duplicate slot, say) are still located."""

    def __init__(self, items=(), source: str = "", lines=()):
        super().__init__(items)
        self.source = source
        self.lines = list(lines)


def _where(rows, name: str, i: int) -> str:
    if isinstance(rows, Rows) and i < len(rows.lines):
        return f"{rows.source}:{rows.lines[i]}"
    return f"{name}[{i}]"


class _Bad(Exception):
    """A value problem; the caller adds file, line and column."""


# ----------------------------------------------------------------------------- values


def _text(v) -> str:
    if v is None:
        raise _Bad("missing value")
    s = str(v).strip()
    if not s:
        raise _Bad("missing value")
    return s


def _timestamp(v) -> datetime:
    if isinstance(v, datetime):
        dt = v
    else:
        s = _text(v)
        try:
            dt = datetime.fromisoformat(s)
        except ValueError:
            raise _Bad("not an ISO 8601 time (like 2024-05-04T10:15:30+09:00)") from None
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise _Bad("ISO 8601 time without a UTC offset (add e.g. +09:00 or Z)")
    return dt


def _day(v) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    s = _text(v)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        raise _Bad("not a day as YYYY-MM-DD")
    try:
        return date.fromisoformat(s)
    except ValueError:
        raise _Bad("not a valid calendar day") from None


def _slot(v) -> int:
    """Minutes after midnight of a 15-minute slot start."""
    if isinstance(v, time):
        h, m, extra = v.hour, v.minute, v.second or v.microsecond
    else:
        s = _text(v)
        mt = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", s)
        if not mt:
            raise _Bad("not a time as HH:MM")
        h, m, extra = int(mt.group(1)), int(mt.group(2)), int(mt.group(3) or 0)
        if h > 23 or m > 59 or extra > 59:
            raise _Bad("not a valid time of day")
    if m % SLOT_MIN or extra:
        raise _Bad("must start a 15-minute slot (HH:00, HH:15, HH:30 or HH:45)")
    return h * 60 + m


def _number(v, *, ge=None, le=None, what="a number") -> float:
    if isinstance(v, bool):
        raise _Bad(f"must be {what}")
    if isinstance(v, (int, float)):
        x = float(v)
    else:
        s = _text(v)
        try:
            x = float(s)
        except ValueError:
            raise _Bad(f"must be {what}") from None
    if not math.isfinite(x) or (ge is not None and x < ge) or (le is not None and x > le):
        raise _Bad(f"must be {what}")
    return x


def _integer(v, *, ge=None, le=None, what="an integer") -> int:
    x = _number(v, ge=ge, le=le, what=what)
    if x != int(x):
        raise _Bad(f"must be {what}")
    return int(x)


def _count(v):
    return _number(v, ge=0, what="a count >= 0")


def _hour(v):
    return _integer(v, ge=0, le=23, what="an hour from 0 to 23")


def _servers(v):
    return _integer(v, ge=0, what="a whole number of servers >= 0")


def _wait(v):
    return _number(v, ge=0, what="a wait in minutes >= 0")


def _rating(v):
    return _number(v, ge=1, le=5, what="a rating from 1 to 5")


def _hhmm(minutes: float) -> str:
    m = int(round(minutes))
    return f"{m // 60:02d}:{m % 60:02d}"


def _field(rows, name, i, rec, col, parse):
    if not isinstance(rec, dict):
        raise CalibrationError(f"{_where(rows, name, i)}: must be a record with keys like {col}")
    if col not in rec:
        raise CalibrationError(f"{_where(rows, name, i)}: {col}: missing")
    try:
        return parse(rec[col])
    except _Bad as exc:
        raise CalibrationError(f"{_where(rows, name, i)}: {col}: {exc}") from None


def _r(x, nd=4):
    return None if x is None else float(round(float(x), nd))


def _warn(warnings: list, code: str, text: str, **params) -> None:
    """A warning both ways: ``code`` and ``params`` for an app to translate, ``text`` to read."""
    warnings.append({"code": code, "params": params, "text": text.format(**params)})
