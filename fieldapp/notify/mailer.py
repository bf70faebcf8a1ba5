"""Sending the outbox over SMTP with the standard library (``smtplib`` and
``email.message.EmailMessage``): no extra dependency for one protocol.

Each message is leased, sent, and marked sent; a failure counts an attempt
and pushes the next one back (30 s doubling, at most an hour). Nothing is
ever dropped; the admin sees what waits on ``/admin/outbox``.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from fieldapp.storage import notify as store


def settings(config) -> dict | None:
    """SMTP settings from ``MAIL_*`` (``FIELDAPP_MAIL_*``), or None when no host is set."""
    host = config.get("MAIL_HOST")
    if not host:
        return None
    return {"host": host, "port": int(config.get("MAIL_PORT") or 25),
            "user": config.get("MAIL_USER") or "", "password": config.get("MAIL_PASSWORD") or "",
            "from": config.get("MAIL_FROM") or "cem-fieldapp@localhost",
            "starttls": str(config.get("MAIL_STARTTLS", "")).lower() in ("1", "true", "yes", "on"),
            "timeout": float(config.get("MAIL_TIMEOUT") or 10)}


def message(row: dict, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = row["to_addr"]
    msg["Subject"] = row["subject"]
    msg["Message-ID"] = make_msgid(idstring=f"outbox-{row['id']}")
    msg["X-Fieldapp-Outbox-Id"] = str(row["id"])
    msg.set_content(row["body"])
    msg["Content-Language"] = row["locale"]  # after set_content, which resets Content-* headers
    return msg


def deliver_due(db, config) -> dict:
    """Send every due message once; return counts ``{"sent", "failed"}``."""
    conf = settings(config)
    counts = {"sent": 0, "failed": 0}
    if conf is None:
        return counts
    rows = store.claim_due_mail(db)
    if not rows:
        return counts
    try:
        smtp = _connect(conf)
    except (OSError, smtplib.SMTPException) as exc:
        for row in rows:
            store.mark_failed(db, row["id"], f"{type(exc).__name__}: {exc}")
        counts["failed"] = len(rows)
        return counts
    try:
        for row in rows:
            try:
                smtp.send_message(message(row, conf["from"]))
            except (OSError, smtplib.SMTPException) as exc:
                store.mark_failed(db, row["id"], f"{type(exc).__name__}: {exc}")
                counts["failed"] += 1
            else:
                store.mark_sent(db, row["id"])
                counts["sent"] += 1
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return counts


def _connect(conf: dict) -> smtplib.SMTP:
    smtp = smtplib.SMTP(conf["host"], conf["port"], timeout=conf["timeout"])
    if conf["starttls"]:
        smtp.starttls(context=ssl.create_default_context())
    if conf["user"]:
        smtp.login(conf["user"], conf["password"])
    return smtp
