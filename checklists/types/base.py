"""The item-type base class, the key specs a type declares, and the registry.

One class per item type owns everything about it: its own keys in the file, how a
form string becomes a value, how a stored value is checked, scored, failed and shown,
and how it is written as XLSForm. Callers ask the type (``item_type(item.type)``);
they never switch on the name, so a new type is one class and one
``register_item_type`` call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, ClassVar

from ..errors import AnswerError


@dataclass(frozen=True)
class Key:
    """One type-specific key: how the YAML and spreadsheet readers parse and check it.

    ``kind`` is ``str`` (``choices`` limits it), ``int``, ``number``, ``bool``, ``text``
    ({ko, en}), ``names`` (a list of event-like names, ``min_len`` long at least) or
    ``choices`` (the choice list: a YAML list, or the XLSForm choices sheet).
    """

    kind: str
    default: object = None
    lo: float | None = None
    hi: float | None = None
    gt: float | None = None
    choices: tuple[str, ...] | None = None
    min_len: int = 0


Fail = Callable[..., None]  # fail(key, what, code="invalid", **params): raises ChecklistError


class ItemType:
    """Base class: one subclass per item type, registered with ``register_item_type``."""

    name: ClassVar[str] = ""
    keys: ClassVar[dict[str, Key]] = {}
    can_fail: ClassVar[bool] = True  # False: never failed, so never critical/photo_on_fail
    asks: ClassVar[bool] = True  # False (notes): not a question, never required or answered
    xlsform: ClassVar[str] = "text"  # XLSForm type; "select_one"/"select_multiple" add a list
    xlsform_appearance: ClassVar[str | None] = None
    xlsform_parameters: ClassVar[str | None] = None

    # --- loading ------------------------------------------------------------------
    def check(self, kw: dict, fail: Fail) -> None:
        """Rules across this type's keys, checked once they are read (e.g. min <= max)."""

    # --- answers ------------------------------------------------------------------
    def parse(self, item, raw: str):
        """Form string -> typed value; blank -> None. Override ``parse_text`` usually."""
        s = raw.strip()
        return None if s == "" else self.parse_text(item, s)

    def parse_text(self, item, s: str):
        raise AnswerError("This item cannot be answered.", "not_answerable")

    def normalize(self, item, value):
        """A stored value checked against the type; None when it counts as unanswered."""
        return value

    def score(self, item, value) -> float | None:
        """0..1 for a normalised, non-None value; None when not scored."""
        return None

    def failed(self, item, value) -> bool | None:
        """True/False for a normalised, non-None value; None when never failed."""
        return None

    def scorable(self, item) -> bool:
        """Whether the item can be scored at all (an unanswered required one counts 0)."""
        return self.can_fail

    def emotional(self, item) -> bool:
        """Whether the item's score goes to the emotional sub-score."""
        return False

    def answered(self, item, value, photos: int) -> bool:
        """Whether the item counts as answered when checking required items."""
        return value is not None

    def display(self, item, value, locale: str = "en") -> str:
        """A normalised, non-None value as plain report text."""
        return str(value)

    def bad(self, item, value) -> AnswerError:
        return AnswerError(f"Invalid answer {value!r} for {self.name} item {item.key!r}.",
                           "invalid_value", {"type": self.name, "item": item.key})

    def __repr__(self) -> str:
        return f"<item type {self.name}>"


def number(value) -> float | None:
    """A finite int/float (not bool) as float, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value):
        return None
    return float(value)


def fmt_number(x: float) -> str:
    """How numbers read in reports: whole numbers without ".0", no float noise."""
    x = float(x)
    if x.is_integer():
        return str(int(x))
    return f"{x:.6f}".rstrip("0").rstrip(".")


_REGISTRY: dict[str, ItemType] = {}


def register_item_type(cls: type[ItemType], *, replace: bool = False) -> type[ItemType]:
    """Make ``cls`` (an ItemType subclass with a ``name``) available; usable as a decorator.

    :raise ValueError: the name is taken (unless ``replace``) or not a valid name.
    """
    name = getattr(cls, "name", "")
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"item type needs a name made of letters, digits and _ (got {name!r})")
    if name in _REGISTRY and not replace:
        raise ValueError(f"item type {name!r} is already registered")
    _REGISTRY[name] = cls()
    return cls


def unregister_item_type(name: str) -> None:
    """Forget a registered type (tests register toy types and clean up after)."""
    _REGISTRY.pop(name, None)


def item_type(name: str) -> ItemType:
    """The registered type called ``name``.

    :raise KeyError: no such type.
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown item type {name!r}") from None


def item_type_names() -> tuple[str, ...]:
    """Registered type names, in registration order (built-ins first)."""
    return tuple(_REGISTRY)
