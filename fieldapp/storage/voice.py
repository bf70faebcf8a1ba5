"""Customer voice: survey rounds, public links, anonymous responses, rate counters.

Rate-limit counters live in a separate small SQLite file (``rate_connect``):
a flood of refused posts then only writes there and never queues for the
main database's write lock, which the auditors' answer saves need.
"""

from __future__ import annotations

import json
import re
import sqlite3

from fieldapp.storage import IN_LIST, as_list, now

_LINK = ("SELECT l.*, r.org_id, r.checklist_row_id, r.title AS round_title, r.status AS round_status, "
         "r.starts_on, r.ends_on, r.retention_days, r.nps_item, r.overall_item, "
         "s.name AS store_name, s.code AS store_code, s.region "
         "FROM voice_links l JOIN voice_rounds r ON r.id = l.round_id JOIN stores s ON s.id = l.store_id ")


def _one(rows):
    rows = list(rows)
    return rows[0] if rows else None


# --- rounds and links --------------------------------------------------------

def create_round(db, *, org_id: int, checklist_row_id: int, title: str, starts_on: str, ends_on: str,
                 retention_days: int, nps_item: str | None, overall_item: str | None, created_by: int) -> int:
    with db.atomic():
        return db["voice_rounds"].insert({
            "org_id": org_id, "checklist_row_id": checklist_row_id, "title": title, "starts_on": starts_on,
            "ends_on": ends_on, "retention_days": retention_days, "nps_item": nps_item,
            "overall_item": overall_item, "created_by": created_by, "created_at": now(),
            "status": "open"}).last_pk


def get_round(db, round_id: int) -> dict | None:
    return _one(db.query("SELECT r.*, c.checklist_id, c.title_ko, c.title_en FROM voice_rounds r "
                         "JOIN checklists c ON c.id = r.checklist_row_id WHERE r.id = ?", [round_id]))


def rounds_of_org(db, org_id: int) -> list[dict]:
    return list(db.query(
        "SELECT r.*, c.checklist_id, c.title_ko, c.title_en, "
        "(SELECT count(*) FROM voice_responses x WHERE x.round_id = r.id AND x.status = 'submitted') AS answers "
        "FROM voice_rounds r JOIN checklists c ON c.id = r.checklist_row_id "
        "WHERE r.org_id = ? ORDER BY r.id DESC", [org_id]))


def close_round(db, round_id: int) -> None:
    with db.atomic():
        db.execute("UPDATE voice_rounds SET status = 'closed', closed_at = ? WHERE id = ?", [now(), round_id])


def create_link(db, *, round_id: int, store_id: int, kind: str, token: str, label: str = "") -> int:
    with db.atomic():
        return db["voice_links"].insert({"round_id": round_id, "store_id": store_id, "kind": kind,
                                         "token": token, "label": label, "created_at": now()}).last_pk


def link_by_token(db, token: str) -> dict | None:
    return _one(db.query(_LINK + "WHERE l.token = ?", [token]))


def links_of_round(db, round_id: int, kind: str | None = None) -> list[dict]:
    extra, params = ("AND l.kind = ? ", [round_id, kind]) if kind else ("", [round_id])
    return list(db.query(
        _LINK.replace("FROM voice_links", ", (SELECT count(*) FROM voice_responses x WHERE x.link_id = l.id "
                      "AND x.status = 'submitted') AS answers FROM voice_links")
        + f"WHERE l.round_id = ? {extra}ORDER BY s.region, s.name, l.kind, l.id", params))


# --- responses ----------------------------------------------------------------

def create_response(db, *, link: dict, resume_key: str, locale: str) -> int:
    stamp = now()
    with db.atomic():
        return db["voice_responses"].insert({
            "round_id": link["round_id"], "store_id": link["store_id"], "link_id": link["id"],
            "resume_key": resume_key, "locale": locale, "started_at": stamp, "updated_at": stamp,
            "status": "draft", "answers_json": "{}"}).last_pk


def response_by_key(db, resume_key: str) -> dict | None:
    return _one(db.query("SELECT * FROM voice_responses WHERE resume_key = ?", [resume_key]))


def get_response(db, response_id: int) -> dict | None:
    return _one(db.query(
        "SELECT x.*, s.name AS store_name, s.code AS store_code, s.region, s.org_id, r.checklist_row_id, "
        "r.nps_item, r.overall_item FROM voice_responses x JOIN stores s ON s.id = x.store_id "
        "JOIN voice_rounds r ON r.id = x.round_id WHERE x.id = ?", [response_id]))


def save_answers(db, response_id: int, answers: dict, *, nps: int | None, overall: float | None,
                 locale: str) -> None:
    with db.atomic():
        db.execute("UPDATE voice_responses SET answers_json = ?, nps = ?, overall = ?, locale = ?, "
                   "updated_at = ? WHERE id = ?",
                   [json.dumps(answers, ensure_ascii=False), nps, overall, locale, now(), response_id])


def submit(db, response_id: int, *, device_hash: str | None, local_day: str, consent: bool,
           contact_name: str | None, contact: str | None, erase_after: str | None) -> None:
    with db.atomic():
        db.execute(
            "UPDATE voice_responses SET status = 'submitted', submitted_at = coalesce(submitted_at, ?), "
            "updated_at = ?, device_hash = ?, local_day = coalesce(local_day, ?), consent = ?, "
            "contact_name = ?, contact = ?, contact_erase_after = ?, contact_erased_at = NULL WHERE id = ?",
            [now(), now(), device_hash, local_day, int(consent), contact_name, contact, erase_after,
             response_id])


def device_answered(db, *, device_hash: str, store_id: int, local_day: str, except_id: int | None) -> bool:
    return _one(db.query(
        "SELECT 1 AS x FROM voice_responses WHERE device_hash = ? AND store_id = ? AND local_day = ? "
        "AND status = 'submitted' AND id != ? LIMIT 1",
        [device_hash, store_id, local_day, except_id or 0])) is not None


def erase_expired_contacts(db, when: str) -> int:
    """Blank contact details whose retention ended at or before ``when``; return how many."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE voice_responses SET contact_name = NULL, contact = NULL, contact_erased_at = ? "
            "WHERE contact_erase_after IS NOT NULL AND contact_erase_after <= ? AND contact_erased_at IS NULL",
            [when, when])
        return cursor.rowcount


def set_flag(db, response_id: int, *, flagged: bool, note: str) -> None:
    with db.atomic():
        db.execute("UPDATE voice_responses SET flagged = ?, flag_note = ? WHERE id = ?",
                   [int(flagged), note, response_id])


def mark_alerted(db, response_id: int) -> None:
    with db.atomic():
        db.execute("UPDATE voice_responses SET alerted_at = ? WHERE id = ?", [now(), response_id])


def submitted_responses(db, store_ids: list[int], lo: str | None = None, hi: str | None = None, *,
                        round_id: int | None = None, include_flagged: bool = False) -> list[dict]:
    """Submitted answers of these stores (UTC ``[lo, hi)`` on submission), oldest first."""
    if not store_ids:
        return []
    sql = ("SELECT x.id, x.round_id, x.store_id, x.answers_json, x.nps, x.overall, x.flagged, x.flag_note, "
           "x.submitted_at, x.locale, x.consent, x.contact_name, x.contact, x.link_id, r.checklist_row_id, "
           "r.nps_item, r.overall_item, s.name AS store_name, s.code AS store_code, s.region, l.kind AS channel "
           "FROM voice_responses x JOIN voice_rounds r ON r.id = x.round_id JOIN stores s ON s.id = x.store_id "
           f"JOIN voice_links l ON l.id = x.link_id WHERE x.store_id {IN_LIST} AND x.status = 'submitted' ")
    params: list = [as_list(store_ids)]
    if lo:
        sql += "AND x.submitted_at >= ? AND x.submitted_at < ? "
        params += [lo, hi]
    if round_id:
        sql += "AND x.round_id = ? "
        params.append(round_id)
    if not include_flagged:
        sql += "AND x.flagged = 0 "
    rows = list(db.query(sql + "ORDER BY x.submitted_at, x.id", params))
    for row in rows:
        row["answers"] = json.loads(row.pop("answers_json"))
    return rows


def store_managers(db, store_id: int) -> list[dict]:
    return list(db.query(
        "SELECT u.id, u.display_name, u.locale FROM users u JOIN memberships m ON m.user_id = u.id "
        "WHERE m.store_id = ? AND u.role = 'manager' AND u.active = 1 ORDER BY u.id", [store_id]))


# --- comments: full-text search -------------------------------------------------

def index_comments(db, response_id: int, comments: list[tuple[str, str]]) -> None:
    with db.atomic():
        db.execute("DELETE FROM voice_comments_fts WHERE response_id = ?", [response_id])
        for item_key, body in comments:
            db.execute("INSERT INTO voice_comments_fts (body, item_key, response_id) VALUES (?, ?, ?)",
                       [body, item_key, response_id])


def fts_query(text: str) -> str | None:
    """Words as FTS5 prefix terms (``"매장"*``): Korean words carry particles, so
    whole-token matching would miss ``매장이`` when searching ``매장``."""
    words = re.findall(r"\w+", text or "")
    return " ".join('"' + w.replace('"', "") + '"*' for w in words[:8]) or None


def comment_ids(db, store_ids: list[int], text: str) -> dict[int, list[str]]:
    """{response id: item keys of its comments} matching ``text`` among these stores."""
    query = fts_query(text)
    if not query or not store_ids:
        return {}
    out: dict[int, list[str]] = {}
    for row in db.query(
            "SELECT f.response_id, f.item_key FROM voice_comments_fts f "
            "JOIN voice_responses x ON x.id = f.response_id "
            f"WHERE voice_comments_fts MATCH ? AND x.store_id {IN_LIST} LIMIT 2000",
            [query, as_list(store_ids)]):
        out.setdefault(int(row["response_id"]), []).append(row["item_key"])
    return out


# --- follow-ups of detractors ------------------------------------------------------

def create_followup(db, *, response_id: int, store_id: int, owner: str, due_date: str, note: str,
                    created_by: int) -> int:
    with db.atomic():
        return db["voice_followups"].insert({
            "response_id": response_id, "store_id": store_id, "owner": owner, "due_date": due_date,
            "note": note, "status": "open", "created_by": created_by, "created_at": now()}).last_pk


def followups_by_response(db, response_ids: list[int]) -> dict[int, dict]:
    if not response_ids:
        return {}
    return {r["response_id"]: r for r in db.query(
        f"SELECT * FROM voice_followups WHERE response_id {IN_LIST}", [as_list(response_ids)])}


def finish_followup(db, followup_id: int) -> None:
    with db.atomic():
        db.execute("UPDATE voice_followups SET status = 'done', done_at = ? WHERE id = ?", [now(), followup_id])


# --- rate limits (their own SQLite file) ----------------------------------------------

def rate_connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("CREATE TABLE IF NOT EXISTS voice_rate (key TEXT NOT NULL, window TEXT NOT NULL, "
                 "hits INTEGER NOT NULL, PRIMARY KEY (key, window)) WITHOUT ROWID")
    return conn


def rate_hit(conn: sqlite3.Connection, key: str, window: str) -> int:
    """Count one hit of ``key`` in ``window``; return the hits so far (this one included)."""
    row = conn.execute(
        "INSERT INTO voice_rate (key, window, hits) VALUES (?, ?, 1) "
        "ON CONFLICT (key, window) DO UPDATE SET hits = hits + 1 RETURNING hits", [key, window]).fetchone()
    return int(row[0])


def rate_prune(conn: sqlite3.Connection, before_window: str) -> None:
    conn.execute("DELETE FROM voice_rate WHERE window < ?", [before_window])


def insert_response(db, values: dict) -> int:
    """A complete answer row as given (demo data and imports); joins the caller's transaction."""
    row = dict(values)
    row["answers_json"] = json.dumps(row.pop("answers"), ensure_ascii=False)
    with db.atomic():
        return db["voice_responses"].insert(row).last_pk
