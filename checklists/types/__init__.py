"""Item types: one class each, found by name in a registry.

``item_type("rating")`` gives the type object; ``register_item_type(cls)`` adds one.
See "How to add an item type" in ``checklists/README.md``.
"""

from .base import (ItemType, Key, fmt_number, item_type, item_type_names, register_item_type,
                   unregister_item_type)
from . import basic  # noqa: F401  (registers the built-in types)

ITEM_TYPES = item_type_names()  # the built-in types, in the order the README lists them

__all__ = ["ITEM_TYPES", "ItemType", "Key", "fmt_number", "item_type", "item_type_names",
           "register_item_type", "unregister_item_type"]
