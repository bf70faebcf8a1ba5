"""Answer values: module-level entry points that ask the item's type.

The rules live in each type's class (``checklists/types/``); these functions keep the
API the app was written against. Typed values per type are listed in the README.
"""

from __future__ import annotations

from .errors import AnswerError
from .model import Item
from .relevance import check_constraint
from .types import item_type
from .types.basic import TEXT_MAX  # noqa: F401  (re-exported for older callers)

__all__ = ["AnswerError", "display_answer", "item_failed", "item_score", "normalize",
           "parse_answer"]


def parse_answer(item: Item, raw: str | None, answers=None):
    """Convert a form string to the item's typed value; ``""`` (or None) -> None.

    The item's ``constraint`` is checked too: with the visit's other ``answers`` when
    given, else only when it reads nothing but the item itself (``.``).

    :raise AnswerError: with a short message for the auditor and a ``code``
        (``constraint`` when the constraint is broken).
    """
    if raw is None:
        return None
    value = item_type(item.type).parse(item, raw)
    check_constraint(item, value, answers)
    return value


def normalize(item: Item, value):
    """A stored value checked against the item's type; None when it counts as unanswered.

    :raise AnswerError: the value has the wrong type or is out of range.
    """
    if value is None:
        return None
    return item_type(item.type).normalize(item, value)


def item_score(item: Item, value) -> float | None:
    """The item's score in 0..1, or None when the item/answer is not scored."""
    value = normalize(item, value)
    return None if value is None else item_type(item.type).score(item, value)


def item_failed(item: Item, value) -> bool | None:
    """True/False for a scored answer, None when unanswered, N/A or never failed."""
    value = normalize(item, value)
    return None if value is None else item_type(item.type).failed(item, value)


def display_answer(item: Item, value, locale: str = "en") -> str:
    """The answer as plain report text ("" when unanswered); whole numbers without ".0"."""
    value = normalize(item, value)
    return "" if value is None else item_type(item.type).display(item, value, locale)
