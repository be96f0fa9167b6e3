"""background jobs: lms_job (the transactional outbox); procrastinate's tables on PostgreSQL

Revision ID: 3d7a91c0e5f2
Revises: 09d57bd996cd
Create Date: 2026-12-04 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '3d7a91c0e5f2'
down_revision: str | None = '09d57bd996cd'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('lms_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('state', sa.Enum('pending', 'running', 'done', 'dead', name='jobstate', native_enum=False, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_job')),
    sa.UniqueConstraint('key', name=op.f('uq_lms_job_key'))
    )
    op.create_index('ix_lms_job_state_next_attempt_at', 'lms_job', ['state', 'next_attempt_at'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        from lms.jobs.engine import install_schema

        install_schema(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        from lms.jobs.engine import drop_schema

        drop_schema(op.get_bind())
    op.drop_index('ix_lms_job_state_next_attempt_at', table_name='lms_job')
    op.drop_table('lms_job')
