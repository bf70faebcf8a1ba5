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
from fieldapp.storage import audit_log, users
from fieldapp.storage.db import get_db
from fieldapp.web.extensions import limiter

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField("username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=200)])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per 5 minutes", methods=["POST"], deduct_when=lambda r: r.status_code == 401)
def login():
    """Log in. Ten failed attempts from one address in five minutes lock it out for a while."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        row = users.authenticate(get_db(), form.username.data.strip(), form.password.data)
        if row:
            sessions.begin(row)
            with get_db().atomic():
                audit_log.record(get_db(), actor_id=row["id"], action="login",
                                 object_type="user", object_id=row["id"])
            return redirect(_safe_next(request.args.get("next")))
        error = _("Wrong username or password.")
    return render_template("auth/login.html", form=form, error=error), (401 if error else 200)


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
    return redirect(url_for("auth.login"))


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
