"""Who may do what: capabilities by name, declared once.

Routes say what they need (``@requires("visit.answer")``); the table below
says which roles hold each capability, and the object rules say which visit,
store or action a holder may touch. In the spirit of ODK Central's
``auth.canOrReject('submission.read')``: ask by name, never by role tuple.

Visits:
- auditors: their own visits; they edit only drafts and returned visits
- reviewers and admins: every visit of their organisation past draft
- managers: released visits of their own stores
- planners: no single visit (they work on aggregates)

Who sees an auditor's name: :func:`shows_auditor_name`, the one rule.
"""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user, login_required

from fieldapp.storage import stores, visits

# capability -> the roles that hold it
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in {
    "visit.start": {"auditor"},           # start an assigned or internal visit
    "visit.answer": {"auditor"},          # answer, time, photograph, submit
    "visit.read": {"auditor", "reviewer", "admin", "manager"},
    "visit.review": {"reviewer", "admin"},
    "assignment.manage": {"manager", "reviewer", "admin"},
    "report.read": {"manager", "reviewer", "admin"},
    "dashboard.read": {"manager", "reviewer", "admin"},
    "action.read": {"manager", "reviewer", "admin", "staff"},
    "action.manage": {"manager", "admin"},        # create, edit, reassign
    "action.work": {"manager", "admin", "staff"},  # comment, mark done (staff: their store's)
    "visit.dispute": {"manager"},                  # dispute a released visit's item
    "dispute.read": {"manager", "reviewer", "admin"},
    "dispute.decide": {"reviewer", "admin"},
    "notify.inbox": {"admin", "manager", "reviewer", "auditor", "planner", "staff"},
    "mail.outbox": {"admin"},
    "planner.use": {"planner", "admin"},
    "audit_log.read": {"admin"},
    "checklist.manage": {"admin"},        # upload, preview, publish, retire checklists
    "voice.manage": {"reviewer", "admin"},          # survey rounds, links, posters, moderation
    "voice.read": {"manager", "reviewer", "admin"},  # customer answers, comments, drivers
    "voice.followup": {"manager", "admin"},          # turn a detractor into a follow-up
    "user.manage": {"admin"},             # people, passwords, memberships, user imports
    "store.manage": {"admin"},            # stores, store imports, the organisation's settings
    "schedule.manage": {"admin", "reviewer"},  # programme coordinators: schedules, windows
    "job.claim": {"auditor"},             # take an open scheduled visit from the job board
}.items()}

# Roles that belong to a store and must never learn who shops it.
STORE_SIDE_ROLES = frozenset({"manager", "staff"})


def has(user, capability: str) -> bool:
    """Whether the user's role holds ``capability`` (no object check)."""
    return user["role"] in ROLE_CAPABILITIES[capability]


def requires(capability: str):
    """Let only logged-in users whose role holds ``capability`` in; others get 403."""
    roles = ROLE_CAPABILITIES[capability]  # a typo fails at import, not at request time

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.capability = capability
        wrapped.allowed_roles = tuple(sorted(roles))
        return wrapped

    return decorator


def can(db, user: dict, capability: str, obj: dict | None = None) -> bool:
    """Whether ``user`` may use ``capability`` on ``obj`` (a visit for ``visit.*``)."""
    if not has(user, capability):
        return False
    rule = _OBJECT_RULES.get(capability)
    return True if rule is None or obj is None else rule(db, user, obj)


def _visit_read(db, user: dict, visit: dict) -> bool:
    role = user["role"]
    if role == "auditor":
        return visit["auditor_id"] == user["id"]
    if role in ("reviewer", "admin"):
        return _same_org(db, user, visit) and (visit["status"] != "draft" or role == "admin")
    if role == "manager":
        return visit["status"] == "released" and visit["store_id"] in stores.visible_store_ids(db, user)
    return False


def _visit_answer(_db, user: dict, visit: dict) -> bool:
    return visit["auditor_id"] == user["id"] and visit["status"] in visits.EDITABLE


def _visit_review(db, user: dict, visit: dict) -> bool:
    return _same_org(db, user, visit)


_OBJECT_RULES = {"visit.read": _visit_read, "visit.answer": _visit_answer,
                 "visit.review": _visit_review}


def can_view(db, user: dict, visit: dict) -> bool:
    return can(db, user, "visit.read", visit)


def can_edit(user: dict, visit: dict) -> bool:
    return can(None, user, "visit.answer", visit)


def can_review(db, user: dict, visit: dict) -> bool:
    return can(db, user, "visit.review", visit)


def visit_or_404(db, visit_id: int, user: dict, *, edit: bool = False) -> dict:
    """The visit if this user may see it; 404 otherwise.

    A 404 rather than a 403 so ids of other people's visits reveal nothing.
    """
    visit = visits.get_visit(db, visit_id)
    if visit is None or not can_view(db, user, visit):
        abort(404)
    return visit


def shows_auditor_name(viewer_role: str, row: dict) -> bool:
    """Whether a viewer may see who audited ``row`` (a visit, or an event by its auditor).

    The store's side never sees a mystery shopper: not on a covert visit, and
    not on an overt visit by a person who also shops covertly (keyed on the
    person, not the visit), on any page, export or PDF.
    """
    if viewer_role not in STORE_SIDE_ROLES:
        return True
    # Fails closed: a row that does not say whether its auditor shops covertly is hidden.
    return not (row.get("covert") or row.get("auditor_mystery_shopper", True))


def auditor_label(viewer_role: str, row: dict, name_key: str = "auditor_name") -> str:
    """The auditor's name, or "mystery shopper" where :func:`shows_auditor_name` says no."""
    return row.get(name_key) or "" if shows_auditor_name(viewer_role, row) else _("mystery shopper")


def _same_org(db, user: dict, visit: dict) -> bool:
    store = stores.get_store(db, visit["store_id"])
    return store is not None and store["org_id"] == user["org_id"]
