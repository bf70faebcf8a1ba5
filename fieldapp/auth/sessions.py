"""Who is logged in: the User object, and sessions that end on the server.

Decision: one server-side row per browser (storage/sessions.py). The signed
cookie holds the user id and a random token; every request looks the token up
and compares the row's session version with the user's. Logout deletes this
browser's row only, so a cookie copied before logout stops working at once
while the same person's other phone stays logged in. ``users.end_sessions``
(password change, deactivation) ends them all.
"""

from __future__ import annotations

from flask import current_app, session
from flask_login import UserMixin, login_user, logout_user

from fieldapp.storage import sessions, users
from fieldapp.storage.db import get_db
from fieldapp.web.extensions import login_manager

TOKEN_KEY = "sid"


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
    """The session's user while its server-side row lives, else nobody."""
    row = sessions.session_user(get_db(), int(user_id), session.get(TOKEN_KEY))
    return User(row) if row else None


def begin(row: dict) -> None:
    """Start a fresh session for ``row`` in this browser (login, or after a password change)."""
    token = sessions.start_session(get_db(), row["id"],
                                   lifetime=current_app.config["PERMANENT_SESSION_LIFETIME"])
    session.clear()
    session.permanent = True
    session[TOKEN_KEY] = token
    login_user(User(row))


def end() -> None:
    """End this browser's session on the server and forget the cookie's content."""
    sessions.end_session(get_db(), session.get(TOKEN_KEY))
    logout_user()
    session.clear()


def end_all(user_id: int) -> None:
    """End every session of a user (the admin or password pages call this)."""
    users.end_sessions(get_db(), user_id)
