"""Migration 0012_stage_rows_where: stage result rows say where and when, like item rows;
failures counted by date when a scope is every store."""

from fieldapp.storage.migrations import migrations, run_script


@migrations(name="0012_stage_rows_where")
def stage_rows_where(db):
    """Stage rows carry their visit's store, start, checklist version and released
    flag (all fixed once the visit is scored, the flag set on release), so a
    chain's per-stage means read one covering index instead of joining every
    visit (the flag is in the index too: a partial index alone does not cover a
    query that names its column); existing rows are filled from their visits.

    A second failures index leads with the date, for scopes of every store: they
    need no store filter, and 600 seeks per item cost more than the count."""
    run_script(
        db,
        """
        ALTER TABLE visit_stage_results ADD COLUMN store_id INTEGER;
        ALTER TABLE visit_stage_results ADD COLUMN started_at TEXT;
        ALTER TABLE visit_stage_results ADD COLUMN checklist_row_id INTEGER;
        ALTER TABLE visit_stage_results ADD COLUMN released INTEGER NOT NULL DEFAULT 0;
        UPDATE visit_stage_results SET (store_id, started_at, checklist_row_id, released) =
            (SELECT v.store_id, v.started_at, v.checklist_row_id, v.status = 'released'
             FROM visits v WHERE v.id = visit_stage_results.visit_id);
        CREATE INDEX visit_stage_released ON visit_stage_results(
            stage_key, store_id, started_at, checklist_row_id, released, score) WHERE released = 1;
        CREATE INDEX visit_item_failures_by_date ON visit_item_results(
            item_key, started_at, checklist_row_id, failed, released) WHERE failed = 1 AND released = 1
        """,
    )
