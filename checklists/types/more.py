"""Item types added with XLSForm support: multi_choice, date, time, datetime, note, signature."""

from __future__ import annotations

import datetime as dt
import re

from ..errors import AnswerError
from .base import ItemType, Key, fmt_number, register_item_type
from .basic import Photo, lang


@register_item_type
class MultiChoice(ItemType):
    """Tick any number of choices (select_multiple). Value: the ticked keys, in choice order.

    Score: the ticked choices' scores over the sum of all positive scores (ticking every
    good thing is 1); failed when a ``fail`` choice is ticked.
    """

    name = "multi_choice"
    keys = {"choices": Key("choices")}
    xlsform = "select_multiple"

    def _keys(self, item, value):
        parts = value.replace(",", " ").split() if isinstance(value, str) else value
        if not isinstance(parts, (list, tuple)) or \
                any(not isinstance(p, str) or item.choice(p) is None for p in parts):
            return None
        return [c.key for c in item.choices if c.key in parts]

    def parse(self, item, raw):
        keys = self._keys(item, raw)
        if keys is None:
            raise AnswerError("Choose from the options.", "multi_choice")
        return keys or None

    def normalize(self, item, value):
        keys = self._keys(item, value)
        if keys is None:
            raise self.bad(item, value)
        return keys or None

    def scorable(self, item):
        return sum(c.score for c in item.choices if c.score > 0) > 0

    def score(self, item, value):
        total = sum(c.score for c in item.choices if c.score > 0)
        if total <= 0:
            return None
        return min(1.0, sum(item.choice(k).score for k in value) / total)

    def failed(self, item, value):
        return any(item.choice(k).fail for k in value)

    def display(self, item, value, locale="en"):
        return ", ".join(item.choice(k).label.get(locale) for k in value)


_DATE_SEP = re.compile(r"^(\d{4})[./-](\d{1,2})[./-](\d{1,2})\.?$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_date(s: str) -> dt.date | None:
    m = _DATE_SEP.match(s.strip())
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    except ValueError:
        return None


def parse_time(s: str) -> dt.time | None:
    m = _TIME.match(s.strip())
    try:
        return dt.time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)) if m else None
    except ValueError:
        return None


def parse_datetime(s) -> dt.datetime | None:
    if isinstance(s, dt.datetime):
        return s
    if not isinstance(s, str):
        return None
    text = s.strip().replace(" ", "T", 1)
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def _iso(t) -> str:
    return t.isoformat(timespec="minutes" if t.second == 0 else "seconds")


class _Moment(ItemType):
    """Shared by date/time/datetime: stored as ISO text, never scored unless a deadline."""

    can_fail = False
    example = ""

    def read(self, s: str):
        raise NotImplementedError

    def text(self, value) -> str:
        return value.isoformat()

    def parse_text(self, item, s):
        value = self.read(s)
        if value is None:
            raise AnswerError(f"Enter a {self.name} like {self.example}.", self.name,
                              {"example": self.example})
        return self.text(value)

    def normalize(self, item, value):
        parsed = self.read(value) if isinstance(value, str) else None
        if parsed is None:
            raise self.bad(item, value)
        return self.text(parsed)


@register_item_type
class DateType(_Moment):
    name = "date"
    xlsform = "date"
    example = "2024-05-31"
    read = staticmethod(parse_date)


@register_item_type
class TimeType(_Moment):
    name = "time"
    xlsform = "time"
    example = "14:30"
    read = staticmethod(parse_time)
    text = staticmethod(_iso)


@register_item_type
class DateTimeType(_Moment):
    """A moment; with ``deadline_hours`` it is a promise: it must come at most that many
    hours after ``deadline_from`` (another datetime item's answer, or ``visit_start``,
    the default). Not judged while the reference is unknown."""

    name = "datetime"
    keys = {"deadline_hours": Key("number", gt=0), "deadline_from": Key("str")}
    xlsform = "dateTime"
    example = "2024-05-31 14:30"
    read = staticmethod(parse_datetime)

    @property
    def can_fail(self):  # only a deadline makes it pass or fail
        return True

    def text(self, value):
        return _iso(value).replace("T", " ") if value.tzinfo is None else _iso(value)

    def check(self, kw, fail):
        if kw["deadline_from"] is not None and kw["deadline_hours"] is None:
            fail("deadline_from", "needs deadline_hours too", "needs_deadline_hours")

    def check_in(self, item, checklist, fail):
        ref = item.deadline_from
        if ref is None or ref == "visit_start":
            return
        try:
            other = checklist.item(ref)
        except KeyError:
            other = None
        if other is None or other.type != "datetime" or other.key == item.key:
            fail("deadline_from", f"must be visit_start or another datetime item (got {ref!r})",
                 "bad_deadline_from", got=ref)

    def scorable(self, item):
        return item.deadline_hours is not None

    def _late(self, item, value, context):
        if item.deadline_hours is None or not context:
            return None
        ref = item.deadline_from or "visit_start"
        start = context.get("visit_start") if ref == "visit_start" else \
            (context.get("answers") or {}).get(ref)
        a, b = parse_datetime(start), parse_datetime(value)
        if a is None or b is None:
            return None
        if (a.tzinfo is None) != (b.tzinfo is None):  # mixed: compare wall-clock times
            a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
        return (b - a).total_seconds() > item.deadline_hours * 3600

    def score_in(self, item, value, context):
        late = self._late(item, value, context)
        return None if late is None else float(not late)

    def failed_in(self, item, value, context):
        return self._late(item, value, context)

    def display(self, item, value, locale="en"):
        return value.replace("T", " ")


@register_item_type
class Note(ItemType):
    """Instructions shown in the flow; not a question, never answered, scored or required."""

    name = "note"
    can_fail = False
    asks = False
    xlsform = "note"

    def parse(self, item, raw):
        return None

    def normalize(self, item, value):
        return None

    def answered(self, item, value, photos):
        return True


@register_item_type
class Signature(Photo):
    """The customer's or staff member's acknowledgement, kept as an image like a photo
    (value: the number of signature images)."""

    name = "signature"
    xlsform_appearance = "signature"
    xlsform_parameters = None

    def display(self, item, value, locale="en"):
        return "서명함" if lang(locale) == "ko" else "Signed"


__all__ = ["DateTimeType", "DateType", "MultiChoice", "Note", "Signature", "TimeType",
           "fmt_number", "parse_date", "parse_datetime", "parse_time"]
