"""Migration 0008_result_rows."""

import json

from fieldapp.storage.migrations import migrations, run_script


@migrations(name="0008_result_rows")
def result_rows(db):
    """Per-stage, per-touchpoint and per-item results as rows, with the covering
    indexes reports aggregate over; existing scored visits are backfilled.

    Item rows carry their visit's store, start and checklist version (fixed when
    the visit starts) and whether it is released, so failure counts read one
    index and never touch the visits."""
    run_script(
        db,
        """
        CREATE TABLE IF NOT EXISTS visit_stage_results (
            visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
            stage_key TEXT NOT NULL,
            score REAL,
            PRIMARY KEY (visit_id, stage_key)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS visit_touchpoint_results (
            visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
            touchpoint_key TEXT NOT NULL,
            score REAL,
            PRIMARY KEY (visit_id, touchpoint_key)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS visit_item_results (
            visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
            item_key TEXT NOT NULL,
            score REAL,
            failed INTEGER NOT NULL DEFAULT 0,
            value REAL,
            store_id INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            checklist_row_id INTEGER NOT NULL,
            released INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (visit_id, item_key)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS visit_item_failures ON visit_item_results(
            item_key, store_id, started_at, checklist_row_id, failed, released)
            WHERE failed = 1 AND released = 1;
        CREATE INDEX IF NOT EXISTS visits_released ON visits(store_id, started_at, checklist_row_id,
            score, passed) WHERE status = 'released';
        CREATE INDEX IF NOT EXISTS visits_checklist_released ON visits(checklist_row_id, store_id)
            WHERE status = 'released';
        CREATE INDEX IF NOT EXISTS stage_notes_emotion ON stage_notes(visit_id, stage_key, emotion)
        """,
    )
    backfill(db)


def backfill(db) -> int:
    """Rows for every visit whose score is frozen: stage and touchpoint scores and
    failed items from its score JSON (the record), item scores and values from its
    answers through the scorer's per-item rule. :return: visits filled."""
    from dataclasses import replace

    from checklists import AnswerError, ItemResult, item_results
    from fieldapp.audit.workflow import scoring_answers
    from fieldapp.storage import checklist_store, results

    done = 0
    rows = db.execute("SELECT id, checklist_row_id, score_json FROM visits "
                      "WHERE score_json IS NOT NULL ORDER BY id").fetchall()
    for visit_id, row_id, score_json in rows:
        record = json.loads(score_json)
        failed = list(record.get("failed_items") or ())
        try:
            checklist = checklist_store.load_pinned(db, row_id)
            scored = item_results(checklist, scoring_answers(db, checklist, visit_id))
        except (AnswerError, LookupError, ValueError):
            scored = []  # an unreadable answer: the record's failures still count
        items = [replace(r, failed=r.key in failed) for r in scored]
        have = {r.key for r in items}
        items += [ItemResult(k, "", "", None, None, True, False) for k in failed if k not in have]
        visit = db.execute("SELECT id, store_id, started_at, checklist_row_id, status FROM visits "
                           "WHERE id = ?", [visit_id]).fetchone()
        stage_rows, tp_rows, item_rows = results.result_rows(
            dict(zip(("id", "store_id", "started_at", "checklist_row_id", "status"), visit)),
            stages=record.get("stages") or {}, touchpoints=record.get("touchpoints") or {}, items=items)
        # this migration's own columns: later migrations add theirs and fill them
        db.conn.executemany("INSERT INTO visit_stage_results (visit_id, stage_key, score) VALUES (?, ?, ?)",
                            [row[:3] for row in stage_rows])
        db.conn.executemany("INSERT INTO visit_touchpoint_results (visit_id, touchpoint_key, score) "
                            "VALUES (?, ?, ?)", tp_rows)
        db.conn.executemany("INSERT INTO visit_item_results (visit_id, item_key, score, failed, value, store_id, "
                            "started_at, checklist_row_id, released) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            item_rows)
        done += 1
    return done
