"""Migration 0006_journey_clock."""

from fieldapp.storage.migrations import migrations, run_script


@migrations(name="0006_journey_clock")
def journey_clock(db):
    """One journey clock per visit; reviewers' corrections; comment audience; photo times.

    Stopwatch events are marked once per visit (UNIQUE visit, event) and every
    timed item reads its two events from there. Old per-item marks move over,
    the earliest mark of each event winning. Every mark, correction and undo
    is kept in ``journey_mark_log`` with who and when.
    """
    run_script(db, """
        CREATE TABLE journey_marks (
            id INTEGER PRIMARY KEY,
            visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
            event TEXT NOT NULL,
            at TEXT NOT NULL,
            client_id TEXT UNIQUE,
            marked_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            time_flag TEXT,
            original_at TEXT,
            corrected_by INTEGER REFERENCES users(id),
            corrected_at TEXT,
            UNIQUE (visit_id, event)
        );
        CREATE TABLE journey_mark_log (
            id INTEGER PRIMARY KEY,
            visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
            event TEXT NOT NULL,
            action TEXT NOT NULL,
            old_at TEXT,
            new_at TEXT,
            actor_id INTEGER REFERENCES users(id),
            at TEXT NOT NULL
        );
        CREATE INDEX journey_mark_log_visit ON journey_mark_log(visit_id, id);
        INSERT OR IGNORE INTO journey_marks (visit_id, event, at, client_id, created_at)
            SELECT visit_id, event, at, client_id, created_at FROM timings ORDER BY at, id;
        CREATE TABLE answer_corrections (
            id INTEGER PRIMARY KEY,
            visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
            item_key TEXT NOT NULL,
            old_json TEXT,
            new_json TEXT,
            reason TEXT NOT NULL,
            actor_id INTEGER REFERENCES users(id),
            at TEXT NOT NULL
        );
        CREATE INDEX answer_corrections_visit ON answer_corrections(visit_id, id);
        ALTER TABLE comments ADD COLUMN audience TEXT NOT NULL DEFAULT 'internal';
        ALTER TABLE photos ADD COLUMN taken_at TEXT
    """)
