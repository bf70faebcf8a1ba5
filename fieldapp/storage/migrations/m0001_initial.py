"""Migration 0001_initial."""

from fieldapp.storage.migrations import migrations, run_script


@migrations(name="0001_initial")
def initial(db):
    run_script(
        db,
        """
        CREATE TABLE organisations (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL
        );
        CREATE TABLE stores (
            id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organisations(id),
            code TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            region TEXT NOT NULL,
            chain TEXT NOT NULL,
            store_type TEXT NOT NULL DEFAULT 'standard'
        );
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organisations(id),
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            display_name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin','manager','reviewer','auditor','planner')),
            mystery_shopper INTEGER NOT NULL DEFAULT 0,
            locale TEXT CHECK (locale IN ('ko','en') OR locale IS NULL),
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );
        CREATE TABLE memberships (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            store_id INTEGER NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
            PRIMARY KEY (user_id, store_id)
        );
        CREATE TABLE checklists (
            id INTEGER PRIMARY KEY,
            checklist_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            kind TEXT NOT NULL,
            title_ko TEXT NOT NULL,
            title_en TEXT NOT NULL,
            source TEXT NOT NULL,
            source_name TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            UNIQUE (checklist_id, content_hash)
        );
        CREATE TABLE assignments (
            id INTEGER PRIMARY KEY,
            checklist_row_id INTEGER NOT NULL REFERENCES checklists(id),
            store_id INTEGER NOT NULL REFERENCES stores(id),
            auditor_id INTEGER NOT NULL REFERENCES users(id),
            assigned_by INTEGER REFERENCES users(id),
            window_start TEXT NOT NULL,
            window_end TEXT NOT NULL,
            covert INTEGER NOT NULL DEFAULT 1,
            note TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open','started','done','cancelled')),
            created_at TEXT NOT NULL
        );
        CREATE TABLE visits (
            id INTEGER PRIMARY KEY,
            assignment_id INTEGER REFERENCES assignments(id),
            checklist_row_id INTEGER NOT NULL REFERENCES checklists(id),
            store_id INTEGER NOT NULL REFERENCES stores(id),
            auditor_id INTEGER NOT NULL REFERENCES users(id),
            covert INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft','submitted','returned','reviewed','released')),
            started_at TEXT NOT NULL,
            submitted_at TEXT,
            released_at TEXT,
            latitude REAL,
            longitude REAL,
            score REAL,
            passed INTEGER,
            score_json TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX visits_store ON visits(store_id, started_at);
        CREATE INDEX visits_auditor ON visits(auditor_id, status);
        CREATE TABLE visit_events (
            id INTEGER PRIMARY KEY,
            visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
            actor_id INTEGER REFERENCES users(id),
            from_status TEXT,
            to_status TEXT NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        );
        CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
            item_key TEXT NOT NULL,
            value_json TEXT,
            note TEXT NOT NULL DEFAULT '',
            client_id TEXT,
            client_ts TEXT,
            updated_by INTEGER REFERENCES users(id),
            updated_at TEXT NOT NULL,
            UNIQUE (visit_id, item_key)
        );
        CREATE TABLE stage_notes (
            visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
            stage_key TEXT NOT NULL,
            emotion INTEGER CHECK (emotion BETWEEN 1 AND 5 OR emotion IS NULL),
            note TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL,
            PRIMARY KEY (visit_id, stage_key)
        );
        CREATE TABLE photos (
            id INTEGER PRIMARY KEY,
            visit_id INTEGER REFERENCES visits(id) ON DELETE CASCADE,
            item_key TEXT,
            filename TEXT NOT NULL,
            thumb_filename TEXT NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            bytes INTEGER NOT NULL,
            client_id TEXT UNIQUE,
            uploaded_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL
        );
        CREATE INDEX photos_visit ON photos(visit_id, item_key);
        CREATE TABLE timings (
            id INTEGER PRIMARY KEY,
            visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
            item_key TEXT NOT NULL,
            touchpoint_key TEXT NOT NULL,
            event TEXT NOT NULL,
            at TEXT NOT NULL,
            client_id TEXT UNIQUE,
            created_at TEXT NOT NULL
        );
        CREATE INDEX timings_visit ON timings(visit_id, item_key);
        CREATE TABLE comments (
            id INTEGER PRIMARY KEY,
            visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
            author_id INTEGER REFERENCES users(id),
            item_key TEXT,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE actions (
            id INTEGER PRIMARY KEY,
            visit_id INTEGER NOT NULL REFERENCES visits(id),
            store_id INTEGER NOT NULL REFERENCES stores(id),
            item_key TEXT NOT NULL,
            owner TEXT NOT NULL,
            due_date TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','verified')),
            evidence_photo_id INTEGER REFERENCES photos(id),
            verified_visit_id INTEGER REFERENCES visits(id),
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            done_at TEXT,
            verified_at TEXT
        );
        CREATE INDEX actions_store ON actions(store_id, status);
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor_id INTEGER REFERENCES users(id),
            action TEXT NOT NULL,
            object_type TEXT NOT NULL,
            object_id TEXT,
            detail TEXT NOT NULL DEFAULT ''
        );
        """
    )
