"""Shared fixtures: every test gets its own real SQLite file.

Seeding the demo chain takes a few seconds, so it is done once per session
into a template folder that each test copies (database and photos).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from fieldapp import create_app
from fieldapp.storage.db import connect, migrate
from fieldapp.ops import demo


# Speed is measured by benchmarks/, never asserted: no per-example deadline.
# CI draws the same examples on every run; `pytest --hypothesis-profile=explore`
# searches afresh and longer.
settings.register_profile("ci", deadline=None, derandomize=True)
settings.register_profile("explore", deadline=None, max_examples=1000)
settings.load_profile("ci")


def demo_today():
    """The date the demo was seeded for: the stores' (Korean) date, a day ahead of UTC's after 15:00 UTC."""
    from datetime import datetime
    return datetime.now(demo.KST).date()


def make_app(instance: Path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE": str(instance / "cem.sqlite3"),
        "PHOTO_DIR": str(instance / "photos"),
        "JOB_RUNNER": False,  # tests run jobs with fieldapp.planner.jobs.run_pending
        "SIM_WORKERS": 1,
        **overrides,
    }
    return create_app(config)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> Path:
    """A demo-seeded instance folder, built once."""
    folder = tmp_path_factory.mktemp("seeded")
    migrate(str(folder / "cem.sqlite3"))
    db = connect(str(folder / "cem.sqlite3"))
    demo.seed(db, folder / "photos", days=30)
    db.close()
    return folder


@pytest.fixture
def instance(tmp_path, seeded_template) -> Path:
    """This test's own copy of the seeded instance."""
    target = tmp_path / "instance"
    shutil.copytree(seeded_template, target)
    return target


@pytest.fixture
def app(instance):
    return make_app(instance)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    database = connect(app.config["DATABASE"])
    yield database
    database.close()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or \
        re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


class Auth:
    """Log in as a demo user through the real login form."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str | None = None):
        page = self.client.get("/login")
        token = csrf_from(page.get_data(as_text=True))
        password = password or username + demo.DEMO_PASSWORD_SUFFIX
        return self.client.post("/login", data={"username": username, "password": password,
                                                "csrf_token": token})

    def token(self, path: str = "/home") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))


@pytest.fixture
def auth(client):
    return Auth(client)
