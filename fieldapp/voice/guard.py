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


def over_limit(link_token: str, now: datetime | None = None) -> str | None:
    """Count this post; return ``"address"`` or ``"store"`` when that limit is exceeded.

    The store limit counts per link (a store's QR link, or one panel member's),
    so the check needs nothing from the main database.
    """
    conn, w = _rate_db(), window(now)
    address = request.remote_addr or "unknown"
    if store.rate_hit(conn, "a:" + _hash(address), w) > current_app.config.get("VOICE_RATE_PER_ADDRESS", 60):
        return "address"
    if store.rate_hit(conn, "s:" + _hash(link_token), w) > current_app.config.get("VOICE_RATE_PER_STORE", 600):
        return "store"
    return None


_gate_lock = threading.Lock()


def enter_gate() -> bool:
    """Take one of the process's few slots for public posts (``VOICE_MAX_CONCURRENT``, default 2).

    Without a free slot the post is turned away at once, so a flood can hold at
    most that many of a worker's threads and the auditors always find one free.
    """
    gate = getattr(current_app, "_voice_gate", None)
    if gate is None:
        with _gate_lock:
            gate = getattr(current_app, "_voice_gate", None)
            if gate is None:
                gate = current_app._voice_gate = threading.BoundedSemaphore(
                    current_app.config.get("VOICE_MAX_CONCURRENT", 2))
    if not gate.acquire(blocking=False):
        return False
    g.voice_gate = gate
    return True


def leave_gate() -> None:
    gate = g.pop("voice_gate", None)
    if gate is not None:
        gate.release()


def refusal(reason: str, status: int):
    """A small page for a refused post: no template, no database, cheap under a flood."""
    from markupsafe import escape

    from fieldapp.web.labels import voice_error

    body = ('<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">'
            f'<link rel="stylesheet" href="/static/voice.css"><title>429</title></head><body class="voice">'
            f'<main class="v-page"><div class="v-done"><p class="v-intro" role="alert">{escape(voice_error(reason))}'
            '</p></div></main></body></html>')
    return current_app.response_class(body, status=status, headers={"Retry-After": "60" if status == 429 else "5"},
                                      mimetype="text/html")


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
