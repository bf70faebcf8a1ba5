"""The real server for race and multi-process tests: gunicorn as the README runs it.

``served(instance, workers=2, threads=4)`` starts gunicorn on a free port
against a copied instance and yields its base URL; ``Phone`` is a browser
made of ``requests`` that logs in through the real form.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from fieldapp.ops import demo

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served(instance: Path, *, workers: int = 2, threads: int = 4):
    """Run ``gunicorn -w workers --threads threads 'fieldapp:create_app()'`` on ``instance``."""
    port = _free_port()
    env = {**os.environ, "FIELDAPP_DATABASE": str(instance / "cem.sqlite3"),
           "FIELDAPP_PHOTO_DIR": str(instance / "photos"), "FIELDAPP_SECRET_KEY": "live-test",
           "FIELDAPP_JOB_RUNNER": "false", "FIELDAPP_SIM_WORKERS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "fieldapp:create_app()"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # up to 60 s on a busy machine: readiness, not a timed assertion
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode(errors="replace"))
            with contextlib.suppress(requests.RequestException):  # not up yet, or busy
                if requests.get(base + "/login", timeout=10).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not answer")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or \
        re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


class Phone:
    """One browser: its own cookies, a fresh connection per request (any worker may answer)."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()
        self.http.headers["Connection"] = "close"
        self.token = None

    def login(self, username: str, password: str | None = None) -> requests.Response:
        page = self.http.get(self.base + "/login", timeout=30)
        password = password or username + demo.DEMO_PASSWORD_SUFFIX
        reply = self.http.post(self.base + "/login", allow_redirects=False, timeout=30,
                               data={"username": username, "password": password,
                                     "csrf_token": csrf_of(page.text)})
        if reply.status_code == 302:
            self.token = csrf_of(self.http.get(self.base + "/home", timeout=30).text)
        return reply

    def get(self, path: str, **kw) -> requests.Response:
        return self.http.get(self.base + path, timeout=60, allow_redirects=False, **kw)

    def post(self, path: str, data=None, **kw) -> requests.Response:
        headers = {"X-CSRFToken": self.token or "", **kw.pop("headers", {})}
        return self.http.post(self.base + path, data=data or {}, headers=headers, timeout=60,
                              allow_redirects=False, **kw)
