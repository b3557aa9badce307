"""an agenda item can be deferred to the next meeting or withdrawn; a meeting's minutes are
confirmed at the next meeting

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 07:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agenda_items') as batch:
        batch.add_column(sa.Column('status', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('status_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('meetings') as batch:
        batch.add_column(sa.Column('confirmed_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('confirmed_by', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('confirmation_amendments', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('meetings') as batch:
        batch.drop_column('confirmation_amendments')
        batch.drop_column('confirmed_by')
        batch.drop_column('confirmed_on')
    with op.batch_alter_table('agenda_items') as batch:
        batch.drop_column('status_reason')
        batch.drop_column('status')
