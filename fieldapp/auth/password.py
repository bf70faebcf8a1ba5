"""Passwords: everyone changes their own; a temporary one must be changed at next login.

An admin-set or imported password carries ``must_change_password``; until it is
changed, every page sends the user to the change form (logout and language
switching still work).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from fieldapp.storage import audit_log, users
from fieldapp.storage.db import get_db

bp = Blueprint("password", __name__)

# endpoints a user who must change their password may still reach
OPEN_ENDPOINTS = {"password.change", "auth.logout", "auth.set_locale", "static",
                  "pwa.manifest", "pwa.service_worker", "auth.login"}
MIN_LENGTH = 8


@bp.before_app_request
def require_new_password():
    """Send a user holding a temporary password to the change form first."""
    if not current_user.is_authenticated or request.endpoint in OPEN_ENDPOINTS:
        return None
    if current_user.row.get("must_change_password"):
        return redirect(url_for("password.change"))
    return None


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change():
    """Change one's own password; other browsers and phones are logged out."""
    errors, db = {}, get_db()
    if request.method == "POST":
        current, new, again = (request.form.get(k, "") for k in ("current", "new", "again"))
        if not users.check_password(db, current_user.id, current):
            errors["current"] = _("This is not your current password.")
        if len(new) < MIN_LENGTH:
            errors["new"] = _("Use at least %(n)s characters.", n=MIN_LENGTH)
        elif new == current:
            errors["new"] = _("Choose a password different from the current one.")
        if not errors.get("new") and new != again:
            errors["again"] = _("The two new passwords differ.")
        if not errors:
            _change_password(db, current_user.id, new)
            flash(_("Your password is changed."))
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", errors=errors,
                           must_change=bool(current_user.row.get("must_change_password"))), \
        (422 if errors else 200)


def _change_password(db, user_id: int, new: str) -> None:
    """Store the new hash, end every session of the user, and keep this browser logged in."""
    from fieldapp.auth import sessions

    password_hash = users.hash_password(new)  # slow: outside the transaction
    with db.atomic():
        users.set_password_hash(db, user_id, password_hash, must_change=False)
        users.end_sessions(db, user_id)
        audit_log.record(db, actor_id=user_id, action="password_change", object_type="user",
                         object_id=user_id)
    sessions.begin(users.get_user(db, user_id))
