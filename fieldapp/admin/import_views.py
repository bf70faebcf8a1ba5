"""Bulk import on the admin pages: upload, see a preview (or the located problems), apply.

The preview page carries the file back in a hidden field, so applying needs no
server-side temporary state; it is checked again when applied.
"""

from __future__ import annotations

import base64
import binascii
import os

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fieldapp.admin import imports
from fieldapp.admin.views import bp
from fieldapp.auth.capabilities import has, requires
from fieldapp.storage.db import get_db
from fieldapp.web import labels

MAX_BYTES = 2 * 1024 * 1024
KINDS = {"stores": ("store.manage", imports.plan_stores, imports.import_stores),
         "users": ("user.manage", imports.plan_users, imports.import_users)}


def _kind(value: str | None) -> str:
    if value not in KINDS:
        abort(404)
    if not has(current_user.row, KINDS[value][0]):
        abort(403)
    return value


@bp.route("/admin/import")
@requires("store.manage")
def import_page():
    kind = _kind(request.args.get("kind", "stores"))
    return render_template("admin/import.html", kind=kind, columns=_columns(kind))


@bp.route("/admin/import/preview", methods=["POST"])
@requires("store.manage")
def import_preview():
    kind = _kind(request.form.get("kind"))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("admin/import.html", kind=kind, columns=_columns(kind),
                               error=_("Choose a CSV or XLSX file.")), 422
    filename = os.path.basename(upload.filename)[:120]
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return render_template("admin/import.html", kind=kind, columns=_columns(kind),
                               error=_("The file is too large.")), 413
    try:
        plan = KINDS[kind][1](get_db(), current_user.org_id, filename, data)
    except imports.ImportRefused as exc:
        return _refused(kind, exc)
    return render_template("admin/import.html", kind=kind, columns=_columns(kind), plan=plan,
                           payload=base64.b64encode(data).decode(), filename=filename)


@bp.route("/admin/import/apply", methods=["POST"])
@requires("store.manage")
def import_apply():
    kind = _kind(request.form.get("kind"))
    filename = os.path.basename(request.form.get("filename", ""))[:120] or "upload.csv"
    try:
        data = base64.b64decode(request.form.get("payload", ""), validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    if len(data) > MAX_BYTES:
        abort(413)
    try:
        plan = KINDS[kind][2](get_db(), current_user.org_id, filename, data, actor_id=current_user.id)
    except imports.ImportRefused as exc:
        return _refused(kind, exc)
    flash(_("Imported %(file)s: %(created)s new, %(updated)s changed, %(same)s unchanged.",
            file=filename, created=plan.count("create"), updated=plan.count("update"),
            same=plan.count("same")))
    if plan.passwords:
        response = make_response(render_template("admin/password_shown.html", person=None,
                                                 passwords=plan.passwords))
        response.headers["Cache-Control"] = "no-store"
        return response
    return redirect(url_for("admin.users_page" if kind == "users" else "admin.stores_page"))


def _refused(kind: str, exc: imports.ImportRefused):
    lines = [f"{exc.filename}:{p.row}: {p.column}: {labels.import_problem(p)}"
             for p in exc.problems[:imports.MAX_ERRORS]]
    return render_template("admin/import.html", kind=kind, columns=_columns(kind), problems=lines,
                           more=max(0, len(exc.problems) - imports.MAX_ERRORS)), 422


def _columns(kind: str) -> tuple:
    return imports.STORE_COLUMNS if kind == "stores" else imports.USER_COLUMNS
