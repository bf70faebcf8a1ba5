"""URL converters: an ``<int:...>`` id is at most what SQLite's INTEGER holds.

Werkzeug's ``int`` takes any length of digits; a 20-digit id would reach
SQLite and fail with OverflowError (a 500). Bounded, such a path simply
does not match: 404, on every route at once.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

SQLITE_MAX_INT = 2 ** 63 - 1


class BoundedIntConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", SQLITE_MAX_INT)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Call before any blueprint is registered (rules bind their converter when added)."""
    app.url_map.converters["int"] = BoundedIntConverter
