"""Migration 0013_voice_parts: customers' answers as rows reports add up."""

import json

from fieldapp.storage.migrations import migrations, run_script


@migrations(name="0013_voice_parts")
def voice_parts(db):
    """Per submitted answer, one row per rated stage and touchpoint (its mean rating)
    with the answer's store, time, checklist version and whether it counts; a
    covering index per part (by store, and by time for scopes of every store),
    and one over the answers' own NPS and overall columns.
    Existing submitted answers are filled from their JSON."""
    run_script(
        db,
        """
        CREATE TABLE voice_parts (
            response_id INTEGER NOT NULL REFERENCES voice_responses(id) ON DELETE CASCADE,
            part TEXT NOT NULL,
            value REAL NOT NULL,
            store_id INTEGER NOT NULL,
            submitted_at TEXT NOT NULL,
            checklist_row_id INTEGER NOT NULL,
            counted INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (response_id, part)
        ) WITHOUT ROWID;
        CREATE INDEX voice_parts_counted ON voice_parts(part, store_id, submitted_at, checklist_row_id,
            counted, value) WHERE counted = 1;
        CREATE INDEX voice_parts_by_time ON voice_parts(part, submitted_at, checklist_row_id, counted, value)
            WHERE counted = 1;
        CREATE INDEX voice_responses_counted ON voice_responses(store_id, submitted_at, round_id, nps, overall,
            status, flagged) WHERE status = 'submitted' AND flagged = 0
        """,
    )
    hour_sums(db)
    backfill(db)


HOUR = "substr({row}.submitted_at, 1, 13)"  # '2026-11-30T03': stamps are UTC ISO strings
RECOUNT_HOUR = """
    INSERT OR REPLACE INTO voice_part_hours (part, hour, checklist_row_id, n, satisfied, total, total_sq)
    SELECT {row}.part, {hour}, {row}.checklist_row_id, count(*), total(p.value >= 4), total(p.value),
           total(p.value * p.value)
    FROM voice_parts p INDEXED BY voice_parts_by_time
    WHERE p.part = {row}.part AND p.counted = 1 AND p.submitted_at >= {hour}
      AND p.submitted_at < {hour} || '~' AND p.checklist_row_id = {row}.checklist_row_id"""


def hour_sums(db) -> None:
    """A chain's sums per part, UTC hour and checklist version, kept by triggers:
    a year over every store adds up ~9,000 hours per part instead of every answer.
    Each write recounts its hour from the rows (exact, no running sums to drift)."""
    db.execute("""
        CREATE TABLE voice_part_hours (
            part TEXT NOT NULL,
            hour TEXT NOT NULL,
            checklist_row_id INTEGER NOT NULL,
            n INTEGER NOT NULL,
            satisfied INTEGER NOT NULL,
            total REAL NOT NULL,
            total_sq REAL NOT NULL,
            PRIMARY KEY (part, hour, checklist_row_id)
        ) WITHOUT ROWID""")
    new = RECOUNT_HOUR.format(row="new", hour=HOUR.format(row="new"))
    old = RECOUNT_HOUR.format(row="old", hour=HOUR.format(row="old"))
    db.execute(f"CREATE TRIGGER voice_parts_added AFTER INSERT ON voice_parts BEGIN {new}; END")
    db.execute(f"CREATE TRIGGER voice_parts_removed AFTER DELETE ON voice_parts BEGIN {old}; END")
    db.execute(f"CREATE TRIGGER voice_parts_changed AFTER UPDATE ON voice_parts BEGIN {old}; {new}; END")


def backfill(db) -> int:
    """Rows for every submitted answer; :return: answers filled."""
    from fieldapp.storage import checklist_store
    from fieldapp.voice.parts import response_parts

    checklists, done = {}, 0
    for response_id, row_id, answers_json, store_id, submitted_at, counted in db.execute(
            "SELECT x.id, r.checklist_row_id, x.answers_json, x.store_id, x.submitted_at, "
            "x.status = 'submitted' AND x.flagged = 0 FROM voice_responses x "
            "JOIN voice_rounds r ON r.id = x.round_id WHERE x.status = 'submitted' AND x.submitted_at IS NOT NULL "
            "ORDER BY x.id").fetchall():
        if row_id not in checklists:
            checklists[row_id] = checklist_store.load_pinned(db, row_id)
        parts = response_parts(checklists[row_id], json.loads(answers_json))
        db.conn.executemany(
            "INSERT INTO voice_parts (response_id, part, value, store_id, submitted_at, checklist_row_id, counted) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(response_id, k, v, store_id, submitted_at, row_id, counted) for k, v in parts.items()])
        done += 1
    return done
