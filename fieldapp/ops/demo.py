"""Demo data: a doughnut chain with three stores, one user per role, and 60
days of past visits generated from the bundled checklists.

Deterministic (``random.Random(42)``) so screenshots and reports are stable.
Stores differ on purpose: Gangnam is good, Hongdae slow at peak, Haeundae
weak on hygiene, so dashboards and reports have something to say.
"""

from __future__ import annotations

import io
import math
import random
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from PIL import Image, ImageDraw

from checklists import Checklist, load_library
from fieldapp.audit import photo_files
from fieldapp.audit import workflow as visit_service
from fieldapp.planner.demo_adoption import adopted_staffing, demo_scenario, seed_adoption
from fieldapp.storage import checklist_store, journey, photos, stores, users, visits

KST = timezone(timedelta(hours=9))
DEMO_PASSWORD_SUFFIX = "-demo-2026"

# (code, name, region, quality 0..1, traffic factor, store type)
STORES = (
    ("GN01", "강남역점 Gangnam Station", "서울 Seoul", 0.90, 1.0, "flagship"),
    ("HD02", "홍대점 Hongdae", "서울 Seoul", 0.78, 1.1, "street"),
    ("HU03", "해운대점 Haeundae", "부산 Busan", 0.62, 0.8, "street"),
)
OPEN_HOUR, CLOSE_HOUR = 8, 22
# Customers per hour from 08:00 to 21:00 for a traffic factor of 1.
TRAFFIC_PROFILE = (25, 35, 50, 70, 90, 85, 60, 50, 55, 65, 75, 70, 50, 35)
# Counter staff per hour; Hongdae keeps two all day, so its peaks are slow.
STAFFING = {
    "GN01": {h: (3 if h in (11, 12, 13, 17, 18, 19) else 2) for h in range(OPEN_HOUR, CLOSE_HOUR)},
    "HD02": {h: 2 for h in range(OPEN_HOUR, CLOSE_HOUR)},
    "HU03": {h: (1 if h < 10 or h >= 20 else 2) for h in range(OPEN_HOUR, CLOSE_HOUR)},
}
SERVICE_MEAN_MIN, SERVICE_SD_MIN = 1.1, 0.5  # order + pay + hand over, at the counter

# username, role, display name, mystery shopper, member of store codes
USERS = (
    ("admin", "admin", "관리자 Admin", False, ()),
    ("manager", "manager", "김점장 Manager Kim", False, ("GN01", "HD02")),
    ("manager2", "manager", "박점장 Manager Park", False, ("HU03",)),
    ("reviewer", "reviewer", "이검수 Reviewer Lee", False, ()),
    ("shopper", "auditor", "미스터리 쇼퍼 Shopper", True, ("GN01", "HD02", "HU03")),
    ("staff", "auditor", "정직원 Staff Jung", False, ("GN01",)),
    ("planner", "planner", "최기획 Planner Choi", False, ()),
    ("crew", "staff", "한매장 Crew Han", False, ("HU03",)),  # store staff: acts on HU03's actions
)

DOUGHNUT = "doughnut-mystery-shop"
# The planner's adopted change in the demo: one more person at Hongdae's counter at lunch, 14 days ago.
ADOPTED_STORE, ADOPTED_DAYS_AGO = "HD02", 14


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, password, role) of every demo account."""
    return [(u, u + DEMO_PASSWORD_SUFFIX, role) for u, role, *_ in USERS]


def seed(db, photo_dir: Path, *, days: int = 60, today: date | None = None) -> dict:
    """Fill an empty database with the demo chain; return counts of what was made."""
    rng = random.Random(42)
    today = today or datetime.now(KST).date()
    library = load_library()
    org_id = stores.create_organisation(db, "스위트링 도넛 Sweet Ring Doughnuts")
    store_ids = {code: stores.create_store(db, org_id=org_id, code=code, name=name, region=region,
                                           chain="Sweet Ring", store_type=kind)
                 for code, name, region, _quality, _traffic, kind in STORES}
    user_ids = {}
    for username, role, display, shopper, codes in USERS:
        user_ids[username] = users.create_user(
            db, org_id=org_id, username=username, password=username + DEMO_PASSWORD_SUFFIX,
            role=role, display_name=display, mystery_shopper=shopper,
            store_ids=tuple(store_ids[c] for c in codes))
    row_ids = {cid: checklist_store.save_checklist(db, cl) for cid, cl in library.items()}
    checklist = library[DOUGHNUT]
    made = 0
    _seed_traffic_and_staffing(db, store_ids, today, days)
    for code, _name, _region, quality, traffic, _kind in STORES:
        for day_offset in range(days, 0, -3):
            day = today - timedelta(days=day_offset - rng.randint(0, 2))
            covert = rng.random() < 0.75
            auditor = "shopper" if covert or code != "GN01" else "staff"
            staffing = STAFFING[code]
            if code == ADOPTED_STORE and day >= today - timedelta(days=ADOPTED_DAYS_AGO):
                staffing = adopted_staffing(staffing)  # the adopted change runs from then on
            _make_visit(db, rng, photo_dir, checklist, row_ids[DOUGHNUT], store_ids[code],
                        user_ids[auditor], user_ids["reviewer"], day, quality,
                        (traffic, staffing), covert, final=_final_status(day_offset))
            made += 1
    made += _seed_adopted_change(db, photo_dir, checklist, row_ids[DOUGHNUT], store_ids, user_ids, org_id, today)
    _make_assignments(db, rng, row_ids, store_ids, user_ids, today)
    _make_actions(db, store_ids, user_ids, today)
    _demo_mail_addresses(db, user_ids)
    _seed_customer_voice(db, store_ids, user_ids, today)
    return {"stores": len(store_ids), "users": len(user_ids), "checklists": len(row_ids),
            "visits": made}


def _final_status(day_offset: int) -> str:
    if day_offset <= 3:
        return "submitted"
    return "released"


def _seed_adopted_change(db, photo_dir, checklist, row_id, store_ids, user_ids, org_id, today) -> int:
    """A planner's adopted what-if (one more person at lunch at Hongdae) with its prediction, and
    lunch-hour audits there before and after the date, so the planner's home has an answer."""
    traffic = next(t for code, _n, _r, _q, t, _k in STORES if code == ADOPTED_STORE)
    quality = next(q for code, _n, _r, q, _t, _k in STORES if code == ADOPTED_STORE)
    start = today - timedelta(days=ADOPTED_DAYS_AGO)
    scenario = demo_scenario([r * traffic for r in TRAFFIC_PROFILE], STAFFING[ADOPTED_STORE], OPEN_HOUR,
                             SERVICE_MEAN_MIN, SERVICE_SD_MIN)
    seed_adoption(db, org_id=org_id, user_id=user_ids["planner"], store_id=store_ids[ADOPTED_STORE],
                  from_day=start.isoformat(), scenario=scenario, open_hour=OPEN_HOUR)
    follow = random.Random(18)
    made = 0
    for i in range(24):
        for day, staffing in ((start - timedelta(days=1 + i * 13 // 23), STAFFING[ADOPTED_STORE]),
                              (start + timedelta(days=i * 13 // 23), adopted_staffing(STAFFING[ADOPTED_STORE]))):
            _make_visit(db, follow, photo_dir, checklist, row_id, store_ids[ADOPTED_STORE], user_ids["shopper"],
                        user_ids["reviewer"], day, quality, (traffic, staffing), True,
                        final=_final_status((today - day).days), hour=follow.choice((11, 12, 13)))
            made += 1
    return made


def _make_visit(db, rng, photo_dir, checklist: Checklist, row_id, store_id, auditor_id,
                reviewer_id, day, quality, load, covert, final, hour=None) -> int:
    hour = hour or rng.choice((9, 11, 12, 13, 15, 17, 18, 19))
    start = datetime.combine(day, time(hour, rng.randint(0, 59)), KST)
    visit_id = visits.create_visit(db, checklist_row_id=row_id, store_id=store_id,
                                   auditor_id=auditor_id, covert=covert,
                                   started_at=_iso(start))
    traffic, staffing = load
    wait_min = queue_wait_min(rng, TRAFFIC_PROFILE[hour - OPEN_HOUR] * traffic, staffing[hour])
    timeline = _timeline(rng, start + timedelta(minutes=2), wait_min)
    wait_feeling = satisfaction_of_wait(wait_min)
    clock = start
    for stage in checklist.stages:
        stage_has_timer = False
        for tp in stage.touchpoints:
            for item in tp.items:
                clock += timedelta(seconds=rng.randint(20, 90))
                if item.type == "photo":
                    _photo(db, rng, photo_dir, visit_id, item.key, auditor_id, False)
                    continue
                if item.type == "timer":
                    value = _timer(db, visit_id, item, tp.key, timeline)
                    stage_has_timer = True
                    clock = max(clock, timeline["served"])
                elif item.type == "rating" and item.mode == "emotional" and stage_has_timer:
                    value = _rating_from(rng, wait_feeling)
                else:
                    value = _answer(rng, item, quality)
                if value is None:
                    continue
                note = _note(rng, item, value)
                visits.save_answer(db, visit_id=visit_id, item_key=item.key, value=value,
                                   user_id=auditor_id, note=note, client_ts=_iso(clock))
                if _failed(item, value) and item.photo_on_fail:
                    _photo(db, rng, photo_dir, visit_id, item.key, auditor_id, True)
        feeling = wait_feeling if stage_has_timer else 100 * quality
        visits.set_stage_note(db, visit_id=visit_id, stage_key=stage.key,
                              emotion=_rating_from(rng, feeling), note="")
    end = clock + timedelta(minutes=2)
    visit_service.submit(db, visit_id, auditor_id, at=_iso(end))
    if final == "released":
        visit_service.approve(db, visit_id, reviewer_id, at=_iso(end + timedelta(hours=20)))
    return visit_id


def queue_wait_min(rng, rate_per_hour: float, servers: int) -> float:
    """A wait drawn from this hour's queue, so the demo's stopwatch data agree
    with its traffic, rota and service times: Erlang C for whether and how
    long one waits, scaled by Allen–Cunneen's (1 + CV²)/2 because service
    times are gamma, not exponential."""
    mu = 60.0 / SERVICE_MEAN_MIN
    rho = min(rate_per_hour / (servers * mu), 0.97)
    lam = rho * servers * mu
    a = lam / mu
    term = sum(a ** k / math.factorial(k) for k in range(servers))
    top = a ** servers / math.factorial(servers) / (1 - rho)
    if rng.random() >= top / (term + top):
        return 0.0  # walked straight up to the counter
    cv2 = (SERVICE_SD_MIN / SERVICE_MEAN_MIN) ** 2
    return rng.expovariate((servers * mu - lam) / 60.0) * (1 + cv2) / 2


def satisfaction_of_wait(wait_min: float) -> float:
    """How a wait feels, 0-100: a logistic fall around 4 minutes (the demo's truth)."""
    return 100.0 / (1.0 + math.exp((wait_min - 4.0) / 1.2))


def _rating_from(rng, satisfaction: float) -> int:
    return _clamp(round(1 + 4 * satisfaction / 100 + rng.gauss(0, 0.45)), 1, 5)


def _timeline(rng, joined: datetime, wait_min: float) -> dict:
    """The moments of one customer's visit to the counter."""
    wait = timedelta(minutes=wait_min)
    service = max(0.2, rng.gammavariate((SERVICE_MEAN_MIN / SERVICE_SD_MIN) ** 2,
                                        SERVICE_SD_MIN ** 2 / SERVICE_MEAN_MIN))
    order_taken = joined + wait
    return {
        "queue_joined": joined,
        "greeted": joined + min(wait, timedelta(seconds=rng.expovariate(1 / 25))),
        "sample_offered": joined + wait * rng.uniform(0.2, 0.8),
        "order_taken": order_taken,
        "served": order_taken + timedelta(minutes=service),
    }


def _timer(db, visit_id, item, tp_key, timeline) -> float | None:
    """Write the stopwatch marks of one timer item from the timeline; return its seconds."""
    marks = [(event, timeline[event]) for event in item.timer_events if event in timeline]
    if len(marks) < 2:
        return None
    for event, at in marks:
        visits.add_timing(db, visit_id=visit_id, item_key=item.key, touchpoint_key=tp_key,
                          event=event, at=_iso(at))
        journey.add_mark(db, visit_id=visit_id, event=event, at=_iso(at), user_id=None)
    return round((marks[-1][1] - marks[0][1]).total_seconds(), 1)


def _seed_traffic_and_staffing(db, store_ids, today, days) -> None:
    """Door-counter counts per 15 minutes and the counter rota, for the planner."""
    import numpy as np

    counts = np.random.default_rng(7)
    with db.atomic():
        for code, _name, _region, _quality, traffic, _kind in STORES:
            store_id = store_ids[code]
            db["rota"].insert_all(
                ({"store_id": store_id, "weekday": d, "station": "counter", "hour": h, "servers": n}
                 for d in range(7) for h, n in STAFFING[code].items()))
            rows = []
            for offset in range(days, 0, -1):
                day = (today - timedelta(days=offset)).isoformat()
                for hour in range(OPEN_HOUR, CLOSE_HOUR):
                    mean = TRAFFIC_PROFILE[hour - OPEN_HOUR] * traffic / 4
                    for quarter in range(4):
                        rows.append({"store_id": store_id, "day": day,
                                     "slot_start": f"{hour:02d}:{quarter * 15:02d}",
                                     "count": int(counts.poisson(mean))})
            db["traffic_counts"].insert_all(rows, batch_size=2000)


def _answer(rng, item, quality):
    good = rng.random() < quality
    if item.type in ("yes_no", "yes_no_na"):
        if item.type == "yes_no_na" and rng.random() < 0.08:
            return "na"
        if item.critical:
            good = rng.random() < min(0.985, quality + 0.3)
        return "yes" if good else "no"
    if item.type == "rating":
        return _clamp(round(1 + 4 * quality + rng.gauss(0, 0.8)), 1, 5)
    if item.type == "number" and item.pass_min is None and item.pass_max is None:
        low = item.min if item.min is not None else 0
        return float(round(low + rng.uniform(0, 8) * (2 - quality)))
    if item.type == "number":
        low = item.pass_min if item.pass_min is not None else (item.min if item.min is not None else 0)
        high = item.pass_max if item.pass_max is not None else (item.max if item.max is not None else 10)
        value = rng.uniform(low, high) if good else high + abs(high - low) * rng.uniform(0.1, 0.5)
        if item.max is not None:
            value = min(value, item.max)
        return round(value, 1)
    if item.type == "choice":
        ranked = sorted(item.choices, key=lambda c: -c.score)
        return (ranked[0] if good else ranked[-1]).key if ranked else None
    if item.type == "text":
        return rng.choice(("친절했어요.", "매장이 붐볐습니다.", "Fresh and warm.", "특이사항 없음."))
    return None


def _failed(item, value) -> bool:
    from checklists import item_failed

    return bool(item_failed(item, value))


def _note(rng, item, value) -> str:
    if _failed(item, value) and rng.random() < 0.7:
        return rng.choice(("대기 줄 안내가 없었습니다.", "직원이 바빠 보였습니다.",
                           "Counter not wiped.", "시식 도넛이 없었습니다."))
    return ""


def _photo(db, rng, photo_dir, visit_id, item_key, user_id, failed) -> None:
    colour = (200, 70, 60) if failed else (70, 150, 90)
    image = Image.new("RGB", (640, 480), (240, 226, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 60, 600, 420), fill=colour)
    for i in range(6):
        x = 80 + i * 85
        draw.ellipse((x, 180, x + 70, 250), fill=(230, 180, 90), outline=(120, 70, 30), width=6)
    draw.text((50, 20), f"visit {visit_id} {item_key}", fill=(20, 20, 20))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=80)
    stored = photo_files.store_photo(buf.getvalue(), photo_dir / str(visit_id), max_px=1600)
    photos.add_photo(db, visit_id=visit_id, item_key=item_key,
                     filename=f"{visit_id}/{stored.filename}",
                     thumb_filename=f"{visit_id}/{stored.thumb_filename}",
                     width=stored.width, height=stored.height, size=stored.size,
                     uploaded_by=user_id)


def _make_assignments(db, rng, row_ids, store_ids, user_ids, today) -> None:
    """Open mystery shops for today and the coming days, for the auditor's home."""
    plan = ((0, "GN01"), (0, "HD02"), (2, "HU03"), (5, "GN01"))
    with db.atomic():
        for offset, code in plan:
            start = today + timedelta(days=offset)
            db["assignments"].insert({
                "checklist_row_id": row_ids[DOUGHNUT], "store_id": store_ids[code],
                "auditor_id": user_ids["shopper"], "assigned_by": user_ids["reviewer"],
                "window_start": start.isoformat(),
                "window_end": (start + timedelta(days=2)).isoformat(),
                "covert": 1, "note": "점심 피크 시간(12-13시)에 방문해 주세요.",
                "status": "open", "created_at": _iso(datetime.now(KST))})


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _clamp(value, low, high):
    return max(low, min(high, value))


def _make_actions(db, store_ids, user_ids, today) -> None:
    """Corrective actions per store on failed items: one done (verifiable by a later
    visit), one overdue, one due next week, so the dashboard and reports show each state."""
    import json

    from fieldapp.storage import actions as action_store

    owners = ("부점장 Deputy", "위생 담당 Hygiene lead", "오전 조장 Morning lead")
    with db.atomic():
        for code, store_id in store_ids.items():
            failing = [r for r in visits.released_visits_of_store(db, store_id)
                       if json.loads(r["score_json"])["failed_items"]]
            if len(failing) < 3:
                continue
            picks = (failing[0], failing[len(failing) // 2], failing[-1])
            dues = (today - timedelta(days=20), today - timedelta(days=3), today + timedelta(days=7))
            for n, (visit, due) in enumerate(zip(picks, dues)):
                item_key = json.loads(visit["score_json"])["failed_items"][0]
                manager = "manager" if code != "HU03" else "manager2"
                owner = "crew" if code == "HU03" and n == 1 else manager  # owned by people of the store
                action_id = action_store.insert_action(
                    db, visit_id=visit["id"], store_id=store_id, item_key=item_key, owner=owners[n],
                    owner_id=user_ids[owner], due_date=due.isoformat(), note="다음 방문 전까지 조치해 주세요.",
                    created_by=user_ids[manager])
                if n == 0:
                    done_at = datetime.fromisoformat(visit["started_at"]) + timedelta(days=1)
                    db["actions"].update(action_id, {"status": "done", "done_at": _iso(done_at)})


def _demo_mail_addresses(db, user_ids) -> None:
    """Every demo user gets an address on a reserved domain (mail goes out only with FIELDAPP_MAIL_HOST)."""
    from fieldapp.storage import notify as notify_store

    for username, user_id in user_ids.items():
        notify_store.save_settings(db, user_id, email=f"{username}@sweetring.example", mode="now", muted=set())


def _seed_customer_voice(db, store_ids, user_ids, today) -> None:
    """A customer survey round with a few hundred answers (fieldapp/voice/demo.py)."""
    from fieldapp.voice import demo as voice_demo

    voice_demo.seed(db, store_ids, user_ids, today)
