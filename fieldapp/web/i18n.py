"""Korean and English: the user's own setting first, then the browser's."""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_babel import Babel
from flask_login import current_user

babel = Babel()


def select_locale() -> str:
    if g.get("voice_locale"):  # a customer's ?lang= choice on the public survey (no account)
        return g.voice_locale
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale:
        return current_user.locale
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or \
        current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")


def current_locale() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale else "ko"


def pick(ko: str | None, en: str | None) -> str:
    """The Korean or English form of a stored pair, by the current language."""
    if current_locale() == "en":
        return en or ko or ""
    return ko or en or ""


def text_of(value) -> str:
    """A checklist ``Text`` (or None) in the current language."""
    if value is None:
        return ""
    return value.get(current_locale())


def number(value) -> str:
    """12.0 -> "12", 12.5 -> "12.5": what the auditor typed, not a float's repr."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def event_words(checklist, events) -> dict[str, str]:
    """Stopwatch events in the current language ({event: words}), for the page and app.js."""
    return {event: text_of(checklist.event_label(event)) for event in events}
