"""The original item types: yes_no, yes_no_na, rating, number, choice, text, photo, timer."""

from __future__ import annotations

import math
import re

from ..errors import AnswerError
from ..model import DEFAULT_TIMER_EVENTS, MODES
from .base import ItemType, Key, fmt_number, number, register_item_type

TEXT_MAX = 4000

_YES = {"yes", "y", "true", "1", "예", "네"}
_NO = {"no", "n", "false", "0", "아니오", "아니요"}
_NA = {"na", "n/a", "n.a.", "not applicable", "해당없음", "해당 없음"}
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")
_WORDS = {"en": {"yes": "Yes", "no": "No", "na": "N/A"},
          "ko": {"yes": "예", "no": "아니오", "na": "해당없음"}}


def lang(locale: str | None) -> str:
    return "ko" if (locale or "en").lower().startswith("ko") else "en"


def parse_float(raw: str) -> float | None:
    try:
        value = float(raw.replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@register_item_type
class YesNo(ItemType):
    name = "yes_no"
    xlsform = "select_one"
    answers = ("yes", "no")

    def parse_text(self, item, s):
        low = s.lower()
        if low in _YES:
            return "yes"
        if low in _NO:
            return "no"
        if "na" in self.answers and low in _NA:
            return "na"
        if "na" in self.answers:
            raise AnswerError("Choose yes, no or N/A.", "yes_no_na")
        raise AnswerError("Choose yes or no.", "yes_no")

    def normalize(self, item, value):
        if value not in self.answers:
            raise self.bad(item, value)
        return value

    def score(self, item, value):
        return {"yes": 1.0, "no": 0.0}.get(value)

    def failed(self, item, value):
        return None if value == "na" else value == "no"

    def display(self, item, value, locale="en"):
        return _WORDS[lang(locale)][value]


@register_item_type
class YesNoNa(YesNo):
    name = "yes_no_na"
    answers = ("yes", "no", "na")


@register_item_type
class Rating(ItemType):
    name = "rating"
    keys = {"mode": Key("str", "rational", choices=MODES),
            "fail_at_or_below": Key("int", 2, lo=0, hi=4)}
    xlsform = "range"
    xlsform_appearance = "rating"
    xlsform_parameters = "start=1 end=5 step=1"

    def parse_text(self, item, s):
        value = parse_float(s)
        if value is None or not value.is_integer() or not 1 <= value <= 5:
            raise AnswerError("Choose a rating from 1 to 5.", "rating_range", {"low": 1, "high": 5})
        return int(value)

    def normalize(self, item, value):
        x = number(value)
        if x is None or x != int(x) or not 1 <= x <= 5:
            raise self.bad(item, value)
        return int(x)

    def score(self, item, value):
        return (value - 1) / 4

    def failed(self, item, value):
        return value <= item.fail_at_or_below

    def emotional(self, item):
        return item.mode == "emotional"

    def display(self, item, value, locale="en"):
        return f"{value}/5"


def _bounds_error(lo, hi) -> AnswerError:
    if lo is not None and hi is not None:
        return AnswerError(f"Enter a number between {fmt_number(lo)} and {fmt_number(hi)}.",
                           "number_range", {"low": lo, "high": hi})
    if lo is not None:
        return AnswerError(f"Enter a number of at least {fmt_number(lo)}.", "number_min",
                           {"low": lo})
    if hi is not None:
        return AnswerError(f"Enter a number of at most {fmt_number(hi)}.", "number_max",
                           {"high": hi})
    return AnswerError("Enter a number.", "number")


@register_item_type
class Number(ItemType):
    name = "number"
    keys = {"min": Key("number"), "max": Key("number"),
            "pass_min": Key("number"), "pass_max": Key("number")}
    xlsform = "decimal"

    def check(self, kw, fail):
        for lo, hi in (("min", "max"), ("pass_min", "pass_max")):
            if kw[lo] is not None and kw[hi] is not None and kw[lo] > kw[hi]:
                fail(hi, f"must be >= {lo} ({kw[lo]:g})", "order", other=lo)
        for k in ("pass_min", "pass_max"):
            v = kw[k]
            if v is not None and ((kw["min"] is not None and v < kw["min"])
                                  or (kw["max"] is not None and v > kw["max"])):
                fail(k, "must lie within min..max", "outside_bounds")

    def parse_text(self, item, s):
        value = parse_float(s)
        lo, hi = item.min, item.max
        if value is None or (lo is not None and value < lo) or (hi is not None and value > hi):
            raise _bounds_error(lo, hi)
        return value

    def normalize(self, item, value):
        x = number(value)
        if x is None:
            raise self.bad(item, value)
        return x

    def scorable(self, item):
        return item.pass_min is not None or item.pass_max is not None

    def _outside(self, item, value):
        return (item.pass_min is not None and value < item.pass_min) or \
            (item.pass_max is not None and value > item.pass_max)

    def score(self, item, value):
        if not self.scorable(item):
            return None
        return 0.0 if self._outside(item, value) else 1.0

    def failed(self, item, value):
        return self._outside(item, value) if self.scorable(item) else None

    def display(self, item, value, locale="en"):
        return fmt_number(value)


@register_item_type
class ChoiceType(ItemType):
    name = "choice"
    keys = {"choices": Key("choices")}
    xlsform = "select_one"

    def parse_text(self, item, s):
        if item.choice(s) is None:
            raise AnswerError("Choose one of the options.", "choice")
        return s

    def normalize(self, item, value):
        if not isinstance(value, str) or item.choice(value) is None:
            raise self.bad(item, value)
        return value

    def score(self, item, value):
        return item.choice(value).score

    def failed(self, item, value):
        c = item.choice(value)
        return c.fail or c.score == 0

    def display(self, item, value, locale="en"):
        return item.choice(value).label.get(locale)


@register_item_type
class TextType(ItemType):
    name = "text"
    can_fail = False

    def parse(self, item, raw):
        if not raw.strip():
            return None
        if len(raw) > TEXT_MAX:
            raise AnswerError(f"Keep the note under {TEXT_MAX} characters.", "text_too_long",
                              {"max": TEXT_MAX})
        return raw.strip()

    def normalize(self, item, value):
        if not isinstance(value, str):
            raise self.bad(item, value)
        return value if value.strip() else None


@register_item_type
class Photo(ItemType):
    name = "photo"
    can_fail = False
    xlsform = "image"
    xlsform_parameters = "max-pixels=1600"  # ODK shrinks photos on the phone, as the app does

    def parse_text(self, item, s):
        if not s.isdigit():
            raise AnswerError("Enter the number of photos.", "photo_count")
        return int(s)

    def normalize(self, item, value):
        x = number(value)
        if x is None or x != int(x) or x < 0:
            raise self.bad(item, value)
        return int(x) or None

    def answered(self, item, value, photos):
        return value is not None or photos > 0

    def display(self, item, value, locale="en"):
        return f"{value} 장" if lang(locale) == "ko" else f"{value} photo{'s' * (value != 1)}"


def clock(seconds: float) -> str:
    """Seconds as m:ss (h:mm:ss from an hour), rounded to the second."""
    s = int(round(seconds))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


@register_item_type
class Timer(ItemType):
    name = "timer"
    keys = {"target_sec": Key("number", gt=0),
            "timer_events": Key("names", DEFAULT_TIMER_EVENTS, min_len=2)}
    xlsform = "decimal"

    def parse_text(self, item, s):
        m = _CLOCK.match(s)
        if m:
            hours = int(m.group(1)) if m.group(1) else 0
            value = hours * 3600 + int(m.group(2)) * 60 + float(m.group(3))
        else:
            value = parse_float(s)
        if value is None or value < 0:
            raise AnswerError("Enter the wait in seconds (or as m:ss).", "timer")
        return float(value)

    def normalize(self, item, value):
        x = number(value)
        if x is None or x < 0:
            raise self.bad(item, value)
        return x

    def scorable(self, item):
        return item.target_sec is not None

    def score(self, item, value):
        return None if item.target_sec is None else float(value <= item.target_sec)

    def failed(self, item, value):
        return None if item.target_sec is None else value > item.target_sec

    def display(self, item, value, locale="en"):
        return clock(value)
