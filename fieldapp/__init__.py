"""Field audits, store reports and what-if planning for customer experience."""

from __future__ import annotations

from flask import Flask

from . import auth, config, db, i18n, security, timefmt, views_home
from .extensions import csrf, htmx, limiter, login_manager


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: instance config, extensions, blueprints, CLI.

    :param test_config: settings that override the instance config (tests).
    """
    app = Flask(__name__, instance_relative_config=True)
    config.load(app, test_config)

    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    db.init_app(app)
    security.init_app(app)
    timefmt.init_app(app)

    for blueprint in _blueprints():
        app.register_blueprint(blueprint)

    from . import cli

    cli.init_app(app)
    if app.config.get("JOB_RUNNER", True):
        _start_jobs_with_first_request(app)
    return app


def _start_jobs_with_first_request(app: Flask) -> None:
    """Run simulation jobs in the serving process only (not in CLI commands)."""
    import threading

    from . import jobs

    lock, started = threading.Lock(), []

    @app.before_request
    def start_job_runner():
        if not started:
            with lock:
                if not started:
                    started.append(jobs.start_runner(app))


def _blueprints() -> list:
    """One blueprint per area of the app."""
    from . import (actions, admin, assignments, audit, dashboard, photos_views, planner, pwa,
                   reports, review)

    return [auth.bp, views_home.bp, pwa.bp, audit.bp, review.bp, assignments.bp, photos_views.bp,
            reports.bp, dashboard.bp, actions.bp, planner.bp, admin.bp]
