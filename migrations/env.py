"""Alembic environment for the LMS's own migrations (run through `lms db ...`)."""

from alembic import context

import lms.models  # noqa: F401  (registers every table on the metadata)
from lms.database import Base
from lms.migrate import VERSION_TABLE, include_name

connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("Run LMS migrations with `lms db upgrade` (or `flask lms db upgrade`).")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    include_name=include_name,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
