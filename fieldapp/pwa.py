"""The installable web app: manifest and service worker, served from the root
so the worker's scope covers every page."""

from __future__ import annotations

from flask import Blueprint, current_app, send_from_directory

bp = Blueprint("pwa", __name__)


@bp.route("/sw.js")
def service_worker():
    response = send_from_directory(current_app.static_folder, "sw.js",
                                   mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/manifest.webmanifest")
def manifest():
    return send_from_directory(current_app.static_folder, "manifest.webmanifest",
                               mimetype="application/manifest+json", max_age=3600)
