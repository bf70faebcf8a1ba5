"""Settings: safe defaults, then instance/config.py, then FIELDAPP_* environment."""

from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask

DEFAULTS = {
    "DATABASE_NAME": "cem.sqlite3",
    "PHOTO_DIR_NAME": "photos",
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,  # one phone photo, with room to spare
    "PHOTO_MAX_PX": 1600,
    "PHOTO_THUMB_PX": 320,
    "BABEL_DEFAULT_LOCALE": "ko",
    "LANGUAGES": ("ko", "en"),
    "WTF_CSRF_TIME_LIMIT": None,  # an audit may take hours on one page
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    # Set FIELDAPP_SESSION_COOKIE_SECURE=true when served over HTTPS (always, in stores);
    # off by default so `make run` on http://127.0.0.1 can log in.
    "SESSION_COOKIE_SECURE": False,
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
}


def load(app: Flask, test_config: dict | None) -> None:
    """Fill ``app.config`` and make sure the instance folder exists."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("FIELDAPP")
    else:
        app.config.from_mapping(test_config)
    app.config.setdefault("DATABASE", os.path.join(app.instance_path, app.config["DATABASE_NAME"]))
    app.config.setdefault("PHOTO_DIR", os.path.join(app.instance_path, app.config["PHOTO_DIR_NAME"]))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))


def _instance_secret(instance: Path) -> str:
    """Keep one random secret per installation so sessions survive restarts.

    Created with O_EXCL so that two server processes starting together agree
    on one secret instead of each writing its own.
    """
    path = instance / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    for _ in range(50):  # the other process may still be writing it
        secret = path.read_text().strip()
        if secret:
            return secret
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty")
