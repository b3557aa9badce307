"""one change log: entry, action, meeting and attendance history in one table; presenters' name keys

Every row of the four history tables is copied into `changes` with its committee and meeting, in
the order it was made, and the four tables are dropped: nothing is lost. A presenter due back gets
the key names are compared by, so "Dr Jane Roe" finds "Jane Roe".

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 10:00:00
"""
import re

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# The name key as dialogs.identity.name_key computes it on the day of this migration.
_TITLES = frozenset(
    "mr mrs ms miss mx dr prof professor sir dame lord lady rev revd cllr councillor "
    "cc dcc acc ch chief supt superintendent ci insp inspector dci di ds dc sgt pc pcso det".split())


def _name_key(name: str) -> str:
    text = re.sub(r"\([^)]*\)", " ", name)
    surname, comma, given = text.partition(",")
    if comma and given.strip() and "," not in given:
        text = f"{given} {surname}"
    words = text.replace(".", " ").casefold().split()
    while len(words) > 1 and words[0] in _TITLES:
        words.pop(0)
    return " ".join(words)


# (select of the old rows as the new columns, the old table). A NULL moment is cast so that
# PostgreSQL can match the UNION's columns.
_COPIES = [
    ("""SELECT e.committee_id, i.meeting_id, 'entry', c.entry_id, c.kind, c.previous_text, c.text, NULL,
               c.by, c.by_user_id, c.at, CAST(NULL AS TIMESTAMP WITH TIME ZONE), c.amendment
        FROM entry_changes c JOIN item_entries e ON e.id = c.entry_id JOIN agenda_items i ON i.id = e.item_id""",
     "entry_changes"),
    ("""SELECT a.committee_id, a.meeting_id, 'action', c.action_id, c.kind, NULL, c.text, NULL,
               c.by, NULL, c.at, CAST(NULL AS TIMESTAMP WITH TIME ZONE), false
        FROM action_events c JOIN actions a ON a.id = c.action_id""", "action_events"),
    ("""SELECT m.committee_id, m.id, 'meeting', m.id, c.what, c.previous, c.value, NULL,
               c.by, NULL, c.at, CAST(NULL AS TIMESTAMP WITH TIME ZONE), false
        FROM meeting_changes c JOIN meetings m ON m.id = c.meeting_id""", "meeting_changes"),
    ("""SELECT m.committee_id, m.id, 'attendance', c.attendance_id, c.kind, NULL, c.detail, NULL,
               c.by, NULL, c.recorded_at, c.at, false
        FROM attendance_changes c JOIN attendance r ON r.id = c.attendance_id JOIN meetings m ON m.id = r.meeting_id""",
     "attendance_changes"),
]
_COLUMNS = ("committee_id, meeting_id, subject, subject_id, kind, before, after, state, by, by_user_id, at, "
            "happened_at, amendment")


def upgrade() -> None:
    op.create_table(
        'changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('committee_id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=True),
        sa.Column('subject', sa.String(length=20), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('before', sa.Text(), nullable=True),
        sa.Column('after', sa.Text(), nullable=True),
        sa.Column('state', sa.Text(), nullable=True),
        sa.Column('by', sa.String(length=200), nullable=True),
        sa.Column('by_user_id', sa.String(length=400), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('happened_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('amendment', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('undoes', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_changes_subject', 'changes', ['subject', 'subject_id'])
    op.create_index('ix_changes_committee_by', 'changes', ['committee_id', 'by_user_id'])
    op.create_index('ix_changes_meeting_id', 'changes', ['meeting_id'])
    connection = op.get_bind()
    # One INSERT ... SELECT over the four tables, ordered by when each change was made, so the
    # log's ids keep the order in which things happened.
    union = " UNION ALL ".join(select for select, _ in _COPIES)
    connection.execute(sa.text(f"INSERT INTO changes ({_COLUMNS}) SELECT * FROM ({union}) AS old ORDER BY 11"))
    for _, table in reversed(_COPIES):
        op.drop_table(table)
    op.add_column('due_backs', sa.Column('presenter_key', sa.String(length=200), nullable=True))
    due_backs = connection.execute(sa.text("SELECT id, presenter FROM due_backs")).all()
    for due_back_id, presenter in due_backs:
        connection.execute(sa.text("UPDATE due_backs SET presenter_key = :key WHERE id = :id"),
                           {"key": _name_key(presenter), "id": due_back_id})


def downgrade() -> None:
    raise NotImplementedError("the four history tables are merged into one; restore a backup to go back")
