"""Administration: the audit log (filters, paging, words, CSV); people, stores, settings
and bulk imports live in the sibling modules that add their routes to this blueprint."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from fieldapp.auth.capabilities import requires
from fieldapp.storage import audit_log, reporting
from fieldapp.storage.db import get_db
from fieldapp.web import timefmt

bp = Blueprint("admin", __name__)
PAGE_SIZE = 50


def _filters(args) -> tuple[dict, dict]:
    """The query string as (search arguments, what the form shows); bad values are dropped."""
    shown = {k: (args.get(k) or "").strip()[:80] for k in ("who", "what", "object", "id", "from", "to")}
    search = {"actor_id": int(shown["who"]) if shown["who"].isascii() and shown["who"].isdigit() else None,
              "action": shown["what"], "object_type": shown["object"], "object_id": shown["id"]}
    days = {}
    for key in ("from", "to"):
        try:
            days[key] = date.fromisoformat(shown[key])
        except ValueError:
            shown[key] = ""
    if days:
        lo, hi = reporting.utc_bounds(days.get("from", date(2000, 1, 1)), days.get("to", date(9998, 12, 31)),
                                      timefmt.org_tz())
        search.update(since=lo if "from" in days else "", until=hi if "to" in days else "")
    return search, shown


@bp.route("/admin/audit-log")
@requires("audit_log.read")
def audit_log_page():
    from fieldapp.admin import log_words

    db = get_db()
    search, shown = _filters(request.args)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    entries, total = audit_log.search(db, **search, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    query = {k: v for k, v in shown.items() if v}
    return render_template("admin/audit_log.html", entries=entries, total=total, page=page,
                           pages=pages, f=shown, query=query, words=log_words,
                           actors=audit_log.actors(db), actions=audit_log.distinct_values(db, "action"),
                           objects=audit_log.distinct_values(db, "object_type"))


@bp.route("/admin/audit-log.csv")
@requires("audit_log.read")
def audit_log_csv():
    """The filtered log as CSV: times in the organisation's zone, codes and their words."""
    from fieldapp.admin import log_words

    db = get_db()
    search, _shown = _filters(request.args)
    entries, _total = audit_log.search(db, **search, limit=100_000)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["at", "username", "action", "action_words", "object_type", "object_id",
                     "detail", "detail_words"])
    for e in entries:
        writer.writerow([timefmt.local_iso(e["at"]), e["username"] or "", e["action"],
                         log_words.action_words(e["action"]), e["object_type"], e["object_id"] or "",
                         _cell(e["detail"]), _cell(log_words.detail_words(e["detail"]))])
    audit_log.record_export(db, actor_id=current_user.id, object_type="audit_log", detail="csv")
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


from fieldapp.admin import import_views, people, store_views  # noqa: E402,F401  (their routes join bp)
