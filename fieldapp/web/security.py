"""Response headers every page gets, and errors that never leak data."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def init_app(app: Flask) -> None:
    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if "HX-Request" in response.vary or response.mimetype == "text/html":
            response.vary.add("HX-Request")
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_template("error.html", code=400, message=exc.description), 400

    for code in (403, 404, 409, 413, 429):
        app.register_error_handler(code, _error_page(code))


def _error_page(code: int):
    def handler(exc):
        return render_template("error.html", code=code, message=exc.description), code

    return handler
