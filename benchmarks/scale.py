"""A national chain on one server: dashboards, exports and reports at 600 stores.

Builds a chain of ``--stores`` stores (12 regions) with ``--days`` of visits
(one every ~3 days per store, the doughnut checklist: answers, stage feelings,
stopwatch marks, events, corrective actions) and customer-voice answers (3 per
store per week, reduced to rows by the app), scored by the app's scorer and
written with bulk inserts in one transaction into a temporary instance; then
times through the real Flask app, as a region manager and as an admin:

- the dashboard over 30, 90 and 365 days, and its customer section (which the
  page asks for once shown);
- each CSV table and the JSON export of a year (first byte, total, peak memory);
- a visit PDF and a region period PDF;
- the auditor's answer save, idle and while another process loads dashboards.

Prints a table: figure, median, p95, CPU median, target, met?

Example:
    .venv/bin/python benchmarks/scale.py --stores 600 --days 365
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from checklists import load_checklist, load_library
from checklists.scoring import item_results, score_results
from fieldapp import create_app
from fieldapp.audit.workflow import _jsonable
from fieldapp.ops import demo
from fieldapp.storage import checklist_store, results, stores, users
from fieldapp.storage import voice_results as voice_store_rows
from fieldapp.storage.db import connect, migrate
from fieldapp.voice import demo as voice_demo
from fieldapp.voice import parts as voice_parts
from fieldapp.voice import workflow as voice_workflow

KST = timezone(timedelta(hours=9))
REGIONS = ("서울 Seoul", "부산 Busan", "인천 Incheon", "대구 Daegu", "대전 Daejeon", "광주 Gwangju",
           "울산 Ulsan", "경기 Gyeonggi", "강원 Gangwon", "충청 Chungcheong", "전라 Jeolla", "경상 Gyeongsang")
PASSWORD = "bench-password-1"
STORES_PER_AUDITOR = 10
POOL = 4000  # distinct scored visits the chain's visits are drawn from
PLACEHOLDER = {"id": 0, "store_id": 0, "started_at": "", "checklist_row_id": 0, "status": "draft"}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


# --- building the chain ---------------------------------------------------------

def build(folder: Path, n_stores: int, days: int, today: date, per_week: int = 3) -> dict:
    """Fill a fresh instance; return counts and the ids the timings need."""
    path = str(folder / "cem.sqlite3")
    migrate(path)
    db = connect(path)
    rng = random.Random(19)
    checklist = load_library()[demo.DOUGHNUT]
    org_id = stores.create_organisation(db, "스위트링 도넛 Sweet Ring Doughnuts")
    row_id = checklist_store.save_checklist(db, checklist)
    conn = db.conn
    counts = dict.fromkeys(("visits", "answers", "item_rows", "voice"), 0)
    with db.atomic():
        store_rows = [(i + 1, org_id, f"S{i + 1:04d}", f"매장 {i + 1:04d} Store {i + 1}",
                       REGIONS[i % len(REGIONS)], "Sweet Ring", "standard") for i in range(n_stores)]
        conn.executemany("INSERT INTO stores (id, org_id, code, name, region, chain, store_type) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", store_rows)
        region = REGIONS[0]
        region_ids = tuple(s[0] for s in store_rows if s[4] == region)
        ids = {}
        for username, role, shopper, member in (("admin", "admin", False, ()),
                                                ("manager", "manager", False, region_ids),
                                                ("reviewer", "reviewer", False, ()),
                                                ("auditor", "auditor", False, region_ids[:STORES_PER_AUDITOR])):
            ids[username] = users.create_user(db, org_id=org_id, username=username, password=PASSWORD,
                                              role=role, display_name=username, mystery_shopper=shopper,
                                              store_ids=member)
        pw_hash = conn.execute("SELECT password_hash FROM users WHERE id = ?", [ids["auditor"]]).fetchone()[0]
        auditors = []
        for n in range(0, n_stores, STORES_PER_AUDITOR):
            cur = conn.execute("INSERT INTO users (org_id, username, display_name, password_hash, role, "
                               "mystery_shopper, active, created_at) VALUES (?, ?, ?, ?, 'auditor', ?, 1, ?)",
                               [org_id, f"shopper{n}", f"쇼퍼 {n}", pw_hash, int(n % 20 == 0), iso(datetime.now(KST))])
            auditors.append(cur.lastrowid)
        pool = template_pool(rng, checklist, POOL)
        visit_id = 0
        for s in store_rows:
            quality = rng.uniform(0.0, 1.0)  # where in the pool (sorted by quality) this store draws
            batch = _Batch()
            for offset in range(days, 0, -3):
                visit_id += 1
                day = today - timedelta(days=offset - rng.randint(0, 2))
                start = datetime(day.year, day.month, day.day, rng.choice((9, 11, 13, 15, 18)),
                                 rng.randint(0, 59), tzinfo=KST)
                status = "released" if offset > 3 else "submitted"
                auditor = auditors[(s[0] - 1) // STORES_PER_AUDITOR]
                at = min(len(pool) - 1, max(0, int(rng.gauss(quality, 0.08) * len(pool))))
                batch.visit(pool[at], row_id, visit_id, s[0], auditor, ids["reviewer"], start, status,
                            covert=rng.random() < 0.75)
            batch.flush(conn)
            counts["visits"] += batch.n_visits
            counts["answers"] += batch.n_answers
            counts["item_rows"] += batch.n_items
            latest = conn.execute("SELECT v.id, r.item_key FROM visits v JOIN visit_item_results r "
                                  "ON r.visit_id = v.id AND r.failed = 1 WHERE v.store_id = ? "
                                  "AND v.status = 'released' ORDER BY v.started_at DESC LIMIT 2", [s[0]]).fetchall()
            for n, (vid, key) in enumerate(latest):
                due = today + timedelta(days=(-5 if n else 7))
                conn.execute("INSERT INTO actions (visit_id, store_id, item_key, owner, due_date, note, status, "
                             "created_by, created_at) VALUES (?, ?, ?, ?, ?, '', 'open', ?, ?)",
                             [vid, s[0], key, "점장", due.isoformat(), ids["manager"], iso(datetime.now(KST))])
        counts["voice"] = voice_answers(db, rng, org_id, [s[0] for s in store_rows], ids["admin"], days, today,
                                        per_week)
        draft = _Batch()
        visit_id += 1
        draft.visit(make_template(rng, checklist, 0.8, scored=False), row_id, visit_id, region_ids[0],
                    ids["auditor"], None, datetime.now(KST), "draft", covert=False)
        draft.flush(conn)
    conn.execute("ANALYZE")
    db.close()
    built = {**counts, "region": region, "draft_visit": visit_id, "size_mb": os.path.getsize(path) / 2**20}
    (folder / "built.json").write_text(json.dumps({**built, "today": today.isoformat()}))
    return {**built, "checklist": checklist}


def voice_answers(db, rng, org_id: int, store_ids: list[int], admin_id: int, days: int, today: date,
                  per_week: int) -> int:
    """A customer survey round over the whole period at every store, ``per_week``
    answers per store per week (1 in 100 flagged as spam), drawn from a pool of
    answers reduced to rows by the app's ``response_parts``; return how many."""
    checklist = load_checklist(voice_demo.SURVEY)
    row_id = checklist_store.save_checklist(db, checklist)
    round_id = voice_workflow.create_round(
        db, org_id=org_id, checklist=checklist, checklist_row_id=row_id, title="고객의 소리 · Customer voice",
        starts_on=(today - timedelta(days=days)).isoformat(), ends_on=today.isoformat(), retention_days=90,
        store_ids=store_ids, actor_id=admin_id)
    links = {r[1]: r[0] for r in db.execute("SELECT id, store_id FROM voice_links WHERE round_id = ?", [round_id])}
    pool = []
    for _ in range(2000):
        levels = {tp: rng.gauss(0, 0.6) for tp in voice_demo.WEIGHTS}
        answers, _overall = voice_demo._answers(rng, levels)
        pool.append((json.dumps(answers, ensure_ascii=False), int(answers["recommend"]), answers["overall_rating"],
                     list(voice_parts.response_parts(checklist, answers).items())))
    n = 0
    for store_id in store_ids:
        responses, part_rows = [], []
        for k in range(days * per_week // 7):
            n += 1
            answers_json, nps, overall, parts = rng.choice(pool)
            day = today - timedelta(days=rng.randint(0, days - 1))
            stamp = iso(datetime(day.year, day.month, day.day, rng.randint(9, 20), rng.randint(0, 59), tzinfo=KST))
            flagged = int(rng.random() < 0.01)
            responses.append((n, round_id, store_id, links[store_id], f"bench-{n}", answers_json, nps, overall,
                              day.isoformat(), flagged, stamp))
            part_rows += [(n, part, value, store_id, stamp, row_id, 1 - flagged) for part, value in parts]
        db.conn.executemany(
            "INSERT INTO voice_responses (id, round_id, store_id, link_id, resume_key, status, locale, answers_json, "
            "nps, overall, local_day, flagged, started_at, submitted_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, 'submitted', 'ko', ?, ?, ?, ?, ?, ?, ?, ?)",
            [r + (r[-1], r[-1]) for r in responses])
        db.conn.executemany(voice_store_rows.PART_INSERT, part_rows)
    return n


def reuse(folder: Path, today: date) -> dict | None:
    """The chain ``build`` left in ``folder`` (``--keep``), if it was built today."""
    meta = folder / "built.json"
    if not meta.exists():
        return None
    built = json.loads(meta.read_text())
    if built.pop("today") != today.isoformat() or "voice" not in built:
        return None
    return {**built, "checklist": load_library()[demo.DOUGHNUT]}


def template_pool(rng, checklist, size: int) -> list[dict]:
    """Scored visits of every quality, best last: visits draw from these, so a
    year of visits costs ``size`` scorings, not one per visit."""
    pool = [make_template(rng, checklist, rng.uniform(0.45, 0.98)) for _ in range(size)]
    pool.sort(key=lambda t: t["score"] or 0)
    return pool


def make_template(rng, checklist, quality: float, scored: bool = True) -> dict:
    """One visit's answers (with seconds from the start), stopwatch marks, stage
    feelings and, scored by the app's scorer, its record and result rows."""
    answers, rows, timings, clock = {}, [], [], 0
    for item in checklist.items():
        if item.type == "photo":
            continue  # no photo files in a benchmark chain: counted as not taken
        if item.type == "timer":
            value = round(rng.gammavariate(2.0, 60.0 * (1.6 - quality)), 1)
            mark = clock + rng.randint(5, 30)
            timings += [(item.key, "start", mark), (item.key, "stop", mark + int(value))]
        else:
            value = demo._answer(rng, item, quality)
        if value is None:
            continue
        clock += rng.randint(20, 90)
        answers[item.key] = value
        rows.append((item.key, json.dumps(value, ensure_ascii=False), clock))
    notes = [(stage.key, demo._clamp(round(1 + 4 * quality + rng.gauss(0, 0.7)), 1, 5)) for stage in checklist.stages]
    out = {"answers": rows, "timings": timings, "notes": notes, "seconds": clock + 120, "score": None}
    if scored:
        items = item_results(checklist, answers)
        result = score_results(checklist, items)
        record = {k: list(v) if isinstance(v, tuple) else v for k, v in vars(result).items()}
        assert record == _jsonable(result)
        out.update(score=result.score, passed=int(result.passed), record=json.dumps(record, ensure_ascii=False),
                   rows=results.result_rows(PLACEHOLDER, stages=result.stages, touchpoints=result.touchpoints,
                                            items=items))
    return out


class _Clock:
    """ISO stamps for seconds after a visit's start, without a datetime per stamp."""

    def __init__(self, start: datetime):
        self.start = start.astimezone(UTC)
        self.day = self.start.strftime("%Y-%m-%dT")
        self.base = self.start.hour * 3600 + self.start.minute * 60 + self.start.second

    def __call__(self, seconds: int) -> str:
        t = self.base + int(seconds)
        if t >= 86400:
            return iso(self.start + timedelta(seconds=seconds))
        return f"{self.day}{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}+00:00"


class _Batch:
    """One store's visits as rows, inserted with executemany."""

    def __init__(self):
        self.rows = {k: [] for k in ("visits", "events", "answers", "notes", "timings", "stages", "tps", "items")}
        self.n_visits = self.n_answers = self.n_items = 0

    def visit(self, t: dict, row_id, visit_id, store_id, auditor_id, reviewer_id, start, status, covert):
        at = _Clock(start)
        r = self.rows
        r["answers"] += [(visit_id, key, value, "", at(sec), auditor_id, at(sec)) for key, value, sec in t["answers"]]
        r["timings"] += [(visit_id, key, "", event, at(sec), at(sec)) for key, event, sec in t["timings"]]
        done = at(t["seconds"])
        r["notes"] += [(visit_id, key, emotion, "", done) for key, emotion in t["notes"]]
        scored = status != "draft"
        if scored:
            stages, tps, items = t["rows"]
            where = (store_id, at(0), row_id, int(status == "released"))
            r["stages"] += [(visit_id, *row[1:3], *where) for row in stages]
            r["tps"] += [(visit_id, k, v) for _, k, v in tps]
            r["items"] += [(visit_id, *row[1:5], *where) for row in items]
            self.n_items += len(items)
        released = at(t["seconds"] + 20 * 3600)
        r["visits"].append((visit_id, row_id, store_id, auditor_id, int(covert), status, at(0),
                            done if scored else None, released if status == "released" else None,
                            t["score"], t.get("passed"), t.get("record"), at(0), done))
        events = [(None, "draft", auditor_id, at(0))]
        if scored:
            events.append(("draft", "submitted", auditor_id, done))
        if status == "released":
            events += [("submitted", "reviewed", reviewer_id, released),
                       ("reviewed", "released", reviewer_id, released)]
        r["events"] += [(visit_id, actor, a, b, when) for a, b, actor, when in events]
        self.n_visits += 1
        self.n_answers += len(t["answers"])

    def flush(self, conn):
        r = self.rows
        conn.executemany("INSERT INTO visits (id, checklist_row_id, store_id, auditor_id, covert, status, "
                         "started_at, submitted_at, released_at, score, passed, score_json, created_at, "
                         "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", r["visits"])
        conn.executemany("INSERT INTO visit_events (visit_id, actor_id, from_status, to_status, at) "
                         "VALUES (?, ?, ?, ?, ?)", r["events"])
        conn.executemany("INSERT INTO answers (visit_id, item_key, value_json, note, client_ts, updated_by, "
                         "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", r["answers"])
        conn.executemany("INSERT INTO stage_notes (visit_id, stage_key, emotion, note, updated_at) "
                         "VALUES (?, ?, ?, ?, ?)", r["notes"])
        conn.executemany("INSERT INTO timings (visit_id, item_key, touchpoint_key, event, at, created_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)", r["timings"])
        conn.executemany(results.STAGE_INSERT, r["stages"])
        conn.executemany(results.TOUCHPOINT_INSERT, r["tps"])
        conn.executemany(results.ITEM_INSERT, r["items"])


# --- timing through the app -------------------------------------------------------

def make_app(folder: Path):
    return create_app({"TESTING": False, "SECRET_KEY": "bench", "DATABASE": str(folder / "cem.sqlite3"),
                       "PHOTO_DIR": str(folder / "photos"), "JOB_RUNNER": False, "SIM_WORKERS": 1})


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or \
        re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return match.group(1)


def login(app, username: str):
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code in (302, 303), f"login {username}: {r.status_code}"
    return client


def period(today: date, days: int) -> str:
    return f"start={(today - timedelta(days=days - 1)).isoformat()}&end={today.isoformat()}"


CPU: dict[int, list[float]] = {}  # id(wall list) -> CPU seconds of the same runs


def timed(fn, runs: int, warm: int = 1) -> list[float]:
    """Wall seconds of ``runs`` calls; their CPU seconds (this process) go to ``CPU``."""
    for _ in range(warm):
        fn()
    out, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        out.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU[id(out)] = cpu
    return out


HTMX = {"Accept-Language": "ko", "HX-Request": "true"}


def get_ok(client, url: str, headers=None) -> bytes:
    r = client.get(url, headers=headers or {"Accept-Language": "ko"})
    assert r.status_code == 200, f"{url}: {r.status_code}"
    return r.data


def streamed(client, url: str) -> tuple[float, float, int]:
    """Seconds to the first chunk, seconds to the last, bytes."""
    t = time.perf_counter()
    r = client.get(url, buffered=False, headers={"Accept-Language": "ko"})
    assert r.status_code == 200, f"{url}: {r.status_code}"
    first, size = None, 0
    for chunk in r.response:
        if first is None and chunk:
            first = time.perf_counter() - t
        size += len(chunk)
    r.close()
    return first or 0.0, time.perf_counter() - t, size


def peak_mb(client, url: str) -> float:
    tracemalloc.start()
    streamed(client, url)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def load_dashboards(folder: str, url: str, ready, stop, done) -> None:
    """Another process: an admin reloading a year's dashboard until told to stop."""
    client = login(make_app(Path(folder)), "admin")
    ready.set()
    n = 0
    while not stop.is_set():
        get_ok(client, url)
        get_ok(client, url.replace("/dashboard?", "/dashboard/customers?"), HTMX)
        n += 1
    done.value = n


def answer_saves(client, visit_id: int, keys: list[str], runs: int) -> list[float]:
    token = csrf_of(client.get(f"/visits/{visit_id}/stage/0").get_data(as_text=True))
    out = []
    for n in range(runs):
        t = time.perf_counter()
        r = client.post(f"/visits/{visit_id}/items/{keys[n % len(keys)]}",
                        data={"value": "yes" if n % 2 else "no", "csrf_token": token},
                        headers={"HX-Request": "true"})
        out.append(time.perf_counter() - t)
        assert r.status_code == 200, f"answer save: {r.status_code}"
    return out


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=600)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per figure (after one warm-up)")
    parser.add_argument("--saves", type=int, default=60, help="answer saves per phase")
    parser.add_argument("--voice-per-week", type=int, default=3, help="customer answers per store per week")
    parser.add_argument("--keep", metavar="DIR", help="build the chain into DIR, or reuse the one already there")
    args = parser.parse_args()
    today = datetime.now(KST).date()
    rows: list[tuple] = []

    def add(figure, values, target, limit, unit="ms"):
        scale = 1000 if unit == "ms" else 1
        med, high = statistics.median(values) * scale, p95(values) * scale
        cpu = CPU.get(id(values))
        rows.append((figure, f"{med:.0f} {unit}" if unit == "ms" else f"{med:.1f} {unit}",
                     f"{high:.0f} {unit}" if unit == "ms" else f"{high:.1f} {unit}",
                     f"{statistics.median(cpu) * scale:.0f} {unit}" if cpu else "", target,
                     "yes" if limit(med, high) else "NO"))

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        built = reuse(folder, today) if args.keep else None
        if built is None:
            for stale in folder.glob("cem.sqlite3*"):
                stale.unlink()
            built = build(folder, args.stores, args.days, today, args.voice_per_week)
        build_s = time.perf_counter() - t
        print(f"built {args.stores} stores x {args.days} days: {built['visits']} visits, {built['answers']} answers, "
              f"{built['item_rows']} item result rows, {built['voice']} customer answers, "
              f"{built['size_mb']:.0f} MB, in {build_s:.0f} s; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
        app = make_app(folder)
        manager, admin = login(app, "manager"), login(app, "admin")
        for who, client in (("region manager", manager), ("admin", admin)):
            for days, target in ((30, 100), (90, 100), (365, 300)):
                url = f"/dashboard?{period(today, days)}"
                add(f"dashboard {days} d, {who}", timed(lambda c=client, u=url: get_ok(c, u), args.runs),
                    f"median < {target} ms", lambda m, h, t=target: m < t)
                # the section the page asks for once shown (htmx), the same filters
                url = f"/dashboard/customers?{period(today, days)}"
                add(f"  its customer section, {days} d, {who}",
                    timed(lambda c=client, u=url: get_ok(c, u, HTMX), args.runs),
                    f"median < {target} ms", lambda m, h, t=target: m < t)
        year = period(today, 365)
        exports = [(f"CSV {t}", f"/dashboard.csv?table={t}&{year}") for t in ("stores", "hotspots", "visits",
                                                                             "actions")]
        exports.append(("JSON", f"/dashboard.json?{year}"))
        memory = []
        for name, url in exports:
            streamed(admin, url)  # one warm-up, as for the other figures (a cold page cache is the disk's time)
            runs = [streamed(admin, url) for _ in range(max(3, args.runs // 2))]
            add(f"{name} export, year, first byte", [r[0] for r in runs], "< 200 ms", lambda m, h: h < 200)
            add(f"{name} export, year, total ({runs[0][2] / 2**20:.1f} MB)", [r[1] for r in runs], "streamed",
                lambda m, h: True)
        quarter = period(today, 90)
        for name, url in (("visits CSV", "/dashboard.csv?table=visits&"), ("JSON", "/dashboard.json?")):
            small, big = peak_mb(admin, url + quarter), peak_mb(admin, url + year)
            memory.append((name, small, big))
            rows.append((f"{name} peak memory, 90 d -> year", f"{small:.1f} MB", f"{big:.1f} MB", "",
                         "flat in rows", "yes" if big < small * 1.5 + 1 else "NO"))
        visit_id = manager.get(f"/dashboard.json?{period(today, 30)}").get_json()["visits"][0]["id"]
        add("visit PDF", timed(lambda: get_ok(manager, f"/reports/visits/{visit_id}.pdf"), max(3, args.runs // 2)),
            "< 2 s", lambda m, h: m < 2000)
        for days in (90, 365):
            url = f"/reports/period.pdf?region={built['region']}&{period(today, days)}"
            add(f"region period PDF, {days} d", timed(lambda u=url: get_ok(manager, u), max(3, args.runs // 2)),
                "median < 2 s", lambda m, h: m < 2000)
        auditor = login(app, "auditor")
        keys = [i.key for i in built["checklist"].items() if i.type == "yes_no"][:6]
        idle = answer_saves(auditor, built["draft_visit"], keys, args.saves)
        ctx = multiprocessing.get_context("spawn")
        ready, stop, done = ctx.Event(), ctx.Event(), ctx.Value("i", 0)
        loader = ctx.Process(target=load_dashboards, args=(str(folder), f"/dashboard?{year}", ready, stop, done))
        loader.start()
        ready.wait(120)
        time.sleep(0.5)
        busy = answer_saves(auditor, built["draft_visit"], keys, args.saves)
        stop.set()
        loader.join(60)
        add("answer save, idle", idle, "reference", lambda m, h: True)
        base = p95(idle) * 1000
        add(f"answer save, {done.value} year dashboards loading", busy, f"p95 <= {base * 1.25 + 10:.0f} ms",
            lambda m, h: h <= base * 1.25 + 10)
    width = max(len(r[0]) for r in rows)
    print(f"\n{'figure':<{width}}  {'median':>9}  {'p95':>9}  {'CPU med':>9}  {'target':<20} met?")
    for figure, med, high, cpu, target, met in rows:
        print(f"{figure:<{width}}  {med:>9}  {high:>9}  {cpu:>9}  {target:<20} {met}")
    print("\nmedian and p95: wall time through the app (test client); CPU med: this process's CPU time for the\n"
          "same runs, what the figure would be with a core to itself; met? judges the wall time.")
    print(f"\nload average after: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
