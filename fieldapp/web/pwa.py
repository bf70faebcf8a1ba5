"""The installable web app: manifest and service worker, served from the root
so the worker's scope covers every page."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, Response, current_app, send_from_directory

bp = Blueprint("pwa", __name__)
VERSION_MARK = "__STATIC_VERSION__"


def static_version(folder: str | Path) -> str:
    """A short hash of every static file but the worker itself.

    The worker keeps static files cache-first; naming its cache after this hash
    makes a new release change the worker's bytes, so phones install the new
    worker, fetch the new files and drop the old cache."""
    digest = hashlib.sha256()
    for path in sorted(Path(folder).iterdir()):
        if path.is_file() and path.name != "sw.js":
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


@bp.route("/sw.js")
def service_worker():
    folder = Path(current_app.static_folder)
    source = (folder / "sw.js").read_text(encoding="utf-8")
    response = Response(source.replace(VERSION_MARK, static_version(folder)), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/manifest.webmanifest")
def manifest():
    return send_from_directory(current_app.static_folder, "manifest.webmanifest",
                               mimetype="application/manifest+json", max_age=3600)
