"""course images: the picture a course.yml names (`image:`, `image_alt:`)

Revision ID: 6c1f3e2a9b04
Revises: 1fc866ebb5d8
Create Date: 2026-12-04 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '6c1f3e2a9b04'
down_revision: str | None = '1fc866ebb5d8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('lms_course_image',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('media_type', sa.String(length=40), nullable=False),
    sa.Column('alt', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['lms_course.id'], name=op.f('fk_lms_course_image_course_id_lms_course')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_course_image')),
    sa.UniqueConstraint('course_id', name=op.f('uq_lms_course_image_course_id'))
    )


def downgrade() -> None:
    op.drop_table('lms_course_image')
