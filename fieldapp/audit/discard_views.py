"""Discard a visit started by mistake, while nothing has been recorded on it (audit-logged)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from fieldapp.audit.views import bp
from fieldapp.auth import capabilities
from fieldapp.auth.capabilities import requires
from fieldapp.storage import discards
from fieldapp.storage.db import get_db


@bp.route("/visits/<int:visit_id>/discard", methods=["POST"])
@requires("visit.answer")
def discard(visit_id: int):
    db = get_db()
    row = capabilities.visit_or_404(db, visit_id, current_user.row)
    if row["auditor_id"] != current_user.id or not capabilities.can_edit(current_user.row, row):
        abort(409, _("Only a visit with nothing recorded on it can be discarded."))
    if not discards.discard_visit(db, visit_id, current_user.id):
        abort(409, _("Only a visit with nothing recorded on it can be discarded."))
    flash(_("The visit was discarded."))
    return redirect(url_for("home.index"), code=303)
