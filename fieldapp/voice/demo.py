"""Demo customer answers: a survey round at every store with a few hundred answers
generated from known touchpoint weights, so every customer-voice screen has
content and the drivers page has something true to find.

Deterministic (its own ``random.Random(17)``). Stores follow the mystery-shop
demo: Gangnam good, Hongdae slow at the queue, Haeundae weak on hygiene.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from checklists import load_checklist
from fieldapp.storage import checklist_store, stores
from fieldapp.storage import voice as store
from fieldapp.storage import voice_results
from fieldapp.voice import parts, workflow

SURVEY = Path(__file__).with_name("surveys") / "doughnut_customer_voice.yaml"
KST = timezone(timedelta(hours=9))
# The true weights of each touchpoint in the overall rating (what /voice/drivers should find).
WEIGHTS = {"store_hygiene": 0.35, "queue": 0.25, "ordering": 0.2, "production_line": 0.1,
           "sample_offer": 0.05, "storefront": 0.05}
ITEM_OF = {"queue": "wait_rating", "storefront": "welcome_rating", "production_line": "line_rating",
           "store_hygiene": "clean_rating", "sample_offer": "sample_rating", "ordering": "staff_rating"}
# Per store: answers, and each touchpoint's level (latent, 0 = average).
STORES = {"GN01": (120, {"queue": 0.6, "store_hygiene": 0.8, "ordering": 0.6, "production_line": 0.7,
                         "sample_offer": 0.5, "storefront": 0.5}),
          "HD02": (100, {"queue": -0.9, "store_hygiene": 0.3, "ordering": 0.1, "production_line": 0.5,
                         "sample_offer": 0.2, "storefront": 0.2}),
          "HU03": (90, {"queue": 0.0, "store_hygiene": -1.0, "ordering": -0.2, "production_line": 0.0,
                        "sample_offer": -0.3, "storefront": 0.0})}
IMPROVE = {"store_hygiene": ["테이블이 끈적했어요", "매장 청결이 아쉬웠어요", "Tables were sticky and the bin was full"],
           "queue": ["줄이 너무 길었어요", "기다리는 시간이 길었어요", "The queue took far too long"],
           "ordering": ["직원이 불친절했어요", "주문이 잘못 나왔어요", "Staff seemed rushed and unfriendly"],
           "production_line": ["제조 라인이 멈춰 있었어요", "The doughnut line was not running"],
           "sample_offer": ["시식이 없었어요", "No sample this time"],
           "storefront": ["입구가 어수선했어요", "The entrance was messy"]}
PRAISE = ["도넛이 정말 맛있어요!", "직원분들이 친절해요", "갓 나온 도넛 최고", "Lovely fresh doughnuts", "Great service"]


def _clamp(v, lo, hi):
    return max(lo, min(hi, v))


def _answers(rng, levels) -> tuple[dict, float]:
    mood = rng.gauss(0, 0.6)
    latent = {tp: levels[tp] + mood + rng.gauss(0, 0.7) for tp in WEIGHTS}
    answers = {"wait_rating": None}
    answers["saw_line"] = "yes" if rng.random() < 0.7 else "no"
    answers["got_sample"] = "yes" if rng.random() < (0.65 + 0.1 * levels["sample_offer"]) else "no"
    for tp, key in ITEM_OF.items():
        if (tp == "production_line" and answers["saw_line"] == "no") or \
                (tp == "sample_offer" and answers["got_sample"] == "no"):
            continue
        answers[key] = int(_clamp(round(3.2 + 1.1 * latent[tp]), 1, 5))
    overall = sum(w * latent[tp] for tp, w in WEIGHTS.items()) + rng.gauss(0, 0.35)
    answers["overall_rating"] = int(_clamp(round(3.3 + 1.4 * overall), 1, 5))
    answers["recommend"] = float(_clamp(round(7.6 + 2.6 * overall + rng.gauss(0, 0.8)), 0, 10))
    worst = min(latent, key=latent.get)
    if answers["recommend"] <= 6:
        answers["improve"] = rng.choice(IMPROVE[worst])
    if rng.random() < 0.2:
        answers["comment"] = rng.choice(PRAISE if answers["recommend"] >= 9 else IMPROVE[worst])
    return {k: v for k, v in answers.items() if v is not None}, overall


def seed(db, store_ids: dict, user_ids: dict, today: date, now: datetime | None = None) -> dict:
    """One open round (the last 45 days and the next 30) with ~300 answers, none after
    ``now`` (the clock by default); return counts and the round."""
    rng = random.Random(17)
    checklist = load_checklist(SURVEY)
    row_id = checklist_store.save_checklist(db, checklist)
    round_id = workflow.create_round(
        db, org_id=stores.get_store(db, store_ids["GN01"])["org_id"], checklist=checklist, checklist_row_id=row_id, title="2026 겨울 고객의 소리 · Winter customer voice",
        starts_on=(today - timedelta(days=45)).isoformat(), ends_on=(today + timedelta(days=30)).isoformat(),
        retention_days=90, store_ids=[store_ids[c] for c in STORES], actor_id=user_ids["admin"])
    links = {x["store_code"]: x for x in store.links_of_round(db, round_id, "store")}
    made, now = 0, now or datetime.now(KST)
    with db.atomic():
        for code, (count, levels) in STORES.items():
            link = links[code]
            for n in range(count):
                answers, _overall = _answers(rng, levels)
                day = today - timedelta(days=rng.randint(0, 29))
                moment = datetime.combine(day, time(rng.randint(9, 20), rng.randint(0, 59)), KST)
                if moment > now:  # seeded in the morning: today's later hours have not happened yet
                    day, moment = day - timedelta(days=1), moment - timedelta(days=1)
                stamp = moment.astimezone(timezone.utc).isoformat(timespec="seconds")
                consent = rng.random() < 0.12
                response_id = store.insert_response(db, {
                    "round_id": round_id, "store_id": link["store_id"], "link_id": link["id"],
                    "resume_key": f"demo-{code}-{n}", "status": "submitted", "locale": rng.choice(("ko", "ko", "en")),
                    "answers": answers, "nps": int(answers["recommend"]), "overall": answers["overall_rating"],
                    "device_hash": f"demo-device-{code}-{n}", "local_day": day.isoformat(),
                    "flagged": 0, "consent": int(consent),
                    "contact_name": "고객" if consent else None,
                    "contact": f"010-0000-{1000 + n:04d}" if consent else None,
                    "contact_erase_after": (moment + timedelta(days=90)).astimezone(timezone.utc)
                    .isoformat(timespec="seconds") if consent else None,
                    "started_at": stamp, "submitted_at": stamp, "updated_at": stamp})
                store.index_comments(db, response_id, workflow.comments_of(checklist, answers))
                voice_results.write_parts(db, response_id, parts.response_parts(checklist, answers))
                made += 1
        spam_at = (today - timedelta(days=1)).isoformat() + "T03:00:00+00:00"  # noon in Korea, yesterday
        spam_answers = {**_answers(rng, STORES["HD02"][1])[0], "recommend": 0.0, "comment": "광고 http://spam.example"}
        spam = store.insert_response(db, {
            "round_id": round_id, "store_id": links["HD02"]["store_id"], "link_id": links["HD02"]["id"],
            "resume_key": "demo-spam", "status": "submitted", "locale": "ko",
            "answers": spam_answers,
            "nps": 0, "overall": 1, "flagged": 1, "flag_note": "광고", "started_at": spam_at, "submitted_at": spam_at,
            "updated_at": spam_at})
        voice_results.write_parts(db, spam, parts.response_parts(checklist, spam_answers))
    workflow.invite_panel(db, round_id=round_id, store_id=store_ids["GN01"], labels=["패널 김", "패널 이", "Panel Park"],
                          actor_id=user_ids["admin"])
    return {"voice_answers": made, "voice_flagged": 1 if spam else 0, "voice_round": round_id}
