"""Add operations, phases, participation, reporting and documents

Revision ID: cc7d9d675f87
Revises: 6b84ea4e34c7
Create Date: 2026-11-25 08:21:13.678240
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import opsplatform.core.db

revision = 'cc7d9d675f87'
down_revision = '6b84ea4e34c7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('operations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('objectives', sa.Text(), nullable=False),
    sa.Column('substance_groups', sa.JSON(), nullable=False),
    sa.Column('transport_modes', sa.JSON(), nullable=False),
    sa.Column('host_organisation_id', sa.Integer(), nullable=False),
    sa.Column('handling_code', sa.Enum('H0', 'H1', 'H2', 'H3', name='handlingcode', native_enum=False, length=8), nullable=False),
    sa.Column('tlp', sa.Enum('TLP:RED', 'TLP:AMBER+STRICT', 'TLP:AMBER', 'TLP:GREEN', 'TLP:CLEAR', name='tlplevel', native_enum=False, length=20), nullable=False),
    sa.Column('reporting_frequency', sa.Enum('daily', 'weekly', 'custom', name='reportingfrequency', native_enum=False, length=16), nullable=False),
    sa.Column('report_deadline_days', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('closed_at', opsplatform.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', opsplatform.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', opsplatform.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_operations_closed_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_operations_created_by_id_users')),
    sa.ForeignKeyConstraint(['host_organisation_id'], ['organisations.id'], name=op.f('fk_operations_host_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_operations_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operations')),
    sa.UniqueConstraint('code', name=op.f('uq_operations_code'))
    )
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operations_ends_on'), ['ends_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_operations_host_organisation_id'), ['host_organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_operations_starts_on'), ['starts_on'], unique=False)

    op.create_table('stored_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('created_at', opsplatform.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('ciphertext', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_stored_files_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_files')),
    sa.UniqueConstraint('uuid', name=op.f('uq_stored_files_uuid'))
    )
    op.create_table('operation_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('stored_file_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('category', sa.Enum('operational_plan', 'risk_indicators', 'instructions', 'other', name='documentcategory', native_enum=False, length=30), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('uploaded_at', opsplatform.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['operation_id'], ['operations.id'], name=op.f('fk_operation_documents_operation_id_operations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stored_file_id'], ['stored_files.id'], name=op.f('fk_operation_documents_stored_file_id_stored_files')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_operation_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operation_documents')),
    sa.UniqueConstraint('stored_file_id', name=op.f('uq_operation_documents_stored_file_id'))
    )
    with op.batch_alter_table('operation_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operation_documents_operation_id'), ['operation_id'], unique=False)

    op.create_table('operation_organisers',
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['operation_id'], ['operations.id'], name=op.f('fk_operation_organisers_operation_id_operations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_operation_organisers_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('operation_id', 'organisation_id', name=op.f('pk_operation_organisers'))
    )
    with op.batch_alter_table('operation_organisers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operation_organisers_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('operation_phases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('planning', 'pre_operational', 'operational', 'follow_up', 'post_operational', 'closed', name='phasekind', native_enum=False, length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['operation_id'], ['operations.id'], name=op.f('fk_operation_phases_operation_id_operations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operation_phases')),
    sa.UniqueConstraint('operation_id', 'position', name=op.f('uq_operation_phases_operation_id_position'))
    )
    op.create_table('participations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('invited', 'accepted', 'declined', 'withdrawn', name='participationstatus', native_enum=False, length=16), nullable=False),
    sa.Column('invited_at', opsplatform.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=False),
    sa.Column('responded_at', opsplatform.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('responded_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', opsplatform.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_participations_invited_by_id_users')),
    sa.ForeignKeyConstraint(['operation_id'], ['operations.id'], name=op.f('fk_participations_operation_id_operations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_participations_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['responded_by_id'], ['users.id'], name=op.f('fk_participations_responded_by_id_users')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_participations_withdrawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participations')),
    sa.UniqueConstraint('operation_id', 'organisation_id', name=op.f('uq_participations_operation_id_organisation_id'))
    )
    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.create_index('ix_participations_organisation_id_status', ['organisation_id', 'status'], unique=False)

    op.create_table('reporting_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('deadline_at', opsplatform.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['operation_id'], ['operations.id'], name=op.f('fk_reporting_periods_operation_id_operations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_periods')),
    sa.UniqueConstraint('operation_id', 'starts_on', name=op.f('uq_reporting_periods_operation_id_starts_on'))
    )
    op.create_table('operation_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('participation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('coordinator', 'contact_point', 'observer', name='operationrole', native_enum=False, length=20), nullable=False),
    sa.Column('added_at', opsplatform.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_operation_members_added_by_id_users')),
    sa.ForeignKeyConstraint(['operation_id'], ['operations.id'], name=op.f('fk_operation_members_operation_id_operations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participation_id'], ['participations.id'], name=op.f('fk_operation_members_participation_id_participations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_operation_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operation_members')),
    sa.UniqueConstraint('operation_id', 'user_id', name=op.f('uq_operation_members_operation_id_user_id'))
    )
    with op.batch_alter_table('operation_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operation_members_participation_id'), ['participation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_operation_members_user_id'), ['user_id'], unique=False)

    op.create_table('period_returns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('nil', 'seizures', name='returnkind', native_enum=False, length=16), nullable=False),
    sa.Column('seizure_count', sa.Integer(), nullable=True),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.Column('filed_at', opsplatform.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_period_returns_filed_by_id_users')),
    sa.ForeignKeyConstraint(['operation_id'], ['operations.id'], name=op.f('fk_period_returns_operation_id_operations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_period_returns_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['period_id'], ['reporting_periods.id'], name=op.f('fk_period_returns_period_id_reporting_periods'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period_returns')),
    sa.UniqueConstraint('period_id', 'organisation_id', name=op.f('uq_period_returns_period_id_organisation_id'))
    )
    with op.batch_alter_table('period_returns', schema=None) as batch_op:
        batch_op.create_index('ix_period_returns_operation_id_organisation_id', ['operation_id', 'organisation_id'], unique=False)

    op.create_table('reporting_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('sent_at', opsplatform.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['operation_id'], ['operations.id'], name=op.f('fk_reporting_reminders_operation_id_operations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_reporting_reminders_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['period_id'], ['reporting_periods.id'], name=op.f('fk_reporting_reminders_period_id_reporting_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_reporting_reminders_sent_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_reminders'))
    )
    with op.batch_alter_table('reporting_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reporting_reminders_operation_id'), ['operation_id'], unique=False)
        batch_op.create_index('ix_reporting_reminders_period_id_organisation_id', ['period_id', 'organisation_id'], unique=False)

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('operation_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_audit_entries_operation_id_id', ['operation_id', 'id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_entries_operation_id_operations'), 'operations', ['operation_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_entries_operation_id_operations'), type_='foreignkey')
        batch_op.drop_index('ix_audit_entries_operation_id_id')
        batch_op.drop_column('operation_id')

    with op.batch_alter_table('reporting_reminders', schema=None) as batch_op:
        batch_op.drop_index('ix_reporting_reminders_period_id_organisation_id')
        batch_op.drop_index(batch_op.f('ix_reporting_reminders_operation_id'))

    op.drop_table('reporting_reminders')
    with op.batch_alter_table('period_returns', schema=None) as batch_op:
        batch_op.drop_index('ix_period_returns_operation_id_organisation_id')

    op.drop_table('period_returns')
    with op.batch_alter_table('operation_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operation_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_operation_members_participation_id'))

    op.drop_table('operation_members')
    op.drop_table('reporting_periods')
    with op.batch_alter_table('participations', schema=None) as batch_op:
        batch_op.drop_index('ix_participations_organisation_id_status')

    op.drop_table('participations')
    op.drop_table('operation_phases')
    with op.batch_alter_table('operation_organisers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operation_organisers_organisation_id'))

    op.drop_table('operation_organisers')
    with op.batch_alter_table('operation_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operation_documents_operation_id'))

    op.drop_table('operation_documents')
    op.drop_table('stored_files')
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operations_starts_on'))
        batch_op.drop_index(batch_op.f('ix_operations_host_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_operations_ends_on'))

    op.drop_table('operations')
