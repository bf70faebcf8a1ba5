"""Load and crash benchmark: N phones answer whole visits while the server is SIGKILLed.

    .venv/bin/python benchmarks/load.py --phones 50 --seconds 120

What it does:

1. Makes a throw-away instance folder (``fieldapp seed-demo``), adds one
   auditor account and one open assignment per phone (storage API).
2. Serves the app with gunicorn on 127.0.0.1 only (2 workers x 4 threads,
   ``--preload`` so a restart is one import, not two).
3. Each phone (a thread with its own ``requests`` session) logs in, starts
   its visit, then works through an outbox in order, like the app's offline
   outbox: every answer (``value``, ``client_id``, ``client_ts``) and every
   stopwatch mark (``event``, ``at``, ``client_id``); some answers are changed
   later (a newer ``client_ts``). An answer counts as acknowledged when the
   reply is HTTP 200 with "saved" and no error in the fragment. Whatever
   fails is retried with the same client id until it is acknowledged.
4. When 40% of the planned posts are acknowledged, the whole gunicorn
   process group gets SIGKILL; the server is restarted on the same port.
5. At the end, the SQLite file is checked: every acknowledged answer is
   stored exactly once with the last acknowledged value (or with a later
   write of the same phone), every acknowledged stopwatch mark is stored
   exactly once.

Prints a table; exits 1 if anything was lost or duplicated, 2 if the run
itself failed (server never came up, nothing acknowledged, no restart).
``run_load()`` is what ``tests/test_load_crash.py`` calls.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"  # loopback only, never anything else
MAX_PHONES = 200
MAX_SECONDS = 900
CHECKLIST = "doughnut-mystery-shop"
PASSWORD = "load-phone-2026"
REQUEST_TIMEOUT = 10.0
PLACES = ("GN01", "HD02", "HU03")


# -- what a phone sends ------------------------------------------------------

@dataclass
class Op:
    """One outbox entry: an answer or a stopwatch mark, retried as it is."""

    kind: str  # "answer" | "timing"
    item_key: str
    client_id: str
    value: str = ""  # answer value as typed / stopwatch event
    client_ts: str = ""  # answer: client_ts; timing: at
    seq: int = 0  # order on the phone
    acked: bool = False
    attempts: int = 0


@dataclass
class Phone:
    index: int
    username: str
    assignment_id: int
    visit_id: int | None = None
    ops: list[Op] = field(default_factory=list)
    done: bool = False
    error: str | None = None


@dataclass
class Result:
    phones: int
    wall_seconds: float
    requests: int
    errors: int
    answer_saves: int
    latencies_ms: list[float]  # acknowledged answer saves outside the restart window
    acked_answers: int
    acked_timings: int
    planned_ops: int
    kills: int
    restarts: int
    lost: int
    duplicated: int
    unfinished_phones: int
    downtime_seconds: float
    outage_latencies_ms: list[float] = field(default_factory=list)  # saves overlapping it
    error_kinds: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def percentile(self, q: float) -> float | None:
        if not self.latencies_ms:
            return None
        ordered = sorted(self.latencies_ms)
        k = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
        return ordered[k]

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicated == 0

    def table(self) -> str:
        def ms(v):
            return "-" if v is None else f"{v:.1f} ms"

        rows = [
            ("phones", str(self.phones)),
            ("answer saves (HTTP 200)", str(self.answer_saves)),
            ("answer save p50", ms(self.percentile(50))),
            ("answer save p95", ms(self.percentile(95))),
            ("answer save p99", ms(self.percentile(99))),
            ("saves caught by the restart (max)",
             f"{len(self.outage_latencies_ms)} ({ms(max(self.outage_latencies_ms, default=None))})"),
            ("requests / second", f"{self.requests / self.wall_seconds:.1f}" if self.wall_seconds else "-"),
            ("requests (all)", str(self.requests)),
            ("errors (failed attempts, retried)", str(self.errors)),
            *((f"  {k}", str(v)) for k, v in sorted(self.error_kinds.items())),
            ("SIGKILLs / restarts", f"{self.kills} / {self.restarts}"),
            ("server down", f"{self.downtime_seconds:.1f} s"),
            ("acknowledged answers", str(self.acked_answers)),
            ("acknowledged stopwatch marks", str(self.acked_timings)),
            ("posts never acknowledged (time cap)", str(self.planned_ops - self.acked_answers - self.acked_timings)),
            ("phones not finished", str(self.unfinished_phones)),
            ("LOST", str(self.lost)),
            ("DUPLICATED", str(self.duplicated)),
            ("wall time", f"{self.wall_seconds:.1f} s"),
        ]
        width = max(len(k) for k, _ in rows)
        line = "-" * (width + 16)
        out = [line] + [f"{k:<{width}}  {v:>12}" for k, v in rows] + [line]
        out += [f"! {p}" for p in self.problems[:20]]
        return "\n".join(out)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.errors = 0
        self.latencies: list[tuple[float, float]] = []  # (started, ms) of acknowledged saves
        self.slow: list[tuple[float, float, str]] = []  # (when, ms, what) of saves over 1 s
        self.acked = 0
        self.kinds: dict[str, int] = {}  # failed attempts by cause

    def failed(self, kind: str) -> None:
        with self.lock:
            self.kinds[kind] = self.kinds.get(kind, 0) + 1

    def count(self, *, error: bool = False, latency: tuple[float, float] | None = None,
              acked: bool = False):
        with self.lock:
            self.requests += 1
            self.errors += int(error)
            if latency is not None:
                self.latencies.append(latency)
            self.acked += int(acked)


# -- the server --------------------------------------------------------------

class Server:
    """gunicorn in its own process group on 127.0.0.1, killable as a whole."""

    def __init__(self, instance: Path, port: int, workers: int = 2, threads: int = 4):
        self.instance, self.port = instance, port
        self.workers, self.threads = workers, threads
        self.proc: subprocess.Popen | None = None
        self.log = open(instance / "gunicorn.log", "ab")

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, wait: float = 30.0) -> None:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        cmd = [str(gunicorn) if gunicorn.exists() else "gunicorn",
               "-w", str(self.workers), "--threads", str(self.threads),
               "-b", f"{HOST}:{self.port}", "--graceful-timeout", "5", "--preload",
               "fieldapp:create_app()"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=app_env(self.instance), stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; "
                                   f"see {self.instance / 'gunicorn.log'}")
            try:
                if requests.get(self.base + "/login", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {wait:.0f} s")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once (they share our new session)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log.close()


def app_env(instance: Path) -> dict:
    env = dict(os.environ)
    env.update({
        "FIELDAPP_DATABASE": str(instance / "cem.sqlite3"),
        "FIELDAPP_PHOTO_DIR": str(instance / "photos"),
        "FIELDAPP_SECRET_KEY": "load-benchmark-" + instance.name,
        "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    })
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# -- preparing the instance --------------------------------------------------

def seed_instance(instance: Path, days: int = 6) -> None:
    """A fresh demo-seeded instance folder (through the real CLI)."""
    instance.mkdir(parents=True, exist_ok=True)
    fieldapp = Path(sys.executable).parent / "fieldapp"
    cmd = [str(fieldapp)] if fieldapp.exists() else [sys.executable, "-m", "flask", "--app", "fieldapp"]
    subprocess.run(cmd + ["seed-demo", "--days", str(days)], cwd=ROOT, env=app_env(instance),
                   check=True, capture_output=True, timeout=300)


def add_phones(db_path: Path, count: int, tag: str) -> list[Phone]:
    """One auditor account and one open assignment per phone."""
    from fieldapp.storage.db import connect
    from fieldapp.storage import assignments, checklist_store, users

    db = connect(str(db_path))
    try:
        org_id = db.execute("SELECT id FROM organisations ORDER BY id LIMIT 1").fetchone()[0]
        stores = {r["code"]: r["id"] for r in db.query("SELECT id, code FROM stores")}
        row_id = checklist_store.latest_row_id(db, CHECKLIST)
        by = db.execute("SELECT id FROM users WHERE role IN ('reviewer','admin') ORDER BY id").fetchone()[0]
        today = datetime.now(timezone.utc).date()
        phones = []
        for i in range(count):
            code = PLACES[i % len(PLACES)]
            username = f"phone-{tag}-{i:03d}"
            user_id = users.create_user(db, org_id=org_id, username=username, password=PASSWORD,
                                        role="auditor", mystery_shopper=True,
                                        store_ids=(stores[code],))
            assignment_id = assignments.create_assignment(
                db, checklist_row_id=row_id, store_id=stores[code], auditor_id=user_id,
                assigned_by=by, window_start=(today - timedelta(days=1)).isoformat(),
                window_end=(today + timedelta(days=2)).isoformat(), covert=True)
            phones.append(Phone(i, username, assignment_id))
        return phones
    finally:
        db.close()


def _value_for(item, rng: random.Random) -> str:
    """A valid form value for an answer item (varied, so changes are visible)."""
    if item.type in ("yes_no", "yes_no_na"):
        return rng.choice(("yes", "yes", "yes", "no") if not item.photo_on_fail else ("yes",))
    if item.type == "rating":
        return str(rng.randint(3, 5) if not item.photo_on_fail else 5)
    if item.type == "number":
        low = next((v for v in (item.pass_min, item.min) if v is not None), 0)
        high = next((v for v in (item.pass_max, item.max) if v is not None), low + 10)
        return str(round(rng.uniform(low, high), 1))
    if item.type == "choice":
        best = max(item.choices, key=lambda c: c.score)
        return best.key if item.photo_on_fail else rng.choice(item.choices).key
    if item.type == "text":
        return rng.choice(("괜찮았습니다", "Fresh and warm.", "매장이 붐볐습니다.")) + f" #{rng.randint(1, 999)}"
    raise ValueError(item.type)


def build_ops(checklist, rng: random.Random, start: datetime, change_share: float = 0.2) -> list[Op]:
    ops: list[Op] = []
    clock = start
    changes: list[Op] = []

    def tick(seconds: float) -> str:
        nonlocal clock
        clock += timedelta(seconds=seconds)
        return clock.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    for item in checklist.items():
        if item.type == "photo":
            continue
        if item.type == "timer":
            for event in item.timer_events:
                ops.append(Op("timing", item.key, uuid.uuid4().hex, event, tick(rng.uniform(5, 60))))
            continue
        ops.append(Op("answer", item.key, uuid.uuid4().hex, _value_for(item, rng), tick(rng.uniform(1, 20))))
        if item.type != "text" and rng.random() < change_share:
            changes.append(ops[-1])
        # the auditor goes back and changes an earlier answer now and then
        if changes and rng.random() < change_share:
            old = changes.pop(0)
            ops.append(Op("answer", old.item_key, uuid.uuid4().hex,
                          _value_for(checklist.item(old.item_key), rng), tick(rng.uniform(1, 5))))
    for i, op in enumerate(ops):
        op.seq = i
    return ops


# -- a phone -----------------------------------------------------------------

CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class PhoneRunner(threading.Thread):
    def __init__(self, phone: Phone, base: str, stats: Stats, deadline: float,
                 think: float, rng: random.Random, go: threading.Event):
        super().__init__(daemon=True, name=f"phone-{phone.index}")
        self.phone, self.base, self.stats = phone, base, stats
        self.deadline, self.think, self.rng, self.go = deadline, think, rng, go
        self.session = requests.Session()
        self.token = ""

    # each step retries until it works or time is up, like the outbox
    def run(self):
        try:
            self.go.wait()
            self._retry(self._login)
            self._retry(self._start)
            for op in self.phone.ops:
                if self.think:
                    time.sleep(self.rng.uniform(0.5, 1.5) * self.think)
                self._retry(lambda op=op: self._send(op))
                if time.monotonic() >= self.deadline:
                    return
            self.phone.done = all(op.acked for op in self.phone.ops)
        except _TimeUp:
            return
        except Exception as exc:  # reported in the result, never silent
            self.phone.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.session.close()

    def _retry(self, step) -> None:
        delay = 0.1
        while True:
            if time.monotonic() >= self.deadline:
                raise _TimeUp
            if step():
                return
            time.sleep(delay * self.rng.uniform(0.5, 1.5))
            delay = min(delay * 2, 1.0)

    def _request(self, method, path, **kw):
        """One HTTP attempt: the response, or None when the server was not there."""
        self.started = time.monotonic()
        start = time.perf_counter()
        try:
            response = self.session.request(method, self.base + path, timeout=REQUEST_TIMEOUT,
                                            allow_redirects=False, **kw)
        except requests.RequestException as exc:
            self.stats.count(error=True)
            self.stats.failed("no connection" if isinstance(exc, requests.ConnectionError)
                              else type(exc).__name__)
            return None, 0.0
        return response, (time.perf_counter() - start) * 1000

    def _login(self) -> bool:
        page, _ = self._request("GET", "/login")
        if page is None or page.status_code != 200:
            if page is not None:
                self.stats.count(error=True)
            return False
        self.stats.count()
        token = CSRF_FIELD.search(page.text) or CSRF_META.search(page.text)
        response, _ = self._request("POST", "/login", data={
            "username": self.phone.username, "password": PASSWORD,
            "csrf_token": token.group(1) if token else ""})
        if response is None:
            return False
        ok = response.status_code == 302
        self.stats.count(error=not ok)
        return ok and self._refresh_token()

    def _refresh_token(self) -> bool:
        page, _ = self._request("GET", "/home")
        if page is None:
            return False
        match = CSRF_META.search(page.text) if page.status_code == 200 else None
        self.stats.count(error=match is None)
        if match:
            self.token = match.group(1)
        return match is not None

    def _start(self) -> bool:
        response, _ = self._request("POST", f"/assignments/{self.phone.assignment_id}/start",
                                    data={"csrf_token": self.token})
        if response is None:
            return False
        ok = response.status_code == 302 and "/visits/" in response.headers.get("Location", "")
        self.stats.count(error=not ok)
        if ok:
            self.phone.visit_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
        elif response.status_code in (400, 401, 403):
            self._refresh_token()
        return ok

    def _send(self, op: Op) -> bool:
        op.attempts += 1
        headers = {"X-CSRFToken": self.token, "HX-Request": "true"}
        path = f"/visits/{self.phone.visit_id}/items/{op.item_key}"
        if op.kind == "answer":
            data = {"value": op.value, "client_id": op.client_id, "client_ts": op.client_ts}
        else:
            path += "/timing"
            data = {"event": op.value, "at": op.client_ts, "client_id": op.client_id}
        response, ms = self._request("POST", path, data=data, headers=headers)
        if response is None:
            return False
        body = response.text
        acked = (response.status_code == 200 and 'class="ok"' in body
                 and "field-error" not in body)
        self.stats.count(error=not acked, acked=acked,
                         latency=(self.started, ms) if (acked and op.kind == "answer") else None)
        if ms > 1000:
            with self.stats.lock:
                self.stats.slow.append((time.monotonic(), ms, f"{op.kind} {response.status_code}"))
        if acked:
            op.acked = True
            return True
        self.stats.failed(f"{op.kind} HTTP {response.status_code}"
                          + (" with error fragment" if response.status_code == 200 else ""))
        if response.status_code in (302, 400, 401):  # session or token lost: log in again
            self._login()
            return False
        if response.status_code in (403, 404, 409, 422):
            raise RuntimeError(f"{op.kind} {op.item_key} refused with {response.status_code}")
        return False  # 5xx or a fragment with an error: retry


class _TimeUp(Exception):
    pass


# -- checking the database ---------------------------------------------------

def check_database(db_path: Path, phones: list[Phone]) -> tuple[int, int, list[str]]:
    """(lost, duplicated, problems) over everything the phones had acknowledged."""
    import sqlite3

    conn = sqlite3.connect(db_path, timeout=30)
    conn.row_factory = sqlite3.Row
    lost = duplicated = 0
    problems: list[str] = []
    try:
        for phone in phones:
            if phone.visit_id is None:
                continue
            rows = conn.execute("SELECT item_key, value_json, client_id, client_ts FROM answers "
                                "WHERE visit_id = ?", [phone.visit_id]).fetchall()
            stored: dict[str, list] = {}
            for r in rows:
                stored.setdefault(r["item_key"], []).append(r)
            answer_ops = [o for o in phone.ops if o.kind == "answer"]
            for key in {o.item_key for o in answer_ops}:
                mine = [o for o in answer_ops if o.item_key == key]
                acked = [o for o in mine if o.acked]
                here = stored.get(key, [])
                if len(here) > 1:
                    duplicated += len(here) - 1
                    problems.append(f"visit {phone.visit_id} {key}: {len(here)} rows")
                if not acked:
                    continue
                last = max(acked, key=lambda o: o.client_ts)
                if not here:
                    lost += 1
                    problems.append(f"visit {phone.visit_id} {key}: acknowledged, not stored")
                    continue
                row = here[0]
                by_id = {o.client_id: o for o in mine}
                holder = by_id.get(row["client_id"])
                if holder is None or holder.client_ts < last.client_ts:
                    lost += 1
                    problems.append(f"visit {phone.visit_id} {key}: stored {row['value_json']} "
                                    f"({row['client_id']}), last acknowledged {last.value!r}")
                elif holder is last and not _same_value(row["value_json"], last.value):
                    lost += 1
                    problems.append(f"visit {phone.visit_id} {key}: stored {row['value_json']}, "
                                    f"acknowledged {last.value!r}")
            marks = conn.execute("SELECT client_id, item_key, event, at FROM timings "
                                 "WHERE visit_id = ?", [phone.visit_id]).fetchall()
            per_id: dict[str, int] = {}
            per_mark: dict[tuple, int] = {}
            for m in marks:
                per_id[m["client_id"]] = per_id.get(m["client_id"], 0) + 1
                k = (m["item_key"], m["event"], m["at"])
                per_mark[k] = per_mark.get(k, 0) + 1
            for k, n in per_mark.items():
                if n > 1:
                    duplicated += n - 1
                    problems.append(f"visit {phone.visit_id} timing {k}: {n} rows")
            for op in phone.ops:
                if op.kind == "timing" and op.acked and per_id.get(op.client_id, 0) != 1:
                    lost += 1
                    problems.append(f"visit {phone.visit_id} timing {op.item_key}/{op.value}: "
                                    f"acknowledged, {per_id.get(op.client_id, 0)} rows")
    finally:
        conn.close()
    return lost, duplicated, problems


def _same_value(value_json: str, typed: str) -> bool:
    value = json.loads(value_json)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return abs(float(typed) - value) < 1e-9
        except ValueError:
            return False
    return str(value) == typed


# -- the run -----------------------------------------------------------------

def run_load(phones: int = 50, seconds: float = 120.0, port: int | None = None, *,
             think: float = 1.0, kill_at: float = 0.4, down: float = 1.0,
             instance: Path | None = None, workers: int = 2, threads: int = 4,
             seed: int = 7, keep: bool = False, log=print) -> Result:
    """Run the whole benchmark and return what it measured.

    :param phones: simulated phones (at most MAX_PHONES).
    :param seconds: hard cap on the phones' work (at most MAX_SECONDS).
    :param think: mean pause between an auditor's posts, in seconds.
    :param kill_at: SIGKILL the server once this share of the posts is acknowledged
        (None: never).
    :param down: seconds the server stays dead before the restart.
    :param instance: a demo-seeded instance folder to copy (default: seed a new one).
    :param keep: keep the temporary folder (database, gunicorn.log) and say where.
    """
    if not 1 <= phones <= MAX_PHONES:
        raise ValueError(f"phones must be 1..{MAX_PHONES}")
    seconds = min(float(seconds), MAX_SECONDS)
    from checklists import load_library

    checklist = load_library()[CHECKLIST]
    work = Path(tempfile.mkdtemp(prefix="cem-load-"))
    server = None
    try:
        folder = work / "instance"
        if instance is not None:
            shutil.copytree(instance, folder)
        else:
            log("seeding a demo instance ...")
            seed_instance(folder)
        from fieldapp.storage.db import migrate

        db_path = folder / "cem.sqlite3"
        migrate(str(db_path))
        log(f"creating {phones} auditor accounts ...")
        fleet = add_phones(db_path, phones, uuid.uuid4().hex[:6])
        rng = random.Random(seed)
        start_clock = datetime.now(timezone.utc)
        for phone in fleet:
            phone.ops = build_ops(checklist, random.Random(rng.random()), start_clock)
        planned = sum(len(p.ops) for p in fleet)

        server = Server(folder, port or free_port(), workers, threads)
        log(f"gunicorn -w {workers} --threads {threads} on {server.base} ...")
        server.start()

        stats = Stats()
        go = threading.Event()
        t0 = time.monotonic()
        deadline = t0 + seconds
        runners = [PhoneRunner(p, server.base, stats, deadline, think,
                               random.Random(rng.random()), go) for p in fleet]
        for r in runners:
            r.start()
        go.set()
        kills = restarts = 0
        downtime = 0.0
        outages: list[tuple[float, float]] = []  # (killed, ready again)
        problems: list[str] = []
        killed = kill_at is None
        while any(r.is_alive() for r in runners) and time.monotonic() < deadline + REQUEST_TIMEOUT + 5:
            if not killed and stats.acked >= kill_at * planned:
                log(f"SIGKILL gunicorn at {time.monotonic() - t0:.1f} s, after {stats.acked} acknowledged posts "
                    f"({time.monotonic() - t0:.1f} s)")
                down_from = time.monotonic()
                server.kill()
                kills += 1
                killed = True
                time.sleep(down)
                try:
                    server.start()
                    restarts += 1
                except RuntimeError as exc:
                    problems.append(f"restart failed: {exc}")
                downtime += time.monotonic() - down_from
                outages.append((down_from, time.monotonic()))
                log(f"restarted at {time.monotonic() - t0:.1f} s, "
                    f"{time.monotonic() - down_from:.1f} s after the kill")
            time.sleep(0.05)
        for r in runners:
            r.join(1)
        for when, ms, what in stats.slow[:10]:
            log(f"slow: {what} {ms:.0f} ms, ended at {when - t0:.1f} s")
        wall = time.monotonic() - t0
        server.stop()
        server = None

        def overlaps(started, ms):
            return any(started <= ready and started + ms / 1000 >= killed for killed, ready in outages)

        steady = [ms for started, ms in stats.latencies if not overlaps(started, ms)]
        caught = [ms for started, ms in stats.latencies if overlaps(started, ms)]
        lost, duplicated, found = check_database(db_path, fleet)
        problems += found
        problems += [f"{p.username}: {p.error}" for p in fleet if p.error]
        if kill_at is not None and restarts == 0:
            problems.append("the server was never killed and restarted (run too short?)")
        acked_answers = sum(o.acked for p in fleet for o in p.ops if o.kind == "answer")
        acked_timings = sum(o.acked for p in fleet for o in p.ops if o.kind == "timing")
        return Result(
            phones=phones, wall_seconds=wall, requests=stats.requests, errors=stats.errors,
            answer_saves=len(stats.latencies), latencies_ms=steady,
            outage_latencies_ms=caught, error_kinds=dict(stats.kinds),
            acked_answers=acked_answers, acked_timings=acked_timings, planned_ops=planned,
            kills=kills, restarts=restarts, lost=lost, duplicated=duplicated,
            unfinished_phones=sum(not p.done for p in fleet), downtime_seconds=downtime,
            problems=problems)
    finally:
        if server is not None:
            server.stop()
        if keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=50, help=f"1..{MAX_PHONES} (default 50)")
    parser.add_argument("--seconds", type=float, default=120,
                        help=f"hard cap on the run, at most {MAX_SECONDS} (default 120)")
    parser.add_argument("--port", type=int, default=None, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean pause between one phone's posts, seconds (default 1.0, i.e. "
                             "50 phones post ~45/s; 0.5 doubles the rate)")
    parser.add_argument("--no-kill", action="store_true", help="do not SIGKILL the server")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary instance folder and gunicorn.log")
    args = parser.parse_args(argv)
    try:
        result = run_load(args.phones, args.seconds, args.port, think=args.think,
                          kill_at=None if args.no_kill else 0.4, keep=args.keep)
    except (RuntimeError, ValueError, subprocess.CalledProcessError) as exc:
        print(f"load: {exc}", file=sys.stderr)
        return 2
    print(result.table())
    if not result.ok:
        return 1
    if result.acked_answers == 0 or any("restart failed" in p or "never killed" in p
                                        for p in result.problems):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
