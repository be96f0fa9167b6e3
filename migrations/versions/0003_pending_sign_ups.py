"""pending sign ups: an account is made once its owner opens the mailed link (issue 17)

Revision ID: 1fc866ebb5d8
Revises: e2b34172273d
Create Date: 2026-12-04 19:55:08.016430
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lms.database

revision: str = '1fc866ebb5d8'
down_revision: str | None = 'e2b34172273d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('lms_pending_sign_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', lms.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_pending_sign_up')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_lms_pending_sign_up_token_hash'))
    )
    with op.batch_alter_table('lms_pending_sign_up', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_pending_sign_up_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_pending_sign_up_email'), ['email'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('lms_pending_sign_up', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_pending_sign_up_email'))
        batch_op.drop_index(batch_op.f('ix_lms_pending_sign_up_created_at'))

    op.drop_table('lms_pending_sign_up')
