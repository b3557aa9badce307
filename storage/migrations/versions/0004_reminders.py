"""reminders

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:19:26.143335
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('due_back_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=100), nullable=True),
    sa.Column('due_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=100), nullable=True),
    sa.Column('claimed_until', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('sent_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], ),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], ),
    sa.ForeignKeyConstraint(['due_back_id'], ['due_backs.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_status'), ['status'], unique=False)

    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminders_enabled', sa.Boolean(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('next_reminder_at', storage.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_actions_next_reminder_at'), ['next_reminder_at'], unique=False)

    with op.batch_alter_table('committees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminders_paused', sa.Boolean(), server_default='0', nullable=False))

    with op.batch_alter_table('due_backs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_reminder_at', storage.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_due_backs_next_reminder_at'), ['next_reminder_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('due_backs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_due_backs_next_reminder_at'))
        batch_op.drop_column('next_reminder_at')

    with op.batch_alter_table('committees', schema=None) as batch_op:
        batch_op.drop_column('reminders_paused')

    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_next_reminder_at'))
        batch_op.drop_column('next_reminder_at')
        batch_op.drop_column('reminders_enabled')

    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_status'))
        batch_op.drop_index(batch_op.f('ix_reminders_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_reminders_committee_id'))
        batch_op.drop_index(batch_op.f('ix_reminders_action_id'))

    op.drop_table('reminders')
