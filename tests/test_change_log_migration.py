"""Migration 0015 merges the four history tables into the one change log with nothing lost, in the
order the changes were made, on SQLite and PostgreSQL."""

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from storage.db import MIGRATIONS_DIR, Database

OLD_HISTORY = """
INSERT INTO committees (id, name, timekeeping, last_action_number, last_entry_number, created_at)
    VALUES (1, 'Ethics', true, 1, 1, '2026-05-01 09:00:00+00:00');
INSERT INTO meetings (id, committee_id, conversation_id, title, meeting_date, started_at) VALUES
    (1, 1, '19:x', 'May', '2026-05-13', '2026-05-13 09:00:00+00:00');
INSERT INTO agenda_items (id, meeting_id, is_break, title, planned_start_minute, overtime_notice_sent)
    VALUES (1, 1, false, 'Tool', 600, false);
INSERT INTO item_entries (id, item_id, committee_id, number, kind, text, author, created_at)
    VALUES (1, 1, 1, 1, 'note', 'Now', 'Tom', '2026-05-13 09:01:00+00:00');
INSERT INTO entry_changes (entry_id, kind, text, previous_text, by, by_user_id, at, amendment) VALUES
    (1, 'recorded', 'Then', NULL, 'Tom', '29:tom', '2026-05-13 09:01:00+00:00', false),
    (1, 'edited', 'Now', 'Then', 'Tom', '29:tom', '2026-05-13 09:04:00+00:00', false);
INSERT INTO actions (id, committee_id, number, text, meeting_id, due_next_meeting, status, created_at)
    VALUES (1, 1, 1, 'Send it', 1, false, 'done', '2026-05-13 09:02:00+00:00');
INSERT INTO action_events (action_id, kind, text, by, at) VALUES
    (1, 'created', 'Send it', 'Sam', '2026-05-13 09:02:00+00:00'),
    (1, 'done', 'sent', 'Sam', '2026-05-13 09:05:00+00:00');
INSERT INTO meeting_changes (meeting_id, what, previous, value, by, at) VALUES
    (1, 'venue', NULL, 'Room 2', 'Marion', '2026-05-13 09:03:00+00:00');
INSERT INTO attendance (id, meeting_id, name, name_key, status) VALUES (1, 1, 'Kerry', 'kerry', 'present');
INSERT INTO attendance_changes (attendance_id, kind, at, detail, by, recorded_at) VALUES
    (1, 'arrived', '2026-05-13 09:45:00+00:00', NULL, 'Marion', '2026-05-13 09:06:00+00:00');
INSERT INTO due_backs (committee_id, meeting_id, item_id, title, presenter, created_at)
    VALUES (1, 1, 1, 'Tool', 'Dr Jane Roe', '2026-05-13 09:07:00+00:00');
"""


def _upgrade(connection, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def test_the_four_history_tables_become_one_change_log(empty_database_url):
    db = Database(empty_database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(_upgrade, "0014")
            for statement in filter(str.strip, OLD_HISTORY.split(";")):
                await connection.execute(text(statement))
        await db.migrate()
        async with db.engine.connect() as connection:
            rows = (await connection.execute(text(
                "SELECT subject, subject_id, kind, before, after, by, committee_id, meeting_id "
                "FROM changes ORDER BY id"))).all()
            presenter_key = (await connection.execute(text("SELECT presenter_key FROM due_backs"))).scalar_one()
    finally:
        await db.dispose()
    assert [tuple(row) for row in rows] == [
        ("entry", 1, "recorded", None, "Then", "Tom", 1, 1),
        ("action", 1, "created", None, "Send it", "Sam", 1, 1),
        ("meeting", 1, "venue", None, "Room 2", "Marion", 1, 1),
        ("entry", 1, "edited", "Then", "Now", "Tom", 1, 1),
        ("action", 1, "done", None, "sent", "Sam", 1, 1),
        ("attendance", 1, "arrived", None, None, "Marion", 1, 1),
    ]
    assert presenter_key == "jane roe"
