"""Customer-voice state changes, each one transaction: rounds, links, answers,
submission (with the detractor alert), moderation, follow-ups, erasure.

Routes parse the request and call these; SQL stays in ``storage/voice.py``.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta, timezone

from flask_babel import lazy_gettext as _l

from checklists import AnswerError, is_relevant, item_type, parse_answer
from fieldapp.notify import workflow as notify_workflow
from fieldapp.notify.events import register_event
from fieldapp.storage import audit_log
from fieldapp.storage import voice as store
from fieldapp.storage import voice_results
from fieldapp.voice.parts import NOT_FOR_CUSTOMERS, customer_items, response_parts

CONTACT_MAX = 200

register_event("voice_detractor", label=_l("A customer of my store is unhappy and left a comment"),
               title=_l("Unhappy customer at %(store)s: %(score)s/10"),
               body=_l("A customer of %(store)s scored %(score)s out of 10 and wrote: %(comment)s"))


def shown_items(checklist, stage, answers: dict) -> list:
    return [i for i in customer_items(stage) if is_relevant(i, answers, checklist)]


def detect_items(checklist) -> tuple[str | None, str | None]:
    """(NPS item, overall item): a 0-10 number item; a rating keyed ``overall*``,
    else the last required rating."""
    items = [i for i in checklist.items() if i.type not in NOT_FOR_CUSTOMERS]
    nps = next((i.key for i in items if i.type == "number" and i.min == 0 and i.max == 10), None)
    ratings = [i for i in items if i.type == "rating"]
    overall = next((i.key for i in ratings if i.key.startswith("overall")), None) or \
        next((i.key for i in reversed(ratings) if i.required), None)
    return nps, overall


def new_token() -> str:
    """An unguessable link token (128 bits)."""
    return secrets.token_urlsafe(16)


def create_round(db, *, org_id: int, checklist, checklist_row_id: int, title: str, starts_on: str,
                 ends_on: str, retention_days: int, store_ids: list[int], actor_id: int) -> int:
    nps, overall = detect_items(checklist)
    with db.atomic():
        round_id = store.create_round(db, org_id=org_id, checklist_row_id=checklist_row_id, title=title,
                                      starts_on=starts_on, ends_on=ends_on, retention_days=retention_days,
                                      nps_item=nps, overall_item=overall, created_by=actor_id)
        for store_id in store_ids:
            store.create_link(db, round_id=round_id, store_id=store_id, kind="store", token=new_token())
        audit_log.record(db, actor_id=actor_id, action="voice_round_create", object_type="voice_round",
                         object_id=round_id, detail=f"stores={len(store_ids)}")
    return round_id


def invite_panel(db, *, round_id: int, store_id: int, labels: list[str], actor_id: int) -> list[int]:
    """One personal link per panel member (one answer each)."""
    with db.atomic():
        ids = [store.create_link(db, round_id=round_id, store_id=store_id, kind="panel", token=new_token(),
                                 label=label[:80]) for label in labels]
        audit_log.record(db, actor_id=actor_id, action="voice_panel_invite", object_type="voice_round",
                         object_id=round_id, detail=f"store={store_id} n={len(ids)}")
    return ids


def close_round(db, round_id: int, actor_id: int) -> None:
    with db.atomic():
        store.close_round(db, round_id)
        audit_log.record(db, actor_id=actor_id, action="voice_round_close", object_type="voice_round",
                         object_id=round_id)


def is_open(link: dict, today: str) -> bool:
    return link["round_status"] == "open" and link["starts_on"] <= today <= link["ends_on"]


def parse_stage(checklist, stage, answers: dict, form) -> tuple[dict, dict]:
    """The stage's answers from a form: (new answers, {item key: AnswerError or "required"}).

    Items are read in order, so an item revealed by an answer on the same
    page is judged with that answer. Hidden items' old answers are dropped.
    """
    merged = dict(answers)
    errors: dict = {}
    for item in customer_items(stage):
        if not item_type(item.type).asks:
            continue
        if not is_relevant(item, merged, checklist):
            merged.pop(item.key, None)
            continue
        raw = form.get(item.key, "") if item.type != "multi_choice" else " ".join(form.getlist(item.key))
        try:
            value = parse_answer(item, raw, merged)
        except AnswerError as exc:
            errors[item.key] = exc
            continue
        if value is None:
            merged.pop(item.key, None)
        else:
            merged[item.key] = value
    for item in customer_items(stage):
        if item.required and item.key not in errors and item.key not in merged \
                and is_relevant(item, merged, checklist):
            errors[item.key] = "required"
    return merged, errors


def save_stage(db, response: dict, link: dict, answers: dict, locale: str) -> None:
    nps = answers.get(link["nps_item"]) if link["nps_item"] else None
    overall = answers.get(link["overall_item"]) if link["overall_item"] else None
    with db.atomic():
        store.save_answers(db, response["id"], answers, nps=None if nps is None else int(nps),
                           overall=overall, locale=locale)


def comments_of(checklist, answers: dict) -> list[tuple[str, str]]:
    """(item key, text) of the text answers: what the comment search indexes."""
    return [(i.key, str(answers[i.key])) for i in checklist.items()
            if i.type == "text" and str(answers.get(i.key) or "").strip()]


def submit(db, *, response: dict, link: dict, checklist, device_hash: str | None, local_day: str,
           consent: bool, contact_name: str, contact: str, when: datetime | None = None) -> bool:
    """Submit (or re-submit a panel member's edited) answer; alert on a commented detractor.

    Contact details are kept only with consent, until ``retention_days`` after now.
    :return: whether the store's managers were alerted.
    """
    when = when or datetime.now(timezone.utc)
    keep = consent and bool((contact_name or "").strip() or (contact or "").strip())
    erase_after = (when + timedelta(days=link["retention_days"])).isoformat(timespec="seconds") if keep else None
    answers = json.loads(store.response_by_key(db, response["resume_key"])["answers_json"])
    comments = comments_of(checklist, answers)
    nps = answers.get(link["nps_item"]) if link["nps_item"] else None
    alert = nps is not None and nps <= 6 and bool(comments) and not response.get("alerted_at")
    with db.atomic():
        store.submit(db, response["id"], device_hash=device_hash, local_day=local_day, consent=keep,
                     contact_name=(contact_name or "").strip()[:CONTACT_MAX] if keep else None,
                     contact=(contact or "").strip()[:CONTACT_MAX] if keep else None, erase_after=erase_after)
        store.index_comments(db, response["id"], comments)
        voice_results.write_parts(db, response["id"], response_parts(checklist, answers))
        if alert:
            alert_detractor(db, response=response, link=link, nps=int(nps), comments=comments)
    return alert


def alert_detractor(db, *, response: dict, link: dict, nps: int, comments) -> None:
    """Tell the store's managers about a detractor who left a comment (joins the caller's transaction)."""
    managers = [m["id"] for m in store.store_managers(db, link["store_id"])]
    params = {"store": link["store_name"], "score": nps, "comment": comments[0][1][:200],
              "response_id": response["id"]}
    link_url = f"/voice/responses/{response['id']}"
    notify_workflow.send(db, event="voice_detractor", recipients=managers, params=params, link=link_url)
    audit_log.record(db, actor_id=None, action="voice_detractor_alert", object_type="voice_response",
                     object_id=response["id"], detail=f"store={link['store_id']} nps={nps} managers={managers}")
    store.mark_alerted(db, response["id"])


def erase_expired_contacts(db, when: datetime | str | None = None) -> int:
    """Erase contact details whose retention period has ended; return how many answers changed.

    Called daily by the scheduled jobs and by ``fieldapp voice-erase``.
    """
    when = when or datetime.now(timezone.utc)
    stamp = when if isinstance(when, str) else when.astimezone(timezone.utc).isoformat(timespec="seconds")
    with db.atomic():
        n = store.erase_expired_contacts(db, stamp)
        if n:
            audit_log.record(db, actor_id=None, action="voice_contacts_erased", object_type="voice_response",
                             detail=f"n={n} at={stamp}")
    return n


def set_flag(db, response_id: int, *, flagged: bool, note: str, actor_id: int) -> None:
    with db.atomic():
        store.set_flag(db, response_id, flagged=flagged, note=note[:300])
        voice_results.recount(db, response_id)
        audit_log.record(db, actor_id=actor_id, action="voice_flag" if flagged else "voice_unflag",
                         object_type="voice_response", object_id=response_id, detail=note[:200])


def create_followup(db, *, response: dict, owner: str, due_date: str, note: str, actor_id: int) -> int:
    with db.atomic():
        fid = store.create_followup(db, response_id=response["id"], store_id=response["store_id"], owner=owner,
                                    due_date=due_date, note=note, created_by=actor_id)
        audit_log.record(db, actor_id=actor_id, action="voice_followup_create", object_type="voice_response",
                         object_id=response["id"], detail=f"followup={fid}")
    return fid


def finish_followup(db, followup: dict, *, actor_id: int) -> None:
    with db.atomic():
        store.finish_followup(db, followup["id"])
        audit_log.record(db, actor_id=actor_id, action="voice_followup_done", object_type="voice_response",
                         object_id=followup["response_id"], detail=f"followup={followup['id']}")
