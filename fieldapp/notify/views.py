"""The inbox (a bell with a count in the nav, a list, read/unread), each user's
notification settings, and the admin's view of the mail outbox."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fieldapp.auth.capabilities import requires
from fieldapp.notify import events
from fieldapp.notify import workflow as notify
from fieldapp.storage import notify as store
from fieldapp.storage.db import get_db
from fieldapp.web.htmx import render
from fieldapp.web.i18n import current_locale

bp = Blueprint("notify", __name__)

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s.]{2,}$")


def _rows(db, unread_only: bool) -> list[dict]:
    rows = store.inbox(db, current_user.id, unread_only=unread_only)
    for r in rows:
        r["title"], r["body"] = events.words(r["event"], r["params"], current_locale())
    return rows


@bp.route("/inbox")
@requires("notify.inbox")
def inbox():
    db = get_db()
    unread_only = request.args.get("unread") == "1"
    return render("notify/inbox.html", "notify/_list.html", rows=_rows(db, unread_only),
                  unread_only=unread_only, unread=store.unread_count(db, current_user.id))


@bp.route("/inbox/bell")
@requires("notify.inbox")
def bell():
    """The nav's bell alone (htmx polls it)."""
    return render_template("notify/_bell.html", unread=store.unread_count(get_db(), current_user.id))


@bp.route("/inbox/<int:notification_id>/open", methods=["POST"])
@requires("notify.inbox")
def open_one(notification_id: int):
    """Mark read and go where the notification points."""
    db = get_db()
    row = store.get_notification(db, notification_id)
    if row is None or row["user_id"] != current_user.id:
        abort(404)
    store.mark_read(db, current_user.id, notification_id)
    link = row["link"] or ""
    return redirect(link if link.startswith("/") and not link.startswith("//") else url_for("notify.inbox"))


@bp.route("/inbox/<int:notification_id>/read", methods=["POST"])
@requires("notify.inbox")
def toggle(notification_id: int):
    """Mark one read (``read=1``) or unread (``read=0``)."""
    db = get_db()
    if not store.mark_read(db, current_user.id, notification_id, read=request.form.get("read", "1") == "1"):
        abort(404)
    return redirect(url_for("notify.inbox"))


@bp.route("/inbox/read-all", methods=["POST"])
@requires("notify.inbox")
def read_all():
    store.mark_read(get_db(), current_user.id)
    return redirect(url_for("notify.inbox"))


@bp.route("/settings/notifications", methods=["GET", "POST"])
@requires("notify.inbox")
def settings():
    """Which events, and e-mail at once, in a daily digest, or not at all."""
    db = get_db()
    current = store.settings_of(db, current_user.id)
    errors = {}
    form = {"email": current["email"] or "", "mode": current["mode"], "muted": current["muted"]}
    if request.method == "POST":
        form = {"email": (request.form.get("email") or "").strip(),
                "mode": request.form.get("mode", "now"),
                "muted": {e.name for e in events.settable() if request.form.get(f"event-{e.name}") != "on"}}
        if form["email"] and not EMAIL.match(form["email"]):
            errors["email"] = _("This is not an e-mail address.")
        if form["mode"] not in store.MODES:
            errors["mode"] = _("Choose how to get e-mail.")
        if not errors:
            muted = set()
            for name in form["muted"]:
                muted.update(events.same_label(name))
            store.save_settings(db, current_user.id, email=form["email"], mode=form["mode"], muted=muted)
            flash(_("Notification settings saved."))
            return redirect(url_for("notify.settings"))
    return render_template("notify/settings.html", form=form, errors=errors, events=events.settable(),
                           mail_enabled=notify.mail_enabled()), (422 if errors else 200)


@bp.route("/admin/outbox", methods=["GET", "POST"])
@requires("mail.outbox")
def outbox():
    """What mail waits, what was sent, and why the last try failed; "retry now"."""
    db = get_db()
    if request.method == "POST":
        n = store.retry_now(db)
        from fieldapp.ops import tasks

        tasks.deliver_mail.schedule(delay=1)
        flash(_("%(n)s message(s) will be tried again now.", n=n))
        return redirect(url_for("notify.outbox"))
    return render_template("notify/outbox.html", rows=store.outbox(db), counts=store.outbox_counts(db),
                           mail_enabled=notify.mail_enabled())


@bp.app_context_processor
def _bell_count():
    """``notify_unread()`` for the nav's bell: counted only when a page shows it."""
    def notify_unread() -> int:
        if not getattr(current_user, "is_authenticated", False):
            return 0
        return store.unread_count(get_db(), current_user.id)
    return {"notify_unread": notify_unread}
