"""The public survey: customers answer by a store's QR link or a panel invitation.

No login. One page per stage (plain forms, no script needed), skip logic on
the server, Korean or English by ``?lang=``, a thank-you page. Every post is
counted against the address and store rate limits first; a filled honeypot
field is thanked and dropped; a store link takes one answer per device per
store per day (cookie). Panel links take one answer each, editable until the
round closes.
"""

from __future__ import annotations

import secrets

from flask import (Blueprint, abort, g, make_response, redirect, render_template, request, session,
                   url_for)

from fieldapp.storage import checklist_store
from fieldapp.storage import voice as store
from fieldapp.storage.db import get_db
from fieldapp.voice import guard, parts, workflow
from fieldapp.web.timefmt import today_local

bp = Blueprint("voice", __name__)

LANG_COOKIE = "cem_voice_lang"
HONEYPOT = "website"


@bp.before_request
def pick_language():
    lang = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if lang in ("ko", "en"):
        g.voice_locale = lang


@bp.before_request
def guard_posts():
    """Turn floods away before any work: a busy gate, then the address and store limits."""
    if request.method != "POST":
        return None
    if not guard.enter_gate():
        return guard.refusal("busy", 503)
    limit = guard.over_limit((request.view_args or {}).get("token", ""))
    return guard.refusal(limit, 429) if limit else None


@bp.teardown_request
def open_gate(_exc=None):
    guard.leave_gate()


@bp.after_request
def remember(response):
    if request.args.get("lang") in ("ko", "en"):
        response.set_cookie(LANG_COOKIE, request.args["lang"], max_age=365 * 24 * 3600, samesite="Lax")
    token, new = guard.device_token()
    if new and request.method == "POST":
        response.set_cookie(guard.DEVICE_COOKIE, token, max_age=guard.DEVICE_MAX_AGE, httponly=True,
                            samesite="Lax")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is the key: never leak it
    return response


def _link(token: str) -> dict:
    link = store.link_by_token(get_db(), token)
    if link is None:
        abort(404)
    return link


def _locale() -> str:
    from fieldapp.web.i18n import current_locale

    return current_locale()


def _response(db, link: dict, create: bool = False) -> dict | None:
    """This customer's answer for the link: the panel member's one, or this browser's draft."""
    if link["kind"] == "panel":
        key = f"panel:{link['id']}"
    else:
        key = session.get("voice", {}).get(link["token"])
    row = store.response_by_key(db, key) if key else None
    if row is None and create:
        key = key or secrets.token_urlsafe(18)
        store.create_response(db, link=link, resume_key=key, locale=_locale())
        session["voice"] = {**session.get("voice", {}), link["token"]: key}
        row = store.response_by_key(db, key)
    return row


def _closed(link):
    return render_template("voice/closed.html", link=link), 410


@bp.route("/v/<token>")
def start(token: str):
    link = _link(token)
    if not workflow.is_open(link, today_local()):
        return _closed(link)
    return redirect(url_for("voice.stage", token=token, index=0))


@bp.route("/v/<token>/<int:index>", methods=["GET", "POST"])
def stage(token: str, index: int):
    db = get_db()
    link = _link(token)
    if not workflow.is_open(link, today_local()):
        return _closed(link)
    checklist = checklist_store.load_pinned(db, link["checklist_row_id"])
    stages = parts.customer_stages(checklist)
    if not 0 <= index < len(stages):
        abort(404)
    response = _response(db, link)
    if response and response["status"] == "submitted" and link["kind"] == "store":
        return redirect(url_for("voice.thanks", token=token))
    answers = _answers(response)
    errors, typed = {}, {}
    if request.method == "POST":
        refused = _refuse_post(link)
        if refused is not None:
            return refused
        shown_before = {i.key for i in workflow.shown_items(checklist, stages[index], answers)}
        merged, errors = workflow.parse_stage(checklist, stages[index], answers, request.form)
        if not errors:
            response = response or _response(db, link, create=True)
            workflow.save_stage(db, response, link, merged, _locale())
            shown_now = {i.key for i in workflow.shown_items(checklist, stages[index], merged)}
            if shown_now - shown_before - set(merged):  # an answer here revealed a question here
                answers = merged
            else:
                return redirect(_next_url(token, checklist, stages, index, merged, +1))
        else:
            answers, typed = merged, request.form
    target = stages[index]
    return render_template("voice/stage.html", link=link, checklist=checklist, stage=target, index=index,
                           count=len(stages), all_items=parts.customer_items(target),
                           shown_keys={i.key for i in workflow.shown_items(checklist, target, answers)},
                           rules={i.key: i.relevant for i in checklist.items() if i.relevant},
                           order=[i.key for i in checklist.items()],
                           answers=answers, errors=errors, typed=typed, honeypot=HONEYPOT,
                           back=_next_url(token, checklist, stages, index, answers, -1) if index else None), \
        (422 if errors else 200)


def _answers(response) -> dict:
    import json

    return json.loads(response["answers_json"]) if response else {}


def _next_url(token, checklist, stages, index, answers, step) -> str:
    """The next (or previous) stage that asks anything given the answers, else the finish page."""
    i = index + step
    while 0 <= i < len(stages):
        if workflow.shown_items(checklist, stages[i], answers):
            return url_for("voice.stage", token=token, index=i)
        i += step
    return url_for("voice.finish", token=token) if step > 0 else url_for("voice.stage", token=token, index=0)


def _refuse_post(link):
    """A bot's post (the honeypot is filled): thank it and store nothing. Floods are
    refused earlier, in ``guard_posts``."""
    if request.form.get(HONEYPOT):
        return redirect(url_for("voice.thanks", token=link["token"]))
    return None


@bp.route("/v/<token>/finish", methods=["GET", "POST"])
def finish(token: str):
    db = get_db()
    link = _link(token)
    if not workflow.is_open(link, today_local()):
        return _closed(link)
    response = _response(db, link)
    if response is None:
        return redirect(url_for("voice.stage", token=token, index=0))
    if response["status"] == "submitted" and link["kind"] == "store":
        return redirect(url_for("voice.thanks", token=token))
    checklist = checklist_store.load_pinned(db, link["checklist_row_id"])
    missing = _first_missing(checklist, _answers(response))
    if missing is not None:
        return redirect(url_for("voice.stage", token=token, index=missing))
    errors = {}
    form = request.form if request.method == "POST" else {
        "consent": "1" if response["consent"] else "", "contact_name": response["contact_name"] or "",
        "contact": response["contact"] or ""}
    if request.method == "POST":
        refused = _refuse_post(link)
        if refused is not None:
            return refused
        consent = request.form.get("consent") == "1"
        name, contact = request.form.get("contact_name", ""), request.form.get("contact", "")
        if (name.strip() or contact.strip()) and not consent:
            errors["consent"] = "contact_without_consent"
        elif len(name) > workflow.CONTACT_MAX or len(contact) > workflow.CONTACT_MAX:
            errors["contact"] = "contact_too_long"
        else:
            device = None
            if link["kind"] == "store":
                token_value, _new = guard.device_token()
                device = guard.device_hash(token_value)
                if store.device_answered(db, device_hash=device, store_id=link["store_id"],
                                         local_day=today_local(), except_id=response["id"]):
                    return render_template("voice/refused.html", link=link, reason="device"), 409
            workflow.submit(db, response=response, link=link, checklist=checklist, device_hash=device,
                            local_day=today_local(), consent=consent, contact_name=name, contact=contact)
            return redirect(url_for("voice.thanks", token=token))
    return render_template("voice/finish.html", link=link, checklist=checklist, form=form, errors=errors,
                           honeypot=HONEYPOT, retention=link["retention_days"],
                           back=_next_url(token, checklist, parts.customer_stages(checklist),
                                          len(parts.customer_stages(checklist)), _answers(response), -1)), \
        (422 if errors else 200)


def _first_missing(checklist, answers) -> int | None:
    """The first stage with a required, relevant, unanswered item."""
    for i, stage in enumerate(parts.customer_stages(checklist)):
        if any(it.required and it.key not in answers for it in workflow.shown_items(checklist, stage, answers)):
            return i
    return None


@bp.route("/v/<token>/thanks")
def thanks(token: str):
    link = _link(token)
    return make_response(render_template("voice/thanks.html", link=link))
