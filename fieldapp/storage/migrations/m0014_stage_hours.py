"""Migration 0014_stage_hours: a chain's shopper stage scores summed per UTC hour."""

from fieldapp.storage.migrations import migrations

HOUR = "substr({row}.started_at, 1, 13)"  # '2026-11-30T03': stamps are UTC ISO strings
RECOUNT_HOUR = """
    INSERT OR REPLACE INTO visit_stage_hours (stage_key, hour, checklist_row_id, n, total)
    SELECT {row}.stage_key, {hour}, {row}.checklist_row_id, count(r.score), total(r.score)
    FROM visit_stage_results r INDEXED BY visit_stage_by_time
    WHERE r.stage_key = {row}.stage_key AND r.released = 1 AND r.started_at >= {hour}
      AND r.started_at < {hour} || '~' AND r.checklist_row_id = {row}.checklist_row_id"""


@migrations(name="0014_stage_hours")
def stage_hours(db):
    """Released visits' stage scores summed per stage, UTC hour and checklist
    version, kept by triggers (each write recounts its hour from the rows: exact,
    no running sums to drift), so the mean of a stage over every store and a year
    adds ~9,000 hours instead of every visit. Filled from the existing rows."""
    db.execute("CREATE INDEX visit_stage_by_time ON visit_stage_results(stage_key, started_at, checklist_row_id, "
               "released, score) WHERE released = 1")
    db.execute("""
        CREATE TABLE visit_stage_hours (
            stage_key TEXT NOT NULL,
            hour TEXT NOT NULL,
            checklist_row_id INTEGER NOT NULL,
            n INTEGER NOT NULL,
            total REAL NOT NULL,
            PRIMARY KEY (stage_key, hour, checklist_row_id)
        ) WITHOUT ROWID""")
    db.execute("INSERT INTO visit_stage_hours SELECT stage_key, substr(started_at, 1, 13), checklist_row_id, "
               "count(score), total(score) FROM visit_stage_results WHERE released = 1 "
               "AND started_at IS NOT NULL AND checklist_row_id IS NOT NULL GROUP BY 1, 2, 3")
    new = RECOUNT_HOUR.format(row="new", hour=HOUR.format(row="new"))
    old = RECOUNT_HOUR.format(row="old", hour=HOUR.format(row="old"))
    when_new = "WHEN new.started_at IS NOT NULL AND new.checklist_row_id IS NOT NULL"
    when_old = "WHEN old.started_at IS NOT NULL AND old.checklist_row_id IS NOT NULL"
    db.execute(f"CREATE TRIGGER visit_stage_rows_added AFTER INSERT ON visit_stage_results {when_new} "
               f"BEGIN {new}; END")
    db.execute(f"CREATE TRIGGER visit_stage_rows_removed AFTER DELETE ON visit_stage_results {when_old} "
               f"BEGIN {old}; END")
    db.execute(f"CREATE TRIGGER visit_stage_rows_changed_old AFTER UPDATE ON visit_stage_results {when_old} "
               f"BEGIN {old}; END")
    db.execute(f"CREATE TRIGGER visit_stage_rows_changed_new AFTER UPDATE ON visit_stage_results {when_new} "
               f"BEGIN {new}; END")
