"""a meeting's secretary; exempt (confidential) agenda items and the actions agreed under them

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('meetings') as batch:
        batch.add_column(sa.Column('started_by_user_id', sa.String(length=400), nullable=True))
        batch.add_column(sa.Column('secretary_name', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('secretary_user_id', sa.String(length=400), nullable=True))
    with op.batch_alter_table('agenda_items') as batch:
        batch.add_column(sa.Column('exempt_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('actions') as batch:
        batch.add_column(sa.Column('confidential', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('actions') as batch:
        batch.drop_column('confidential')
    with op.batch_alter_table('agenda_items') as batch:
        batch.drop_column('exempt_reason')
    with op.batch_alter_table('meetings') as batch:
        batch.drop_column('secretary_user_id')
        batch.drop_column('secretary_name')
        batch.drop_column('started_by_user_id')
