"""Reminders for open actions: due tomorrow (to the owner) and overdue (to the owner
and the store's managers), each sent once per action and due date, whoever runs
it and however often (the periodic task runs hourly)."""

from __future__ import annotations

from datetime import date, timedelta

from fieldapp.actions import workflow
from fieldapp.notify import workflow as notify
from fieldapp.storage import actions as action_store
from fieldapp.storage import notify as notify_store

KINDS = (("due_tomorrow", "action_due_tomorrow"), ("overdue", "action_overdue"))


def remind(db, *, today: str) -> dict[str, int]:
    """Send the reminders due ``today`` (a local date); return how many of each kind."""
    tomorrow = (date.fromisoformat(today) + timedelta(days=1)).isoformat()
    counts = {}
    for kind, event in KINDS:
        counts[kind] = 0
        for action in action_store.due_for_reminder(db, kind=kind, today=today, tomorrow=tomorrow):
            with db.atomic():
                if not action_store.remember_reminder(db, action["id"], kind, action["due_date"]):
                    continue
                people = {action["owner_id"]} if action["owner_id"] else set()
                if kind == "overdue":
                    people |= set(notify_store.store_managers(db, action["store_id"]))
                notify.send(db, event=event, recipients=sorted(people),
                            params=workflow.params_of(db, action), link=workflow.link(action["id"]))
                counts[kind] += 1
    return counts
