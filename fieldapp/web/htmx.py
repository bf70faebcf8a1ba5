"""One way to answer htmx: a fragment to an htmx request, the full page otherwise."""

from __future__ import annotations

from flask import make_response, render_template

from fieldapp.web.extensions import htmx


def wants_fragment() -> bool:
    """htmx asked for a part of the page; a boosted request wants the whole page."""
    return bool(htmx) and not htmx.boosted


def render(page: str, fragment: str, status: int = 200, **context):
    """Render ``fragment`` for htmx and ``page`` otherwise; caches keep the two apart."""
    template = fragment if wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
