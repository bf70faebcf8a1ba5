"""Admin pages for people: create, edit, deactivate, and set a temporary password.

A form is checked by the same rules as a row of an imported users file
(``imports.check_user_values``), so the page and the file cannot disagree.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fieldapp.admin import imports
from fieldapp.admin.views import bp
from fieldapp.auth.capabilities import requires
from fieldapp.storage import audit_log, stores, users
from fieldapp.storage.db import get_db
from fieldapp.web import labels


@bp.route("/admin/users")
@requires("user.manage")
def users_page():
    return render_template("admin/users.html", people=users.org_users(get_db(), current_user.org_id))


@bp.route("/admin/users/new", methods=["GET", "POST"])
@requires("user.manage")
def user_new():
    db = get_db()
    form, errors = _form_values(None), {}
    if request.method == "POST":
        values, store_ids, errors = _check(db, request.form)
        form = request.form
        if not errors and users.get_by_username(db, request.form["username"].strip()):
            errors["username"] = str(labels.IMPORT_PROBLEMS["taken"])
        if not errors:
            password = imports.temporary_password()
            password_hash = users.hash_password(password)  # slow: outside the transaction
            with db.atomic():
                user_id = users.insert_user(db, org_id=current_user.org_id,
                                            username=request.form["username"].strip(),
                                            password_hash=password_hash,
                                            values=values, store_ids=store_ids, must_change=True)
                audit_log.record(db, actor_id=current_user.id, action="user_create",
                                 object_type="user", object_id=user_id)
            return _password_shown(users.get_any(db, user_id), password)
    return _form_page(db, None, form, errors)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@requires("user.manage")
def user_edit(user_id: int):
    db = get_db()
    person = _user_or_404(db, user_id)
    form, errors = _form_values(person, users.store_ids_of(db, user_id)), {}
    if request.method == "POST":
        data = request.form.to_dict()
        data["username"] = person["username"]
        values, store_ids, errors = _check(db, data, request.form.getlist("store_codes"))
        form = request.form
        if person["id"] == current_user.id and (not values["active"] or values["role"] != "admin"):
            errors["role"] = _("You cannot take away your own admin access.")
        if not errors:
            with db.atomic():
                users.update_user(db, user_id, values, store_ids=store_ids)
                if person["active"] and not values["active"]:
                    users.end_sessions(db, user_id)
                audit_log.record(db, actor_id=current_user.id,
                                 action="user_deactivate" if person["active"] and not values["active"]
                                 else "user_update", object_type="user", object_id=user_id)
            flash(_("Saved."))
            return redirect(url_for("admin.users_page"))
    return _form_page(db, person, form, errors)


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@requires("user.manage")
def user_password(user_id: int):
    """Give the user a temporary password (shown once) and end their sessions."""
    db = get_db()
    person = _user_or_404(db, user_id)
    if person["id"] == current_user.id:
        abort(400)  # one's own password goes through the change form
    password = imports.temporary_password()
    password_hash = users.hash_password(password)  # slow: outside the transaction
    with db.atomic():
        users.set_password_hash(db, user_id, password_hash, must_change=True)
        users.end_sessions(db, user_id)
        audit_log.record(db, actor_id=current_user.id, action="password_reset", object_type="user",
                         object_id=user_id)
    return _password_shown(person, password)


def _password_shown(person: dict, password: str):
    """The one page that shows a temporary password; never cached, never stored."""
    response = make_response(render_template("admin/password_shown.html", person=person,
                                             passwords=[(person["username"], password)]))
    response.headers["Cache-Control"] = "no-store"
    return response


def _user_or_404(db, user_id: int) -> dict:
    person = users.get_any(db, user_id)
    if person is None or person["org_id"] != current_user.org_id:
        abort(404)
    return person


def _check(db, data, codes=None):
    """Form -> (values, store ids, errors by field) by the import's rules."""
    record = {k: data.get(k, "") for k in imports.USER_COLUMNS}
    record["mystery_shopper"] = "yes" if data.get("mystery_shopper") else "no"
    record["active"] = "yes" if data.get("active") else "no"
    if codes is None:
        codes = data.getlist("store_codes") if hasattr(data, "getlist") else []
    record["stores"] = " ".join(codes)
    by_code = {s["code"]: s["id"] for s in stores.org_stores(db, current_user.org_id)}
    values, store_ids, problems = imports.check_user_values(record, by_code)
    errors = {}
    for p in problems:
        errors.setdefault("store_codes" if p.column == "stores" else p.column, labels.import_problem(p))
    return values, store_ids, errors


def _form_values(person: dict | None, store_ids=()) -> dict:
    if person is None:
        return {"role": "auditor", "active": "1", "store_codes": []}
    return {"username": person["username"], "display_name": person["display_name"],
            "role": person["role"], "language": person["locale"] or "",
            "mystery_shopper": "1" if person["mystery_shopper"] else "",
            "region": person["region"], "active": "1" if person["active"] else "",
            "store_ids": list(store_ids)}


def _form_page(db, person, form, errors):
    all_stores = stores.org_stores(db, current_user.org_id)
    if hasattr(form, "getlist"):
        chosen = set(form.getlist("store_codes"))
    else:
        ids = set(form.get("store_ids", []))
        chosen = {s["code"] for s in all_stores if s["id"] in ids}
    return render_template("admin/user_form.html", person=person, form=form, errors=errors,
                           roles=users.ROLES, stores=all_stores, chosen=chosen,
                           regions=stores.regions(db, current_user.org_id)), (422 if errors else 200)
