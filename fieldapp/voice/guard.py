"""Abuse guards for the public survey: rate limits, the device cookie, addresses.

Rate limits count posts per client address and per store in fixed ten-minute
windows, in their own SQLite file (``VOICE_RATE_DB``, default
``voice-rate.sqlite3`` beside the database), so refused floods never touch the main
database. Addresses are kept only as salted hashes.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from datetime import datetime, timezone

from flask import current_app, g, request

from fieldapp.storage import voice as store

WINDOW_MIN = 10
DEVICE_COOKIE = "cem_voice_device"
DEVICE_MAX_AGE = 400 * 24 * 3600
_local = threading.local()


def _hash(value: str) -> str:
    return hashlib.sha256((current_app.config["SECRET_KEY"] + "|" + value).encode()).hexdigest()[:32]


def _rate_db():
    path = current_app.config.get("VOICE_RATE_DB") or os.path.join(
        os.path.dirname(current_app.config["DATABASE"]), "voice-rate.sqlite3")
    conns = getattr(_local, "conns", None)
    if conns is None:
        conns = _local.conns = {}
    if path not in conns:
        conns[path] = store.rate_connect(path)
    return conns[path]


def window(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return now.replace(minute=now.minute - now.minute % WINDOW_MIN, second=0, microsecond=0) \
        .isoformat(timespec="minutes")


def over_limit(store_id: int, now: datetime | None = None) -> str | None:
    """Count this post; return ``"address"`` or ``"store"`` when that limit is exceeded."""
    conn, w = _rate_db(), window(now)
    address = request.remote_addr or "unknown"
    if store.rate_hit(conn, "a:" + _hash(address), w) > current_app.config.get("VOICE_RATE_PER_ADDRESS", 60):
        return "address"
    if store.rate_hit(conn, f"s:{store_id}", w) > current_app.config.get("VOICE_RATE_PER_STORE", 600):
        return "store"
    return None


def device_token() -> tuple[str, bool]:
    """(this browser's device token, whether it is new and must be set as a cookie)."""
    token = request.cookies.get(DEVICE_COOKIE, "")
    if 16 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum():
        return token, False
    if "voice_device" not in g:  # the same new token for the check and the cookie
        g.voice_device = secrets.token_urlsafe(18)
    return g.voice_device, True


def device_hash(token: str) -> str:
    return _hash("device:" + token)
