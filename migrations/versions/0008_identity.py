"""identity: profiles keyed on a value that never changes, reuse marker, pseudonymised

Profiles were keyed by `user.get_id()`. For the standalone app and most hosts that is
the primary key already, so keys stay as they are. A host whose `get_id()` is something
else (Flask-Security's `fs_uniquifier`) runs `flask lms users rekey` once after this
upgrade; it moves each profile to its user's stable key and records the marker.

Revision ID: 7d2a4c9e1f05
Revises: 3d7a91c0e5f2
Create Date: 2026-12-04 22:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lms.database

revision: str = '7d2a4c9e1f05'
down_revision: str | None = '3d7a91c0e5f2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('lms_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_marker', sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column('forgotten_at', lms.database.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.alter_column('user_id', existing_type=sa.String(length=64), nullable=True)


def downgrade() -> None:
    # A pseudonymised profile has no key; give it one nobody can sign in with.
    op.execute(
        "UPDATE lms_profile SET user_id = 'removed-' || id WHERE user_id IS NULL"
    )
    with op.batch_alter_table('lms_profile', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('forgotten_at')
        batch_op.drop_column('user_marker')
