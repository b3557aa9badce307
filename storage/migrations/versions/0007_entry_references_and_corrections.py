"""every minuted entry has a reference #N within its committee, and a history of corrections

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 03:30:00
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('committees') as batch:
        batch.add_column(sa.Column('last_entry_number', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('item_entries') as batch:
        batch.add_column(sa.Column('committee_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('number', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('author_user_id', sa.String(length=400), nullable=True))
        batch.add_column(sa.Column('source_activity_id', sa.String(length=400), nullable=True))
        batch.add_column(sa.Column('removed_at', storage.models.UTCDateTime(timezone=True), nullable=True))
        batch.create_index('ix_item_entries_committee_number', ['committee_id', 'number'], unique=True)
        batch.create_index('ix_item_entries_source_activity_id', ['source_activity_id'])
    with op.batch_alter_table('actions') as batch:
        batch.add_column(sa.Column('created_by_user_id', sa.String(length=400), nullable=True))
        batch.add_column(sa.Column('source_activity_id', sa.String(length=400), nullable=True))
    op.create_table(
        'entry_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), sa.ForeignKey('item_entries.id'), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('previous_text', sa.Text(), nullable=True),
        sa.Column('by', sa.String(length=200), nullable=True),
        sa.Column('by_user_id', sa.String(length=400), nullable=True),
        sa.Column('at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('amendment', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_entry_changes_entry_id', 'entry_changes', ['entry_id'])
    # Entries recorded before references existed get them now, in the order they were recorded.
    bind = op.get_bind()
    bind.execute(sa.text(
        "UPDATE item_entries SET committee_id = (SELECT m.committee_id FROM agenda_items a "
        "JOIN meetings m ON m.id = a.meeting_id WHERE a.id = item_entries.item_id)"))
    rows = bind.execute(sa.text(
        "SELECT id, committee_id FROM item_entries WHERE kind != 'carried' ORDER BY id")).all()
    last: dict[int, int] = {}
    for entry_id, committee_id in rows:
        last[committee_id] = last.get(committee_id, 0) + 1
        bind.execute(sa.text("UPDATE item_entries SET number = :number WHERE id = :id"),
                     {"number": last[committee_id], "id": entry_id})
    for committee_id, number in last.items():
        bind.execute(sa.text("UPDATE committees SET last_entry_number = :number WHERE id = :id"),
                     {"number": number, "id": committee_id})


def downgrade() -> None:
    op.drop_index('ix_entry_changes_entry_id', table_name='entry_changes')
    op.drop_table('entry_changes')
    with op.batch_alter_table('actions') as batch:
        batch.drop_column('source_activity_id')
        batch.drop_column('created_by_user_id')
    with op.batch_alter_table('item_entries') as batch:
        batch.drop_index('ix_item_entries_source_activity_id')
        batch.drop_index('ix_item_entries_committee_number')
        for column in ('removed_at', 'source_activity_id', 'author_user_id', 'number', 'committee_id'):
            batch.drop_column(column)
    with op.batch_alter_table('committees') as batch:
        batch.drop_column('last_entry_number')
