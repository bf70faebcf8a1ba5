"""Who may see or change a visit. One place, so every route asks the same way.

- auditors: their own visits; they edit only drafts and returned visits
- reviewers and admins: every visit of their organisation past draft
- managers: released visits of their own stores
- planners: no single visit (they work on aggregates)
"""

from __future__ import annotations

from flask import abort

from fieldapp.storage import stores, visits


def can_view(db, user: dict, visit: dict) -> bool:
    role = user["role"]
    if role == "auditor":
        return visit["auditor_id"] == user["id"]
    if role in ("reviewer", "admin"):
        return _same_org(db, user, visit) and (visit["status"] != "draft" or role == "admin")
    if role == "manager":
        return visit["status"] == "released" and visit["store_id"] in stores.visible_store_ids(db, user)
    return False


def can_edit(user: dict, visit: dict) -> bool:
    return (user["role"] == "auditor" and visit["auditor_id"] == user["id"]
            and visit["status"] in visits.EDITABLE)


def can_review(db, user: dict, visit: dict) -> bool:
    return user["role"] in ("reviewer", "admin") and _same_org(db, user, visit)


def visit_or_404(db, visit_id: int, user: dict, *, edit: bool = False) -> dict:
    """The visit if this user may see it (and edit it, when asked); 404 otherwise.

    A 404 rather than a 403 so ids of other people's visits reveal nothing.
    """
    visit = visits.get_visit(db, visit_id)
    if visit is None or not can_view(db, user, visit):
        abort(404)
    return visit


def _same_org(db, user: dict, visit: dict) -> bool:
    store = stores.get_store(db, visit["store_id"])
    return store is not None and store["org_id"] == user["org_id"]
