"""The audit log in words a person reads: actions, objects and details, both languages.

Stored entries keep their codes (``action_verified``, ``score=75.23364486``);
only the page and its CSV turn them into sentences and rounded numbers.
Unknown codes fall back to the code with spaces, never to an error.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

ACTIONS = {
    "login": _l("logged in"), "password_change": _l("changed their password"),
    "password_reset": _l("set a temporary password"), "user_create": _l("created a person"),
    "user_update": _l("edited a person"), "user_deactivate": _l("deactivated a person"),
    "store_create": _l("created a store"), "store_update": _l("edited a store"),
    "settings_update": _l("changed the organisation settings"),
    "import_stores": _l("imported stores"), "import_users": _l("imported people"),
    "assign": _l("assigned a visit"), "claim": _l("claimed a visit from the job board"),
    "schedule_create": _l("created a schedule"), "schedule_run": _l("planned scheduled visits"),
    "schedule_pause": _l("paused a schedule"), "schedule_resume": _l("resumed a schedule"),
    "window_extend": _l("extended a visit window"),
    "start": _l("started a visit"), "submit": _l("submitted a visit"),
    "approve": _l("approved a visit"), "return": _l("returned a visit"),
    "comment": _l("commented"), "action_create": _l("opened a corrective action"),
    "action_done": _l("marked an action done"), "action_verified": _l("verified an action"),
    "action_reopened": _l("reopened an action"), "action_comment": _l("commented on an action"),
    "action_reassign": _l("reassigned an action"),
    "calibrate": _l("built a baseline from field data"), "cancel": _l("cancelled a simulation"),
    "export": _l("downloaded"), "export_pdf": _l("downloaded a PDF"),
    "backup": _l("made a backup"), "restore": _l("restored a backup"),
    "checklist_upload": _l("uploaded a checklist"), "checklist_publish": _l("published a checklist"),
    "checklist_retire": _l("retired a checklist"),
    "checklist_store_types": _l("chose a checklist's store types"),
    "clock_correct": _l("corrected a stopwatch mark"), "clock_undo": _l("undid a stopwatch mark"),
    "scenario_create": _l("created a what-if scenario"), "scenario_edit": _l("changed a what-if scenario"),
}
OBJECTS = {
    "visit": _l("visit"), "user": _l("person"), "store": _l("store"), "stores": _l("stores"),
    "users": _l("people"), "assignment": _l("assignment"), "schedule": _l("schedule"),
    "action": _l("action"), "organisation": _l("organisation"), "dashboard": _l("dashboard"),
    "period": _l("period report"), "planner_scenario": _l("what-if scenario"),
    "sim_job": _l("simulation"), "backup": _l("backup"), "checklist": _l("checklist"),
    "audit_log": _l("audit log"),
}
DETAIL_KEYS = {
    "score": _l("score"), "file": _l("file"), "created": _l("new"), "updated": _l("changed"),
    "slots": _l("visits planned"), "assigned": _l("assigned"), "slot": _l("slot"),
    "visit": _l("visit"), "item": _l("item"), "owner": _l("owner"), "photo": _l("photo"),
    "store": _l("store"), "timezone": _l("time zone"), "until": _l("until"),
}
PAIR = re.compile(r"(\w+)=(\S+)")


def action_words(code: str) -> str:
    return str(ACTIONS.get(code, code.replace("_", " ")))


def object_words(code: str) -> str:
    return str(OBJECTS.get(code, code.replace("_", " ")))


def detail_words(detail: str) -> str:
    """``score=75.23364486 visit=3`` -> ``score 75.2, visit 3`` (keys in the user's language)."""
    if not detail or not PAIR.search(detail):
        return detail or ""

    def one(match: re.Match) -> str:
        key, value = match.group(1), match.group(2)
        try:
            number = float(value)
            value = f"{number:.1f}" if not number.is_integer() else str(int(number))
        except ValueError:
            pass
        return f"{DETAIL_KEYS.get(key, key)} {value},"

    return PAIR.sub(one, detail).rstrip(",").replace(", ", ", ").strip().rstrip(",")
