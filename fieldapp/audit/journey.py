"""The journey clock of one visit, read from its marks: which events come next,
what each timed item measures, what wait is running, and what looks wrong.

A timed item no longer owns its stopwatch: its value is the time between
its first and last event on the visit's one clock, so "joined the queue"
tapped on stage 1 also starts stage 4's "queue joined -> sample offered".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from checklists import Checklist


@dataclass(frozen=True)
class OpenWait:
    item: object
    since: str  # the start mark's UTC time


@dataclass
class Clock:
    events: list  # every stopwatch event of the checklist, in journey order
    marks: dict  # event -> mark row
    next_events: list = field(default_factory=list)
    other_events: list = field(default_factory=list)
    running: OpenWait | None = None

    @property
    def marked(self) -> list[dict]:
        return sorted(self.marks.values(), key=lambda m: (m["at"], m["id"]))


def clock_events(checklist: Checklist) -> list[str]:
    """The glossary's events first (the author's journey order), then any other timer event."""
    order = [key for key, _label in checklist.events]
    for item in checklist.items():
        if item.type == "timer":
            order += [e for e in item.timer_events if e not in order]
    used = {e for item in checklist.items() if item.type == "timer" for e in item.timer_events}
    return [e for e in order if e in used]


def timer_items(checklist: Checklist) -> list:
    return [item for item in checklist.items() if item.type == "timer"]


def item_seconds(item, marks: dict) -> float | None:
    """Seconds from the item's first event to its last; None when one is missing or out of order."""
    first, last = marks.get(item.timer_events[0]), marks.get(item.timer_events[-1])
    if first is None or last is None:
        return None
    seconds = (_t(last["at"]) - _t(first["at"])).total_seconds()
    return round(seconds, 1) if seconds >= 0 else None


def build_clock(checklist: Checklist, mark_rows: list[dict], show_next: int = 2) -> Clock:
    marks = {m["event"]: m for m in mark_rows}
    events = clock_events(checklist)
    unmarked = [e for e in events if e not in marks]
    clock = Clock(events=events, marks=marks, next_events=unmarked[:show_next],
                  other_events=unmarked[show_next:])
    open_waits = [OpenWait(item, marks[item.timer_events[0]]["at"]) for item in timer_items(checklist)
                  if item.timer_events[0] in marks and item.timer_events[-1] not in marks]
    if open_waits:  # the wait that began last is the one the shopper is in now
        clock.running = max(open_waits, key=lambda w: w.since)
    return clock


def out_of_order(checklist: Checklist, marks: dict) -> list[tuple[object, str, str]]:
    """Timed items whose end was marked before their start: (item, start event, end event)."""
    found = []
    for item in timer_items(checklist):
        start, end = item.timer_events[0], item.timer_events[-1]
        if start in marks and end in marks and marks[end]["at"] < marks[start]["at"]:
            found.append((item, start, end))
    return found


def _t(value: str) -> datetime:
    return datetime.fromisoformat(value)
