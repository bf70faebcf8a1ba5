"""Serving stored photos to the people allowed to see their visit."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, send_from_directory
from flask_login import current_user, login_required

from fieldapp.auth import capabilities
from fieldapp.storage import photos, visits
from fieldapp.storage.db import get_db

bp = Blueprint("photos_views", __name__)


@bp.route("/photos/<int:photo_id>/<any(thumb, full):size>")
@login_required
def photo(photo_id: int, size: str):
    db = get_db()
    row = photos.get_photo(db, photo_id)
    if row is None or row["visit_id"] is None:
        abort(404)
    visit = visits.get_visit(db, row["visit_id"])
    if visit is None or not capabilities.can_view(db, current_user.row, visit):
        abort(404)
    name = row["thumb_filename"] if size == "thumb" else row["filename"]
    response = send_from_directory(current_app.config["PHOTO_DIR"], name, mimetype="image/jpeg",
                                   max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
