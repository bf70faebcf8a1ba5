"""Logging in and out, the current user, and the role check used by every view."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from fieldapp.storage import audit_log, users
from fieldapp.storage.db import get_db
from fieldapp.web.extensions import limiter, login_manager

bp = Blueprint("auth", __name__)


class User(UserMixin):
    """The logged-in user: a stored row plus what Flask-Login needs."""

    def __init__(self, row: dict):
        self.row = row
        self.id = row["id"]
        self.role = row["role"]
        self.username = row["username"]
        self.display_name = row["display_name"]
        self.org_id = row["org_id"]
        self.locale = row["locale"]
        self.mystery_shopper = bool(row["mystery_shopper"])


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    row = users.get_user(get_db(), int(user_id))
    return User(row) if row else None


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
            session.clear()
            session.permanent = True
            login_user(User(row))
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
    logout_user()
    session.clear()
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
