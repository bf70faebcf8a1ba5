"""Field audits, store reports and what-if planning for customer experience."""

from __future__ import annotations

from flask import Flask

from fieldapp import config
from fieldapp.auth import views as auth
from fieldapp.home import views as views_home
from fieldapp.storage import db
from fieldapp.web import converters, errors, filters, i18n, security
from fieldapp.web.extensions import csrf, htmx, login_manager


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: instance config, extensions, blueprints, CLI.

    :param test_config: settings that override the instance config (tests).
    """
    app = Flask(__name__, instance_relative_config=True)
    config.load(app, test_config)

    converters.init_app(app)  # before the blueprints: ids past 64 bit are 404s
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    db.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    filters.init_app(app)

    for blueprint in _blueprints():
        app.register_blueprint(blueprint)

    from fieldapp.ops import cli, tasks

    cli.init_app(app)
    tasks.init_app(app)  # Huey on instance/huey.sqlite3 (background and periodic work)
    if app.config.get("JOB_RUNNER", True):
        _start_jobs_with_first_request(app)
    return app


def _start_jobs_with_first_request(app: Flask) -> None:
    """Run simulation jobs in the serving process only (not in CLI commands)."""
    import threading

    from fieldapp.planner import jobs

    lock, started = threading.Lock(), []

    @app.before_request
    def start_job_runner():
        if not started:
            with lock:
                if not started:
                    started.append(jobs.start_runner(app))


def _blueprints() -> list:
    """One blueprint per area of the app."""
    from fieldapp.actions import views as actions
    from fieldapp.admin import views as admin
    from fieldapp.assignments import views as assignments
    from fieldapp.audit import photo_views as photos_views
    from fieldapp.audit import views as audit
    from fieldapp.checklist_admin import views as checklist_admin
    from fieldapp.planner import views as planner
    from fieldapp.reports import dashboard
    from fieldapp.reports import views as reports
    from fieldapp.review import views as review
    from fieldapp.web import pwa

    return [auth.bp, views_home.bp, pwa.bp, audit.bp, review.bp, assignments.bp, photos_views.bp,
            reports.bp, dashboard.bp, actions.bp, planner.bp, admin.bp, checklist_admin.bp] + _issue15_blueprints() \
        + _issue16_blueprints() + _issue17_blueprints()


def _issue15_blueprints() -> list:
    """Passwords (own change, must-change redirect), schedules and the job board."""
    from fieldapp.auth import password
    from fieldapp.schedules import views as schedules

    return [password.bp, schedules.bp]


def _issue16_blueprints() -> list:
    """Store disputes, and notifications (inbox, settings, the mail outbox)."""
    from fieldapp.actions import dispute_views
    from fieldapp.notify import views as notify

    return [dispute_views.bp, notify.bp]


def _issue17_blueprints() -> list:
    """Customer voice: the public survey, the coordinator's rounds, the results."""
    from fieldapp.voice import manage as voice_admin
    from fieldapp.voice import results as voice_results
    from fieldapp.voice import views as voice

    return [voice.bp, voice_admin.bp, voice_results.bp]
