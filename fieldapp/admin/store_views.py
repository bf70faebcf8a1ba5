"""Admin pages for stores and the organisation's settings (name, time zone).

A store form is checked by the same rules as a row of an imported stores file.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fieldapp.admin import imports
from fieldapp.admin.views import bp
from fieldapp.auth.capabilities import requires
from fieldapp.storage import audit_log, stores
from fieldapp.storage.db import get_db
from fieldapp.web import labels, timefmt

COMMON_ZONES = ("Asia/Seoul", "Asia/Tokyo", "Asia/Shanghai", "Asia/Singapore", "Europe/London",
                "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC")


@bp.route("/admin/stores")
@requires("store.manage")
def stores_page():
    return render_template("admin/stores.html", stores=stores.org_stores(get_db(), current_user.org_id))


@bp.route("/admin/stores/new", methods=["GET", "POST"])
@requires("store.manage")
def store_new():
    return _store_form(None)


@bp.route("/admin/stores/<int:store_id>", methods=["GET", "POST"])
@requires("store.manage")
def store_edit(store_id: int):
    store = stores.get_store(get_db(), store_id)
    if store is None or store["org_id"] != current_user.org_id:
        abort(404)
    return _store_form(store)


def _store_form(store: dict | None):
    db = get_db()
    form = {k: ("" if v is None else v) for k, v in (store or {"store_type": "standard"}).items()}
    errors = {}
    if request.method == "POST":
        form = request.form.to_dict()
        if store:
            form["code"] = store["code"]
        values, problems = imports.check_store_values(form)
        for p in problems:
            errors.setdefault(p.column, labels.import_problem(p))
        code = values.pop("code")
        other = stores.get_by_code(db, current_user.org_id, code) if code else None
        if other and (store is None or other["id"] != store["id"]):
            errors["code"] = labels.import_problem(imports.Problem(0, "code", "taken"))
        if not errors:
            with db.atomic():
                if store:
                    stores.update_store(db, store["id"], values)
                    store_id = store["id"]
                else:
                    store_id = stores.insert_store(db, current_user.org_id, code, values)
                audit_log.record(db, actor_id=current_user.id,
                                 action="store_update" if store else "store_create",
                                 object_type="store", object_id=store_id)
            flash(_("Saved."))
            return redirect(url_for("admin.stores_page"))
    return render_template("admin/store_form.html", store=store, form=form, errors=errors), \
        (422 if errors else 200)


@bp.route("/admin/settings", methods=["GET", "POST"])
@requires("store.manage")
def settings_page():
    """The organisation's name and time zone (dates everywhere are shown in it)."""
    db = get_db()
    org = stores.get_organisation(db, current_user.org_id)
    form, errors = dict(org), {}
    if request.method == "POST":
        form = request.form.to_dict()
        name, zone = form.get("name", "").strip(), form.get("timezone", "").strip()
        if not name:
            errors["name"] = labels.import_problem(imports.Problem(0, "name", "empty"))
        if not timefmt.is_zone(zone):
            errors["timezone"] = _("Enter a time zone name such as Asia/Seoul.")
        if not errors:
            with db.atomic():
                stores.update_organisation(db, org["id"], name=name[:120], timezone=zone)
                audit_log.record(db, actor_id=current_user.id, action="settings_update",
                                 object_type="organisation", object_id=org["id"],
                                 detail=f"timezone={zone}")
            flash(_("Saved."))
            return redirect(url_for("admin.settings_page"))
    return render_template("admin/settings.html", form=form, errors=errors, zones=COMMON_ZONES), \
        (422 if errors else 200)
