"""Keep signed-in sessions server-side so sign-out ends every copy

Revision ID: 35222df82561
Revises: a0f9a657a390
Create Date: 2026-12-02 02:41:19.969409
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import opsplatform.core.db

revision = '35222df82561'
down_revision = 'a0f9a657a390'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Sessions move from a nonce on the account (which could end them all, never one) to a
    # row per signed-in browser. Everyone signs in again after the upgrade.
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('started_at', opsplatform.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', opsplatform.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.Enum('signed_out', 'expired', 'password_changed', 'password_reset', 'deactivated', name='sessionendreason', native_enum=False, length=20), nullable=True),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_user_sessions_key_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_nonce')



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        # Old code reads a nonce no cookie carries: everyone signs in again.
        batch_op.add_column(sa.Column('session_nonce', sa.VARCHAR(length=32), nullable=False,
                                      server_default='ended-by-downgrade'))

    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))

    op.drop_table('user_sessions')
