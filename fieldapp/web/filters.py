"""Every template filter and global, registered in one place.

Each is a plain function from the module that owns its rule (time zone and
m:ss in ``timefmt``, languages in ``i18n``, who sees an auditor's name in
``auth.capabilities``); this module only names them for Jinja.
"""

from __future__ import annotations

from flask import Flask
from flask_login import current_user

from fieldapp.auth import capabilities
from fieldapp.web import i18n, labels, timefmt


def pct(value: float | None) -> str:
    """A score as "87%", or a dash when there is none."""
    return "–" if value is None else f"{value:.0f}%"


def auditor_label(row: dict, audience: str | None = None) -> str:
    """The auditor's name for the current viewer, or "mystery shopper".

    ``audience="store"`` renders for the store's eyes whoever opens it: the
    visit and period reports and their PDFs are the store's documents.
    """
    role = "manager" if audience == "store" else getattr(current_user, "role", "manager")
    return capabilities.auditor_label(role, row)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        localtime=timefmt.local, localdate=lambda v: timefmt.local(v, "%Y-%m-%d"),
        mmss=timefmt.mmss, num=i18n.number, pct=pct)
    app.jinja_env.globals.update(
        pick=i18n.pick, text_of=i18n.text_of, current_locale=i18n.current_locale,
        event_words=i18n.event_words, job_status=labels.job_status,
        calibration_warning=labels.calibration_warning, auditor_label=auditor_label)
    app.jinja_env.globals.update(today_local=timefmt.today_local)
    app.jinja_env.globals.update(voice_error=labels.voice_error)
