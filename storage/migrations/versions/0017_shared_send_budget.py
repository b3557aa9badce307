"""the rate-limit budget every instance shares on PostgreSQL (one row per message and key), and a
plain-text reply's words in the outbox, so the confirmations an outage held up fold into one; and
when each instance was last alive, so a dead one's claims are taken over at once

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 11:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'send_slots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=450), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_send_slots_key_sent_at', 'send_slots', ['key', 'sent_at'])
    op.add_column('outbox', sa.Column('text', sa.Text(), nullable=True))
    op.create_table(
        'live_instances',
        sa.Column('instance', sa.String(length=100), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('instance'),
    )


def downgrade() -> None:
    op.drop_table('live_instances')
    op.drop_column('outbox', 'text')
    op.drop_index('ix_send_slots_key_sent_at', 'send_slots')
    op.drop_table('send_slots')
