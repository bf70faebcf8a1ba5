"""Migration 0007_checklist_admin."""

from fieldapp.storage.migrations import migrations, run_script


@migrations(name="0007_checklist_admin")
def checklist_admin(db):
    """Checklist versions get a life cycle (draft -> published -> retired), the store
    types they are meant for, who uploaded them and the loader's import notes.
    Versions stored before this were in use, so they start published (or retired)."""
    run_script(
        db,
        """
        ALTER TABLE checklists ADD COLUMN status TEXT NOT NULL DEFAULT 'published'
            CHECK (status IN ('draft','published','retired'));
        ALTER TABLE checklists ADD COLUMN store_types TEXT NOT NULL DEFAULT '';
        ALTER TABLE checklists ADD COLUMN import_notes TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE checklists ADD COLUMN uploaded_by INTEGER REFERENCES users(id);
        ALTER TABLE checklists ADD COLUMN published_at TEXT;
        ALTER TABLE checklists ADD COLUMN retired_at TEXT;
        UPDATE checklists SET status = 'retired' WHERE active = 0;
        UPDATE checklists SET published_at = created_at WHERE status = 'published';
        CREATE INDEX checklists_status ON checklists(checklist_id, status)
        """
    )
