"""Logging in and out, the current user, and the role check used by every view."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from fieldapp.auth import sessions
from fieldapp.storage import audit_log, logins, users
from fieldapp.storage.db import get_db

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField("username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=200)])


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in. Failed attempts per address and per account make the next try wait (storage/logins.py)."""
    form = LoginForm()
    error, status, headers = None, 200, {}
    if form.validate_on_submit():
        db, username = get_db(), form.username.data.strip()
        wait = logins.wait_seconds(db, request.remote_addr, username)
        if wait > 0:
            error = _("Too many failed logins. Try again in %(minutes)s min.",
                      minutes=max(1, (wait + 59) // 60))
            status, headers = 429, {"Retry-After": str(wait)}
        elif row := users.authenticate(db, username, form.password.data):
            logins.record_success(db, username)
            sessions.begin(row)
            with db.atomic():
                audit_log.record(db, actor_id=row["id"], action="login",
                                 object_type="user", object_id=row["id"])
            return redirect(_safe_next(request.args.get("next")))
        else:
            logins.record_failure(db, request.remote_addr, username)
            error, status = _("Wrong username or password."), 401
    return render_template("auth/login.html", form=form, error=error), status, headers


def _safe_next(target: str | None) -> str:
    """Follow ?next= only to a path on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("home.index")


@bp.route("/logout", methods=["POST"])
def logout():
    """End this browser's session on the server: a copy of its cookie stops working too."""
    sessions.end()
    flash(_("You are logged out."))
    response = redirect(url_for("auth.login"))
    # The phone forgets this user's cached pages, photos and outbox (app.js does it too,
    # asking first when saves are unsent); the next person starts clean.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


class LocaleForm(FlaskForm):
    pass


@bp.route("/locale/<code>", methods=["POST"])
@login_required
def set_locale(code: str):
    """Remember the user's language (ko or en) on their account."""
    if code not in ("ko", "en"):
        abort(404)
    form = LocaleForm()
    if not form.validate_on_submit():
        abort(400)
    users.set_locale(get_db(), current_user.id, code)
    return redirect(_safe_next(request.referrer and urlsplit(request.referrer).path))
