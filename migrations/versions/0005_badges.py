"""badges: each certificate's signed Open Badges 3.0 credential and its status list bit

Revision ID: 9d2e7b31c5a8
Revises: 6c1f3e2a9b04
Create Date: 2026-12-04 22:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lms.database

revision: str = '9d2e7b31c5a8'
down_revision: str | None = '6c1f3e2a9b04'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('lms_badge_credential',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('status_list', sa.String(length=16), nullable=False),
    sa.Column('status_index', sa.Integer(), nullable=False),
    sa.Column('signed_at', lms.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['lms_certificate.id'], name=op.f('fk_lms_badge_credential_certificate_id_lms_certificate')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_badge_credential')),
    sa.UniqueConstraint('certificate_id', name=op.f('uq_lms_badge_credential_certificate_id')),
    sa.UniqueConstraint('status_list', 'status_index', name=op.f('uq_lms_badge_credential_status_list_status_index'))
    )


def downgrade() -> None:
    op.drop_table('lms_badge_credential')
