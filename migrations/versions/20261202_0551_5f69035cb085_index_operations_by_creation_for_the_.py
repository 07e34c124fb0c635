"""Index operations by creation for the list's order

Revision ID: 5f69035cb085
Revises: 35222df82561
Create Date: 2026-12-02 05:51:12.094806

The operations list is ordered newest first by (created_at, id), and its pages start
after a cursor naming both: this index serves the order and the cursor's bound.
"""

from __future__ import annotations

from alembic import op

revision = '5f69035cb085'
down_revision = '35222df82561'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.create_index('ix_operations_created_at_id', ['created_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.drop_index('ix_operations_created_at_id')
