"""The home page: one per role, each showing what that user acts on first."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from fieldapp.storage import assignments, checklist_store, stores, visits
from fieldapp.storage.db import get_db
from fieldapp.web.timefmt import today_local

bp = Blueprint("home", __name__)


@bp.route("/")
def root():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("home.index"))


@bp.route("/home")
@login_required
def index():
    db = get_db()
    user = current_user.row
    context = {"role": current_user.role}
    if current_user.role == "auditor":
        context["assignments"] = assignments.open_for_auditor(db, current_user.id, today_local())
        context["my_visits"] = visits.visits_of_auditor(db, current_user.id, limit=20)
        from fieldapp.storage import review_queue

        returned = [v for v in context["my_visits"] if v["status"] == "returned"]
        notes = review_queue.return_notes(db, [v["id"] for v in returned])
        context["returned"] = [dict(v, return_note=notes.get(v["id"], "")) for v in returned]
    elif current_user.role == "manager":
        store_ids = stores.visible_store_ids(db, user)
        context["stores"] = stores.stores_by_ids(db, store_ids)
        context["released"] = visits.visits_in_stores(db, store_ids, ("released",), limit=15)
    elif current_user.role == "reviewer":
        store_ids = stores.visible_store_ids(db, user)
        context["queue"] = visits.visits_in_stores(db, store_ids, ("submitted",), limit=100)
        from fieldapp.storage import review_queue

        context["flags"] = review_queue.queue_flags(db, [v["id"] for v in context["queue"]])
        context["recent"] = visits.visits_in_stores(db, store_ids, ("released", "returned"), limit=10)
    elif current_user.role == "staff":  # store staff: their actions first, then the store's
        from fieldapp.home.staff import staff_context

        context.update(staff_context(db, user))
    elif current_user.role == "planner":
        from datetime import date

        from fieldapp.planner import outcomes, words

        context["stores"] = stores.org_stores(db, current_user.org_id)
        context["outcomes"] = outcomes.for_home(db, current_user.org_id, date.fromisoformat(today_local()))
        context["pw"] = words
    else:
        context["stores"] = stores.org_stores(db, current_user.org_id)
        context["checklists"] = checklist_store.latest_checklists(db)
    return render_template(f"home/{current_user.role}.html", **context)
