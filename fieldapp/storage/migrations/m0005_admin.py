"""Migration 0005_admin: people, stores and schedules run from the browser."""

from fieldapp.storage.migrations import migrations, run_script


@migrations(name="0005_admin")
def admin(db):
    """Org time zone; store address, location and hours; must-change passwords and an
    auditor's region; recurring schedules and the visits they plan (slots)."""
    run_script(
        db,
        """
        ALTER TABLE organisations ADD COLUMN timezone TEXT NOT NULL DEFAULT 'Asia/Seoul';
        ALTER TABLE stores ADD COLUMN address TEXT NOT NULL DEFAULT '';
        ALTER TABLE stores ADD COLUMN latitude REAL;
        ALTER TABLE stores ADD COLUMN longitude REAL;
        ALTER TABLE stores ADD COLUMN opening_hours TEXT NOT NULL DEFAULT '';
        ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE users ADD COLUMN region TEXT NOT NULL DEFAULT '';
        CREATE TABLE schedules (
            id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organisations(id),
            name TEXT NOT NULL,
            checklist_row_id INTEGER NOT NULL REFERENCES checklists(id),
            store_mode TEXT NOT NULL CHECK (store_mode IN ('list','region','store_type')),
            store_value TEXT NOT NULL,
            frequency TEXT NOT NULL CHECK (frequency IN ('every_n_days','weekly','monthly')),
            interval_days INTEGER NOT NULL DEFAULT 7,
            weekdays TEXT NOT NULL DEFAULT '',
            month_day INTEGER NOT NULL DEFAULT 1,
            window_days INTEGER NOT NULL DEFAULT 7,
            covert INTEGER NOT NULL DEFAULT 1,
            assign_mode TEXT NOT NULL DEFAULT 'rotate' CHECK (assign_mode IN ('rotate','board')),
            claim_limit INTEGER NOT NULL DEFAULT 2,
            horizon_days INTEGER NOT NULL DEFAULT 28,
            start_date TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL
        );
        CREATE TABLE schedule_slots (
            id INTEGER PRIMARY KEY,
            schedule_id INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
            store_id INTEGER NOT NULL REFERENCES stores(id),
            occurrence TEXT NOT NULL,
            window_start TEXT NOT NULL,
            window_end TEXT NOT NULL,
            planned_date TEXT NOT NULL,
            assignment_id INTEGER REFERENCES assignments(id),
            created_at TEXT NOT NULL,
            UNIQUE (schedule_id, store_id, occurrence)
        );
        CREATE INDEX schedule_slots_open ON schedule_slots(assignment_id, window_end);
        ALTER TABLE assignments ADD COLUMN schedule_id INTEGER REFERENCES schedules(id);
        ALTER TABLE assignments ADD COLUMN planned_date TEXT;
        CREATE INDEX assignments_store ON assignments(store_id, window_start)
        """
    )
