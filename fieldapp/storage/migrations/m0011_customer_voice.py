"""Migration 0011_customer_voice: survey rounds, public links, answers, rate limits."""

from fieldapp.storage.migrations import migrations, run_script


@migrations(name="0011_customer_voice")
def customer_voice(db):
    """Customers answer without accounts: rounds, links (store QR or panel invite), responses.

    Contact details live on the response only with consent and carry their
    own erase-after time; comments are indexed for full-text search (FTS5).
    """
    run_script(
        db,
        """
        CREATE TABLE voice_rounds (
            id INTEGER PRIMARY KEY,
            org_id INTEGER NOT NULL REFERENCES organisations(id),
            checklist_row_id INTEGER NOT NULL REFERENCES checklists(id),
            title TEXT NOT NULL,
            starts_on TEXT NOT NULL,
            ends_on TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),
            retention_days INTEGER NOT NULL DEFAULT 90 CHECK (retention_days BETWEEN 1 AND 3650),
            nps_item TEXT,
            overall_item TEXT,
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            closed_at TEXT
        );
        CREATE TABLE voice_links (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES voice_rounds(id) ON DELETE CASCADE,
            store_id INTEGER NOT NULL REFERENCES stores(id),
            token TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('store','panel')),
            label TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE INDEX voice_links_round ON voice_links(round_id, kind);
        CREATE TABLE voice_responses (
            id INTEGER PRIMARY KEY,
            round_id INTEGER NOT NULL REFERENCES voice_rounds(id) ON DELETE CASCADE,
            store_id INTEGER NOT NULL REFERENCES stores(id),
            link_id INTEGER NOT NULL REFERENCES voice_links(id),
            resume_key TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','submitted')),
            locale TEXT NOT NULL DEFAULT 'ko',
            answers_json TEXT NOT NULL DEFAULT '{}',
            nps INTEGER,
            overall REAL,
            device_hash TEXT,
            local_day TEXT,
            flagged INTEGER NOT NULL DEFAULT 0,
            flag_note TEXT NOT NULL DEFAULT '',
            consent INTEGER NOT NULL DEFAULT 0,
            contact_name TEXT,
            contact TEXT,
            contact_erase_after TEXT,
            contact_erased_at TEXT,
            alerted_at TEXT,
            started_at TEXT NOT NULL,
            submitted_at TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX voice_responses_store ON voice_responses(store_id, status, submitted_at);
        CREATE INDEX voice_responses_round ON voice_responses(round_id, status);
        CREATE INDEX voice_responses_device ON voice_responses(device_hash, store_id, local_day);
        CREATE INDEX voice_responses_erase ON voice_responses(contact_erase_after)
            WHERE contact_erase_after IS NOT NULL;
        CREATE UNIQUE INDEX voice_responses_panel ON voice_responses(link_id)
            WHERE link_id IS NOT NULL AND resume_key LIKE 'panel:%';
        CREATE TABLE voice_followups (
            id INTEGER PRIMARY KEY,
            response_id INTEGER NOT NULL UNIQUE REFERENCES voice_responses(id) ON DELETE CASCADE,
            store_id INTEGER NOT NULL REFERENCES stores(id),
            owner TEXT NOT NULL,
            due_date TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done')),
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            done_at TEXT
        );
        CREATE VIRTUAL TABLE voice_comments_fts USING fts5(
            body, item_key UNINDEXED, response_id UNINDEXED, tokenize = 'unicode61'
        );
        """
    )
