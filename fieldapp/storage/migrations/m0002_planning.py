"""Migration 0002_planning."""

from fieldapp.storage.migrations import migrations, run_script


@migrations(name="0002_planning")
def planning(db):
    """Door-counter traffic, staffing per hour, and what-if simulation jobs."""
    run_script(
        db,
        """
        CREATE TABLE traffic_counts (
            store_id INTEGER NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
            day TEXT NOT NULL,
            slot_start TEXT NOT NULL,
            count INTEGER NOT NULL CHECK (count >= 0),
            PRIMARY KEY (store_id, day, slot_start)
        );
        CREATE TABLE staffing (
            store_id INTEGER NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
            hour INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
            servers INTEGER NOT NULL CHECK (servers >= 0),
            PRIMARY KEY (store_id, hour)
        );
        CREATE TABLE sim_jobs (
            id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organisations(id),
            created_by INTEGER REFERENCES users(id),
            kind TEXT NOT NULL CHECK (kind IN ('run', 'compare', 'fitcheck', 'sweep')),
            title TEXT NOT NULL,
            input_json TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
            progress_done INTEGER NOT NULL DEFAULT 0,
            progress_total INTEGER NOT NULL DEFAULT 0,
            cancel_requested INTEGER NOT NULL DEFAULT 0,
            result_json TEXT,
            error TEXT,
            created_at TEXT NOT NULL,
            started_at TEXT,
            heartbeat_at TEXT,
            finished_at TEXT
        );
        CREATE INDEX sim_jobs_status ON sim_jobs(status, id);
        CREATE TABLE planner_scenarios (
            id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organisations(id),
            created_by INTEGER REFERENCES users(id),
            store_id INTEGER REFERENCES stores(id),
            name TEXT NOT NULL,
            baseline_yaml TEXT NOT NULL,
            changes_json TEXT NOT NULL DEFAULT '{}',
            calibration_json TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """
    )
