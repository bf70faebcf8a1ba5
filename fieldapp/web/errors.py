"""Styled, translated error pages (400, 403, 404, 409, 413, 422, 429, 500) with a way back.

Each status has its own message, looked up by the status code; a route that
aborts with a description it wrote (already translated, e.g. "This visit is
submitted") shows that instead. An htmx request gets the short message as a
fragment, so the phone can show it where the request came from.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from fieldapp.web.htmx import wants_fragment

MESSAGES = {
    400: _l("The request was not valid."),
    403: _l("You do not have access to this page."),
    404: _l("Not found."),
    405: _l("This address does not take that kind of request."),
    409: _l("This was changed meanwhile; reload the page and try again."),
    413: _l("The file is too large (at most %(mb)s MB)."),
    422: _l("Some of what was sent cannot be used."),
    429: _l("Too many attempts. Wait a few minutes and try again."),
    500: _l("Something went wrong on our side. Nothing you sent before this was lost."),
}
log = logging.getLogger(__name__)


def message_for(exc: HTTPException) -> str:
    """Our own description if the route gave one, else the status's translated message."""
    code = exc.code or 500
    own = exc.description and exc.description != type(exc).description
    if own and code != 500:
        return exc.description
    label = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return str(label) % {"mb": limit // 1_048_576} if code == 413 else str(label)  # 12 MiB says 12


def error_response(exc: HTTPException):
    code = exc.code or 500
    message = message_for(exc)
    if wants_fragment():
        return render_template("_error_fragment.html", code=code, message=message), code
    return render_template("error.html", code=code, message=message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return error_response(exc)

    @app.errorhandler(HTTPException)
    def http_error(exc):
        return error_response(exc)

    @app.errorhandler(OverflowError)
    def out_of_range(_exc):
        """A number past 64 bit or a date past year 9999 in a query or form: the sender's
        mistake (400 with a message), whichever route it reached."""
        return error_response(BadRequest(str(_l("A number or date was out of range."))))

    @app.errorhandler(Exception)
    def unexpected(exc):
        """Never a stack trace to the user; the log keeps it."""
        if isinstance(exc, HTTPException):
            return error_response(exc)
        log.exception("unhandled error")
        if app.testing or app.debug or app.config.get("PROPAGATE_EXCEPTIONS"):  # tests, debug: the real error
            raise exc
        return error_response(InternalServerError())
