"""Index participations by operation and status

Revision ID: a0f9a657a390
Revises: cc7d9d675f87
Create Date: 2026-11-25 09:26:21.086842
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import opsplatform.core.db

revision = 'a0f9a657a390'
down_revision = 'cc7d9d675f87'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.create_index('ix_participations_operation_id_status', ['operation_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.drop_index('ix_participations_operation_id_status')

