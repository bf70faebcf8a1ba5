"""Admin pages for checklists: upload (YAML or XLSForm), located errors, preview as
the phone shows it, versions and what changed, publish, retire, store types, XLSX."""

from __future__ import annotations

import io
import json
import os
import tempfile

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from checklists import relevant_keys
from checklists.xlsform_write import write_xlsform
from fieldapp.auth.capabilities import requires
from fieldapp.checklist_admin import changes, workflow
from fieldapp.storage import audit_log, checklist_store
from fieldapp.storage.db import get_db

bp = Blueprint("checklist_admin", __name__)


@bp.route("/admin/checklists")
@requires("checklist.manage")
def index():
    return _index_page()


@bp.route("/admin/checklists/upload", methods=["POST"])
@requires("checklist.manage")
def upload():
    """Load the file; refused: the loader's lines on the page, nothing stored."""
    file = request.files.get("file")
    if file is None or not file.filename:
        return _index_page(errors=[_("Choose a checklist file (.yaml, .xlsx or .xls).")]), 422
    try:
        checklist = workflow.read_upload(file.filename, file.read(),
                                         skip_unsupported=request.form.get("skip") == "1")
    except workflow.UploadRefused as exc:
        return _index_page(errors=exc.lines, skip=request.form.get("skip") == "1"), 422
    db = get_db()
    row_id, new = workflow.upload(db, checklist, actor_id=current_user.id)
    flash(_("Uploaded as a draft: preview it, then publish.") if new
          else _("This exact checklist is stored already."))
    if new and any(v["version"] == checklist.version and v["id"] != row_id
                   for v in checklist_store.versions_of(db, checklist.id)):
        flash(_("Version %(n)s of this checklist is stored already with other content: raise "
                "the version in the file so that reports can tell them apart.",
                n=checklist.version))
    return redirect(url_for("checklist_admin.show", row_id=row_id))


@bp.route("/admin/checklists/<int:row_id>")
@requires("checklist.manage")
def show(row_id: int):
    db = get_db()
    row = _row_or_404(db, row_id)
    versions = checklist_store.versions_of(db, row["checklist_id"])
    older = [v for v in versions if v["id"] < row_id]
    return render_template("checklist_admin/show.html", row=row, versions=versions,
                           against=older[0]["id"] if older else None,
                           notes=checklist_store.import_notes(row),
                           checklist=checklist_store.load_pinned(db, row_id),
                           store_types=_store_types(db), chosen=row["store_types"].split())


@bp.route("/admin/checklists/<int:row_id>/preview")
@requires("checklist.manage")
def preview(row_id: int):
    """Every stage on one page with the phone's widgets; skip logic runs in the page
    (static/relevance.js), nothing is saved."""
    db = get_db()
    row = _row_or_404(db, row_id)
    checklist = checklist_store.load_pinned(db, row_id)
    rules = {i.key: i.relevant for i in checklist.items() if i.relevant}
    return render_template("checklist_admin/preview.html", row=row, checklist=checklist,
                           asked=relevant_keys(checklist, {}),
                           rules_json=json.dumps(rules, ensure_ascii=False),
                           order_json=json.dumps([i.key for i in checklist.items()]))


@bp.route("/admin/checklists/<int:row_id>/changes")
@requires("checklist.manage")
def compare(row_id: int):
    """What changed from version ``from`` (default: the one stored before) to this one."""
    db = get_db()
    row = _row_or_404(db, row_id)
    versions = checklist_store.versions_of(db, row["checklist_id"])
    old_id = request.args.get("from", type=int)
    if old_id is None:
        older = [v for v in versions if v["id"] < row_id]
        old_id = older[0]["id"] if older else None
    old = next((v for v in versions if v["id"] == old_id), None)
    if old is None:
        return render_template("checklist_admin/changes.html", row=row, old=None,
                               versions=versions, diff=None)
    diff = changes.compare(checklist_store.load_pinned(db, old["id"]),
                           checklist_store.load_pinned(db, row_id))
    return render_template("checklist_admin/changes.html", row=row, old=old, versions=versions,
                           diff=diff, new_cl=checklist_store.load_pinned(db, row_id))


@bp.route("/admin/checklists/<int:row_id>/publish", methods=["POST"])
@requires("checklist.manage")
def publish(row_id: int):
    db = get_db()
    _row_or_404(db, row_id)
    workflow.publish(db, row_id, actor_id=current_user.id)
    flash(_("Published: offered for new visits and assignments."))
    return redirect(url_for("checklist_admin.show", row_id=row_id))


@bp.route("/admin/checklists/<int:row_id>/retire", methods=["POST"])
@requires("checklist.manage")
def retire(row_id: int):
    db = get_db()
    _row_or_404(db, row_id)
    workflow.retire(db, row_id, actor_id=current_user.id)
    flash(_("Retired: no longer offered; visits started with it keep it."))
    return redirect(url_for("checklist_admin.show", row_id=row_id))


@bp.route("/admin/checklists/<int:row_id>/store-types", methods=["POST"])
@requires("checklist.manage")
def store_types(row_id: int):
    db = get_db()
    _row_or_404(db, row_id)
    known = set(_store_types(db))
    chosen = [t for t in request.form.getlist("store_type") if t]
    unknown = [t for t in chosen if t not in known]
    if unknown:
        abort(400, _("Unknown store type: %(name)s", name=unknown[0]))
    workflow.set_store_types(db, row_id, chosen, actor_id=current_user.id)
    flash(_("Store types saved."))
    return redirect(url_for("checklist_admin.show", row_id=row_id))


@bp.route("/admin/checklists/<int:row_id>/xlsx")
@requires("checklist.manage")
def download_xlsx(row_id: int):
    """The version as an XLSForm to edit in Excel and upload again."""
    db = get_db()
    row = _row_or_404(db, row_id)
    checklist = checklist_store.load_pinned(db, row_id)
    with tempfile.TemporaryDirectory(prefix="checklist-xlsx-") as folder:
        path = os.path.join(folder, "out.xlsx")
        write_xlsform(checklist, path)
        with open(path, "rb") as fh:
            data = fh.read()
    audit_log.record_export(db, actor_id=current_user.id, object_type="checklist",
                            object_id=row_id, detail="xlsx")
    name = f"{row['checklist_id']}-v{row['version']}.xlsx"
    return send_file(io.BytesIO(data), as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _index_page(errors=None, skip=False):
    db = get_db()
    groups: dict[str, list] = {}
    for row in checklist_store.all_versions(db):
        groups.setdefault(row["checklist_id"], []).append(row)
    return render_template("checklist_admin/index.html", groups=groups, errors=errors or [],
                           skip=skip)


def _row_or_404(db, row_id: int) -> dict:
    row = checklist_store.checklist_row(db, row_id)
    if row is None:
        abort(404)
    return row


def _store_types(db) -> list[str]:
    return checklist_store.store_types_in_use(db, current_user.org_id)
