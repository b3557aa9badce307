"""people: aliases of members, substitutes, attendance history (arrivals, departures,
corrections), a meeting's venue and corrected times, decisions taken while inquorate; names are
compared without titles and with "Surname, Given" turned round, so stored keys are made again

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 10:00:00
"""
import re

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# The name comparison as this revision introduced it (dialogs.parsing.name_key), frozen here: a
# migration must give the same result whatever the code becomes later.
_TITLES = frozenset(
    "mr mrs ms miss mx dr prof professor sir dame lord lady rev revd cllr councillor "
    "cc dcc acc ch chief supt superintendent ci insp inspector dci di ds dc sgt pc pcso det".split())


def _key(name: str) -> str:
    text = re.sub(r"\([^)]*\)", " ", name)
    surname, comma, given = text.partition(",")
    text = f"{given} {surname}" if comma and given.strip() and "," not in given else text
    words = text.replace(".", " ").casefold().split()
    while len(words) > 1 and words[0] in _TITLES:
        del words[0]
    return " ".join(words)


def _rekey(table: str, scope: str | None) -> None:
    """New keys for a table's names; a row whose new key another row of its scope holds keeps its own."""
    bind = op.get_bind()
    columns = "id, name, name_key" + (f", {scope}" if scope else "")
    rows = bind.execute(sa.text(f"SELECT {columns} FROM {table} ORDER BY id")).all()
    taken = {(row[3] if scope else None, row[2]) for row in rows}
    for row in rows:
        key = _key(row[1])
        where = (row[3] if scope else None, key)
        if key != row[2] and (scope is None or where not in taken):
            bind.execute(sa.text(f"UPDATE {table} SET name_key = :key WHERE id = :id"), {"key": key, "id": row[0]})
            taken.add(where)


def upgrade() -> None:
    op.create_table(
        'member_aliases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('committee_id', sa.Integer(), sa.ForeignKey('committees.id'), nullable=False),
        sa.Column('member_id', sa.Integer(), sa.ForeignKey('members.id', ondelete='CASCADE'), nullable=False),
        sa.Column('alias', sa.String(length=200), nullable=False),
        sa.Column('alias_key', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('committee_id', 'alias_key'),
    )
    op.create_table(
        'attendance_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('attendance_id', sa.Integer(), sa.ForeignKey('attendance.id'), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('detail', sa.String(length=200), nullable=True),
        sa.Column('by', sa.String(length=200), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_attendance_changes_attendance_id', 'attendance_changes', ['attendance_id'])
    with op.batch_alter_table('attendance') as batch:
        batch.add_column(sa.Column('substitute_for', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('substituted_by', sa.String(length=200), nullable=True))
    with op.batch_alter_table('meetings') as batch:
        batch.add_column(sa.Column('venue', sa.Text(), nullable=True))
        batch.add_column(sa.Column('minutes_start_minute', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('minutes_end_minute', sa.Integer(), nullable=True))
    with op.batch_alter_table('item_entries') as batch:
        batch.add_column(sa.Column('inquorate', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('agenda_items') as batch:
        batch.add_column(sa.Column('outcome_inquorate', sa.Boolean(), nullable=False, server_default=sa.false()))
    _rekey('members', 'committee_id')
    _rekey('attendance', 'meeting_id')
    _rekey('action_owners', None)


def downgrade() -> None:
    with op.batch_alter_table('agenda_items') as batch:
        batch.drop_column('outcome_inquorate')
    with op.batch_alter_table('item_entries') as batch:
        batch.drop_column('inquorate')
    with op.batch_alter_table('meetings') as batch:
        batch.drop_column('minutes_end_minute')
        batch.drop_column('minutes_start_minute')
        batch.drop_column('venue')
    with op.batch_alter_table('attendance') as batch:
        batch.drop_column('substituted_by')
        batch.drop_column('substitute_for')
    op.drop_index('ix_attendance_changes_attendance_id', 'attendance_changes')
    op.drop_table('attendance_changes')
    op.drop_table('member_aliases')
