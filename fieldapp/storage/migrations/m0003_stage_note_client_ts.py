"""Migration 0003_stage_note_client_ts."""

from fieldapp.storage.migrations import migrations


@migrations(name="0003_stage_note_client_ts")
def stage_note_client_ts(db):
    """Stage feelings replayed from a phone's outbox keep the newest edit, like answers."""
    db.execute("ALTER TABLE stage_notes ADD COLUMN client_ts TEXT")
