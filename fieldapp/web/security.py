"""Response headers every page gets."""

from __future__ import annotations

from flask import Flask

# Files people take away (reports, exports, downloads) hold store results and names:
# no shared cache, no copy left on a phone or a proxy after logout.
PRIVATE_MIMETYPES = frozenset({
    "application/pdf", "text/csv", "application/json", "application/x-yaml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})

CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def init_app(app: Flask) -> None:
    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype in PRIVATE_MIMETYPES or \
                response.headers.get("Content-Disposition", "").startswith("attachment"):
            response.headers["Cache-Control"] = "private, no-store"
        if "HX-Request" in response.vary or response.mimetype == "text/html":
            response.vary.add("HX-Request")
        return response
