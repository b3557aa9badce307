"""agendas as committees write them: items without times, the meeting's own minutes outside any item,
and each committee's house style

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 13:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('agenda_items', sa.Column('timed', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column('agenda_items', sa.Column('opening', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('agenda_items', sa.Column('position', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('committees', sa.Column('house_style', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('committees', 'house_style')
    op.drop_column('agenda_items', 'position')
    op.drop_column('agenda_items', 'opening')
    op.drop_column('agenda_items', 'timed')
