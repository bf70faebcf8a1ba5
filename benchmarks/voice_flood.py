"""Does a flood of survey posts from one address slow the auditors' answer saves?

    .venv/bin/python benchmarks/voice_flood.py [--auditors 6] [--flooders 8] [--seconds 20]

Serves a demo-seeded instance with gunicorn on 127.0.0.1 (2 workers x 4
threads, as ``benchmarks/load.py``) and runs four phases of ``--seconds``
each, auditors (``load.PhoneRunner``: log in, start a visit, post answers with
a short think time) throughout:

1. ``no flood``: auditors alone (the baseline);
2. ``flood, limits on``: ``--flooders`` threads (in their own process at
   nice 19, since a real flood's client is not on our machine) post the
   public survey's first page as fast as they can from one address; past the
   per-address limit every post is refused (429) from the rate file before
   any page work, and at most ``VOICE_MAX_CONCURRENT`` public posts run at
   once per worker (the rest get 503 at once);
3. ``flood, no rate limit``: the same flood with the rate limits raised out of
   reach (``FIELDAPP_VOICE_RATE_PER_ADDRESS``/``_PER_STORE``), so every post
   that passes the gate writes the customer's draft to the main database;
4. ``flood, no guards``: the gate opened too (``FIELDAPP_VOICE_MAX_CONCURRENT``).

Prints one table: auditors' answer-save p50/p95/p99 per phase, and the flood's
posts per second and share refused. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load import (CHECKLIST, PhoneRunner, Server, Stats, add_phones, build_ops,  # noqa: E402
                             free_port, seed_instance)

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Flooder(threading.Thread):
    """Posts the survey's first page in a loop, one session, as fast as the server answers."""

    def __init__(self, base: str, token: str, stop: threading.Event, counts: dict, lock: threading.Lock):
        super().__init__(daemon=True)
        self.base, self.token, self.stop, self.counts, self.lock = base, token, stop, counts, lock

    def run(self):
        with requests.Session() as s:
            try:
                page = s.get(f"{self.base}/v/{self.token}/0", timeout=10)
                csrf = CSRF_FIELD.search(page.text).group(1)
            except (requests.RequestException, AttributeError):
                return
            while not self.stop.is_set():
                try:
                    r = s.post(f"{self.base}/v/{self.token}/0", data={"csrf_token": csrf, "wait_rating": "1",
                                                                       "welcome_rating": "1"},
                               timeout=10, allow_redirects=False)
                    key = str(r.status_code)
                except requests.RequestException as exc:
                    key = type(exc).__name__
                with self.lock:
                    self.counts[key] = self.counts.get(key, 0) + 1


def flood_process(base: str, token: str, flooders: int, seconds: float, out) -> None:
    """The flood, in its own process at the lowest CPU priority: a real flood's
    client runs elsewhere, so here it should not compete with the server."""
    os.nice(19)
    stop, counts, lock = threading.Event(), {}, threading.Lock()
    threads = [Flooder(base, token, stop, counts, lock) for _ in range(flooders)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(15)
    out.put(counts)


def store_token(db_path: Path) -> str:
    from fieldapp.storage.db import connect

    db = connect(str(db_path))
    try:
        return next(db.query("SELECT token FROM voice_links WHERE kind = 'store' ORDER BY id LIMIT 1"))["token"]
    finally:
        db.close()


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def phase(name, server, folder, token, auditors, flooders, seconds, rng):
    fleet = add_phones(folder / "cem.sqlite3", auditors, uuid.uuid4().hex[:6])
    from checklists import load_library

    checklist = load_library()[CHECKLIST]
    for phone in fleet:
        phone.ops = build_ops(checklist, random.Random(rng.random()), datetime.now(timezone.utc))
    stats, go = Stats(), threading.Event()
    deadline = time.monotonic() + seconds
    runners = [PhoneRunner(p, server.base, stats, deadline, 0.2, random.Random(rng.random()), go) for p in fleet]
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    flood = ctx.Process(target=flood_process, args=(server.base, token, flooders, seconds, out)) if flooders else None
    for t in runners:
        t.start()
    t0 = time.monotonic()
    if flood:
        flood.start()
    go.set()
    for r in runners:
        r.join(seconds + 30)
    counts = out.get(timeout=60) if flood else {}
    if flood:
        flood.join(30)
    wall = time.monotonic() - t0
    saves = [ms for _, ms in stats.latencies]
    flood_total = sum(counts.values())
    return {"phase": name, "saves": len(saves), "p50": percentile(saves, 50), "p95": percentile(saves, 95),
            "p99": percentile(saves, 99), "flood_rate": flood_total / wall if flooders else 0.0,
            "refused": counts.get("429", 0) / flood_total * 100 if flood_total else 0.0,
            "flood_errors": {k: v for k, v in counts.items() if k not in ("302", "429", "200")}}


def table(rows) -> str:
    def ms(v):
        return "-" if v is None else f"{v:.1f}"

    head = f"{'phase':<20} {'saves':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'flood/s':>8} {'refused':>8}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['phase']:<20} {r['saves']:>6} {ms(r['p50']):>8} {ms(r['p95']):>8} {ms(r['p99']):>8} "
                     f"{r['flood_rate']:>8.0f} {r['refused']:>7.0f}%" + (f"  {r['flood_errors']}" if r["flood_errors"] else ""))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--auditors", type=int, default=6)
    parser.add_argument("--flooders", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cem-voice-flood-"))
    rng = random.Random(7)
    server = None
    try:
        folder = work / "instance"
        print("seeding a demo instance ...", flush=True)
        seed_instance(folder)
        token = store_token(folder / "cem.sqlite3")
        rows = []
        huge = "100000000"
        for name, flooders, limits, gate in (("no flood", 0, True, True),
                                             ("flood, guards on", args.flooders, True, True),
                                             ("flood, no rate limit", args.flooders, False, True),
                                             ("flood, no guards", args.flooders, False, False)):
            for key in ("VOICE_RATE_PER_ADDRESS", "VOICE_RATE_PER_STORE", "VOICE_MAX_CONCURRENT"):
                os.environ.pop("FIELDAPP_" + key, None)
            if not limits:
                os.environ["FIELDAPP_VOICE_RATE_PER_ADDRESS"] = os.environ["FIELDAPP_VOICE_RATE_PER_STORE"] = huge
            if not gate:
                os.environ["FIELDAPP_VOICE_MAX_CONCURRENT"] = "1000"
            server = Server(folder, free_port())
            server.start()
            print(f"{name}: {args.auditors} auditors, {flooders} flooders, {args.seconds:.0f} s ...", flush=True)
            rows.append(phase(name, server, folder, token, args.auditors, flooders, args.seconds, rng))
            server.stop()
            server = None
        print(table(rows))
        return 0
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
