"""Administration: the audit log of state changes and exports."""

from __future__ import annotations

from flask import Blueprint, render_template

from fieldapp.auth.capabilities import requires
from fieldapp.storage import audit_log
from fieldapp.storage.db import get_db

bp = Blueprint("admin", __name__)


@bp.route("/admin/audit-log")
@requires("audit_log.read")
def audit_log_page():
    return render_template("admin/audit_log.html", entries=audit_log.recent(get_db(), limit=500))
