"""Migration 0009_planner."""

from fieldapp.storage.migrations import migrations, run_script


@migrations(name="0009_planner")
def planner(db):
    """A rota per weekday and station; staffing-search jobs; adopted what-ifs.

    ``staffing`` (one rota per store, counter only) becomes ``rota`` with a
    weekday (0 = Monday) and a station; old rows are copied to every weekday
    at the counter. ``sim_jobs`` is rebuilt to allow the kind ``staff`` (a
    CHECK cannot be altered in SQLite). An adoption keeps the prediction it
    was made on, so it stays readable if its job is deleted.
    """
    run_script(db, """
        CREATE TABLE rota (
            store_id INTEGER NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
            weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
            station TEXT NOT NULL,
            hour INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
            servers INTEGER NOT NULL CHECK (servers >= 0),
            PRIMARY KEY (store_id, weekday, station, hour)
        );
        INSERT INTO rota (store_id, weekday, station, hour, servers)
            SELECT s.store_id, w.value, 'counter', s.hour, s.servers
            FROM staffing s, json_each('[0,1,2,3,4,5,6]') w;
        DROP TABLE staffing;
        CREATE TABLE sim_jobs_new (
            id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organisations(id),
            created_by INTEGER REFERENCES users(id),
            kind TEXT NOT NULL CHECK (kind IN ('run', 'compare', 'fitcheck', 'sweep', 'staff')),
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
        INSERT INTO sim_jobs_new SELECT id, org_id, created_by, kind, title, input_json, status, progress_done,
            progress_total, cancel_requested, result_json, error, created_at, started_at, heartbeat_at,
            finished_at FROM sim_jobs;
        DROP TABLE sim_jobs;
        ALTER TABLE sim_jobs_new RENAME TO sim_jobs;
        CREATE INDEX sim_jobs_status ON sim_jobs(status, id);
        CREATE TABLE planner_adoptions (
            id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organisations(id),
            scenario_id INTEGER REFERENCES planner_scenarios(id) ON DELETE SET NULL,
            job_id INTEGER REFERENCES sim_jobs(id) ON DELETE SET NULL,
            changes_json TEXT NOT NULL,
            prediction_json TEXT NOT NULL,
            from_day TEXT NOT NULL,
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL
        );
        CREATE TABLE planner_adoption_stores (
            adoption_id INTEGER NOT NULL REFERENCES planner_adoptions(id) ON DELETE CASCADE,
            store_id INTEGER NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
            PRIMARY KEY (adoption_id, store_id)
        )
    """)
