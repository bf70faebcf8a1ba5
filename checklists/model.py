"""Immutable checklist model (frozen dataclasses) and the format's vocabularies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

KINDS = ("mystery_shop", "internal_audit", "promise_check", "customer_voice")
JOURNEY_STAGES = ("awareness", "consideration", "purchase", "use", "retention", "advocacy")
MODES = ("rational", "emotional")
DEFAULT_TIMER_EVENTS = ("start", "stop")


@dataclass(frozen=True)
class Text:
    """A bilingual string; either language may be empty and falls back to the other."""

    ko: str
    en: str

    def get(self, locale: str | None = "en") -> str:
        lang = (locale or "en").replace("-", "_").split("_")[0].lower()
        first, second = (self.ko, self.en) if lang == "ko" else (self.en, self.ko)
        return first or second

    def __str__(self) -> str:
        return self.get("en")


@dataclass(frozen=True)
class Choice:
    key: str
    label: Text
    score: float
    fail: bool = False


@dataclass(frozen=True)
class Item:
    key: str
    type: str
    title: Text
    help: Text | None = None
    weight: float = 1.0
    required: bool = False
    critical: bool = False
    photo_on_fail: bool = False
    mode: str = "rational"
    target_sec: float | None = None
    choices: tuple[Choice, ...] = ()
    min: float | None = None
    max: float | None = None
    pass_min: float | None = None
    pass_max: float | None = None
    fail_at_or_below: int = 2
    timer_events: tuple[str, ...] = DEFAULT_TIMER_EVENTS
    relevant: str | None = None  # XLSForm-style expression: ask only when true
    constraint: str | None = None  # XLSForm-style expression an answer must satisfy
    constraint_message: Text | None = None
    # keys of types added after the fields above: (name, value) pairs, read as attributes
    options: tuple[tuple[str, object], ...] = ()

    def __getattr__(self, name: str):
        # only called for names that are not fields: a type's own keys live in options
        if not name.startswith("_"):
            for key, value in self.__dict__.get("options", ()):
                if key == name:
                    return value
        raise AttributeError(name)

    @property
    def item_type(self):
        """The item's type object (``checklists.types.ItemType``): ask it, don't switch."""
        from .types import item_type
        return item_type(self.type)

    def choice(self, key: str) -> Choice | None:
        for c in self.choices:
            if c.key == key:
                return c
        return None


@dataclass(frozen=True)
class Touchpoint:
    key: str
    title: Text
    importance: int
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Stage:
    key: str
    title: Text
    journey_stage: str
    touchpoints: tuple[Touchpoint, ...]
    emotion_prompt: bool = True

    def items(self) -> Iterator[Item]:
        for tp in self.touchpoints:
            yield from tp.items


@dataclass(frozen=True)
class ImportNote:
    """Something a spreadsheet import defaulted, ignored or skipped, located like an error."""

    source: str
    sheet: str
    row: int
    column: str
    code: str  # defaulted | no_column | skipped_unsupported | metadata_ignored | ...
    what: str
    params: dict = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        return f"{self.source}:{self.sheet}:{self.row}: {self.column}: {self.what}"


@dataclass(frozen=True)
class Checklist:
    id: str
    version: int
    kind: str
    title: Text
    description: Text | None
    pass_score: float
    stages: tuple[Stage, ...]
    content_hash: str
    source: str
    source_text: str = field(default="", repr=False, compare=False)
    events: tuple[tuple[str, Text], ...] = ()  # stopwatch event names, from the `events:` glossary
    # what a spreadsheet import filled in or left out (empty for YAML): tuple[ImportNote]
    import_notes: tuple = field(default=(), compare=False)
    _index: dict = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        index = {}
        for stage in self.stages:
            for tp in stage.touchpoints:
                for item in tp.items:
                    index[item.key] = (item, tp, stage)
        object.__setattr__(self, "_index", index)

    def items(self) -> Iterator[Item]:
        """Every item, in checklist order."""
        for stage in self.stages:
            yield from stage.items()

    def item(self, key: str) -> Item:
        return self._index[key][0]

    def event_label(self, event: str) -> Text:
        """What to call a stopwatch event on screen: the glossary's words, else its key."""
        for key, label in self.events:
            if key == event:
                return label
        words = event.replace("_", " ")
        return Text(ko=words, en=words)

    def touchpoint_of(self, item_key: str) -> Touchpoint:
        return self._index[item_key][1]

    def stage_of(self, item_key: str) -> Stage:
        return self._index[item_key][2]

    def touchpoints(self) -> Iterator[Touchpoint]:
        for stage in self.stages:
            yield from stage.touchpoints
