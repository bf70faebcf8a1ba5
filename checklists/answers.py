"""Answer values: parsing form input, normalising stored values, and pass/fail per item.

Typed answer values (what the app stores and passes to the scorer):

=========== ==========================================
yes_no      ``"yes"`` / ``"no"``
yes_no_na   ``"yes"`` / ``"no"`` / ``"na"``
rating      ``int`` 1..5
number      ``float`` (an ``int`` is accepted too)
choice      the choice key (``str``)
text        ``str``
photo       ``int`` number of photos attached
timer       ``float`` seconds
=========== ==========================================
"""

from __future__ import annotations

import math
import re

from .model import Item

TEXT_MAX = 4000


class AnswerError(ValueError):
    """An answer that cannot be used; ``message`` is short, user-facing English."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


_YES = {"yes", "y", "true", "1", "예", "네"}
_NO = {"no", "n", "false", "0", "아니오", "아니요"}
_NA = {"na", "n/a", "n.a.", "not applicable", "해당없음", "해당 없음"}
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")


def _fmt(x: float) -> str:
    return f"{x:g}"


def _float(raw: str) -> float | None:
    try:
        value = float(raw.replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_answer(item: Item, raw: str | None):
    """Convert a form string to the item's typed value; ``""`` (or None) -> None.

    :raise AnswerError: with a short message for the auditor.
    """
    if raw is None:
        return None
    if item.type == "text":
        if not raw.strip():
            return None
        if len(raw) > TEXT_MAX:
            raise AnswerError(f"Keep the note under {TEXT_MAX} characters.")
        return raw.strip()
    s = raw.strip()
    if s == "":
        return None
    low = s.lower()
    t = item.type
    if t in ("yes_no", "yes_no_na"):
        if low in _YES:
            return "yes"
        if low in _NO:
            return "no"
        if t == "yes_no_na" and low in _NA:
            return "na"
        raise AnswerError("Choose yes or no." if t == "yes_no" else "Choose yes, no or N/A.")
    if t == "rating":
        value = _float(s)
        if value is None or not value.is_integer() or not 1 <= value <= 5:
            raise AnswerError("Choose a rating from 1 to 5.")
        return int(value)
    if t == "number":
        value = _float(s)
        lo, hi = item.min, item.max
        if lo is not None and hi is not None:
            msg = f"Enter a number between {_fmt(lo)} and {_fmt(hi)}."
        elif lo is not None:
            msg = f"Enter a number of at least {_fmt(lo)}."
        elif hi is not None:
            msg = f"Enter a number of at most {_fmt(hi)}."
        else:
            msg = "Enter a number."
        if value is None or (lo is not None and value < lo) or (hi is not None and value > hi):
            raise AnswerError(msg)
        return value
    if t == "choice":
        if item.choice(s) is None:
            raise AnswerError("Choose one of the options.")
        return s
    if t == "photo":
        if not s.isdigit():
            raise AnswerError("Enter the number of photos.")
        return int(s)
    if t == "timer":
        m = _CLOCK.match(s)
        if m:
            hours = int(m.group(1)) if m.group(1) else 0
            if m.group(1) is None:  # m:ss
                value = int(m.group(2)) * 60 + float(m.group(3))
            else:  # h:mm:ss
                value = hours * 3600 + int(m.group(2)) * 60 + float(m.group(3))
        else:
            value = _float(s)
        if value is None or value < 0:
            raise AnswerError("Enter the wait in seconds (or as m:ss).")
        return float(value)
    raise AnswerError("This item cannot be answered.")  # pragma: no cover


def normalize(item: Item, value):
    """A stored value checked against the item's type; None when it counts as unanswered.

    :raise AnswerError: the value has the wrong type or is out of range.
    """
    if value is None:
        return None
    t = item.type
    bad = AnswerError(f"Invalid answer {value!r} for {t} item {item.key!r}.")
    if t in ("yes_no", "yes_no_na"):
        allowed = ("yes", "no", "na") if t == "yes_no_na" else ("yes", "no")
        if value not in allowed:
            raise bad
        return value
    if t == "choice":
        if not isinstance(value, str) or item.choice(value) is None:
            raise bad
        return value
    if t == "text":
        if not isinstance(value, str):
            raise bad
        return value if value.strip() else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value):
        raise bad
    if t == "rating":
        if value != int(value) or not 1 <= value <= 5:
            raise bad
        return int(value)
    if t == "photo":
        if value != int(value) or value < 0:
            raise bad
        return int(value) or None
    if t == "timer" and value < 0:
        raise bad
    return float(value)


def item_score(item: Item, value) -> float | None:
    """The item's score in 0..1, or None when the item/answer is not scored."""
    value = normalize(item, value)
    if value is None:
        return None
    t = item.type
    if t in ("yes_no", "yes_no_na"):
        return {"yes": 1.0, "no": 0.0}.get(value)
    if t == "rating":
        return (value - 1) / 4
    if t == "number":
        if item.pass_min is None and item.pass_max is None:
            return None
        return 0.0 if _outside(item, value) else 1.0
    if t == "choice":
        return item.choice(value).score
    if t == "timer":
        if item.target_sec is None:
            return None
        return 1.0 if value <= item.target_sec else 0.0
    return None


def _outside(item: Item, value: float) -> bool:
    return (item.pass_min is not None and value < item.pass_min) or \
        (item.pass_max is not None and value > item.pass_max)


def item_failed(item: Item, value) -> bool | None:
    """True/False for a scored answer, None when unanswered, N/A or never failed."""
    value = normalize(item, value)
    if value is None:
        return None
    t = item.type
    if t in ("yes_no", "yes_no_na"):
        return None if value == "na" else value == "no"
    if t == "rating":
        return value <= item.fail_at_or_below
    if t == "number":
        if item.pass_min is None and item.pass_max is None:
            return None
        return _outside(item, value)
    if t == "choice":
        c = item.choice(value)
        return c.fail or c.score == 0
    if t == "timer":
        if item.target_sec is None:
            return None
        return value > item.target_sec
    return None
