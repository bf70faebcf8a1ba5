"""Telling people: the one function other features call, and the digest.

``send`` writes each recipient's inbox row and, when they want mail now, the
message itself into the outbox, in the caller's transaction; it never talks to
an SMTP server, so a request is never held up by mail. The background task in
``fieldapp.ops.tasks`` sends the outbox (``mailer.deliver_due``).
"""

from __future__ import annotations

from flask import current_app, has_app_context

from fieldapp.notify import events
from fieldapp.storage import notify as store

DEFAULT_LOCALE = "ko"


def mail_enabled() -> bool:
    """Whether SMTP is configured (``FIELDAPP_MAIL_HOST``); without it, in-app only."""
    return has_app_context() and bool(current_app.config.get("MAIL_HOST"))


def absolute(link: str | None) -> str:
    """A link for a mail: the app's ``BASE_URL`` (``FIELDAPP_BASE_URL``) plus the path."""
    if not link:
        return ""
    if "://" in link:
        return link
    base = (current_app.config.get("BASE_URL") if has_app_context() else None) or "http://127.0.0.1:5000"
    return base.rstrip("/") + link


def send(db, *, event: str, recipients: list[int], params: dict, link: str | None = None) -> list[int]:
    """Notify users of ``event``: an inbox row each, and mail as each one asked for.

    Needs an app context (for the mail settings and the recipients' languages).
    ``params`` are plain JSON values; a ``{"ko": ..., "en": ...}`` pair is shown in
    the reader's language. Users who muted the event get nothing (urgent events,
    such as a failed critical item, cannot be muted and are mailed at once even
    to digest readers). Joins the caller's transaction.

    :param link: an app path (``/actions/3``) the notification opens.
    :return: ids of the notifications written.
    """
    spec = events.EVENTS.get(event)
    urgent = bool(spec and spec.urgent)
    mailing = mail_enabled()
    ids, queued = [], False
    with db.atomic():
        for user in store.recipients(db, list(recipients)):
            if event in user["muted"] and not urgent:
                continue
            mail = "none"
            if mailing and user["email"] and user["mode"] != "off":
                mail = "queued" if (user["mode"] == "now" or urgent) else "digest"
            ids.append(store.add_notification(db, user_id=user["id"], event=event, params=params,
                                              link=link, mail=mail))
            if mail == "queued":
                locale = user["locale"] or DEFAULT_LOCALE
                title, body = events.render(event, params, locale)
                store.enqueue_mail(db, to_addr=user["email"], subject=title,
                                   body=_mail_body(body, link, locale), locale=locale)
                queued = True
    if queued:
        _kick_outbox()
    return ids


def _mail_body(body: str, link: str | None, locale: str) -> str:
    from flask_babel import force_locale
    from flask_babel import gettext as _

    with force_locale(locale):
        lines = [body, ""]
        if link:
            lines += [_("Open: %(url)s", url=absolute(link)), ""]
        lines.append(_("You get this because of your notification settings in the app."))
    return "\n".join(lines)


def _kick_outbox() -> None:
    """Ask the task queue to send soon (a second later: after the caller's commit)."""
    try:
        from fieldapp.ops import tasks

        tasks.deliver_mail.schedule(delay=1)
    except Exception:  # the periodic delivery picks it up within a minute anyway
        current_app.logger.warning("could not enqueue mail delivery", exc_info=True)


def send_digests(db, *, today: str) -> int:
    """One mail per digest reader with what collected since the last one; return how many."""
    from flask_babel import force_locale
    from flask_babel import gettext as _

    sent = 0
    for row in store.digest_due(db):
        user = next(iter(store.recipients(db, [row["user_id"]])), None)
        items = store.digest_items(db, row["user_id"])
        with db.atomic():
            if user and user["email"] and mail_enabled():
                locale = user["locale"] or DEFAULT_LOCALE
                lines = []
                for n in items:
                    title, _body = events.render(n["event"], n["params"], locale)
                    lines.append(f"- {title}" + (f"\n  {absolute(n['link'])}" if n["link"] else ""))
                with force_locale(locale):
                    subject = _("Your daily summary: %(n)s notification(s)", n=len(items))
                    footer = _("You get one summary a day because of your notification settings.")
                store.enqueue_mail(db, to_addr=user["email"], subject=subject,
                                   body="\n".join(lines + ["", footer]), locale=locale)
                sent += 1
            store.mark_digested(db, [n["id"] for n in items])
    if sent:
        _kick_outbox()
    return sent
