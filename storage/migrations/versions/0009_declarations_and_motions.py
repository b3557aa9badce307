"""declarations of interest and motions with their votes

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 07:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('item_entries') as batch:
        batch.add_column(sa.Column('person', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('person_user_id', sa.String(length=400), nullable=True))
        batch.add_column(sa.Column('effect', sa.String(length=20), nullable=True))
    op.create_table(
        'motions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), sa.ForeignKey('item_entries.id'), nullable=False),
        sa.Column('seconder', sa.String(length=200), nullable=True),
        sa.Column('votes_for', sa.Integer(), nullable=True),
        sa.Column('votes_against', sa.Integer(), nullable=True),
        sa.Column('abstentions', sa.Integer(), nullable=True),
        sa.Column('unanimous', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('casting_vote', sa.String(length=10), nullable=True),
        sa.Column('result', sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('entry_id'),
    )


def downgrade() -> None:
    op.drop_table('motions')
    with op.batch_alter_table('item_entries') as batch:
        batch.drop_column('effect')
        batch.drop_column('person_user_id')
        batch.drop_column('person')
