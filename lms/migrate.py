"""The LMS's own Alembic history, run against the app's database.

It uses its own version table (`lms_alembic_version`) and only ever looks at `lms_`
tables, so a host app's migrations (Flask-Migrate or plain Alembic) are untouched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from lms.database import TABLE_PREFIX, engine
from lms.resources import migrations_dir

VERSION_TABLE = "lms_alembic_version"
#: Tables the LMS's migrations make: its own, and (on PostgreSQL) its job engine's.
OWN_TABLE_PREFIXES = (TABLE_PREFIX, "procrastinate_")


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic filter: only LMS tables (a host's tables and history are not ours)."""
    if type_ == "table":
        return bool(name) and name.startswith(TABLE_PREFIX) and name != VERSION_TABLE
    return True


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["connection"] = connection
    return config


@contextmanager
def _configured(bind: sa.Engine | None = None) -> Iterator[Config]:
    with (bind or engine()).begin() as connection:
        yield alembic_config(connection)


def upgrade(revision: str = "head", bind: sa.Engine | None = None) -> None:
    with _configured(bind) as config:
        command.upgrade(config, revision)


def downgrade(revision: str, bind: sa.Engine | None = None) -> None:
    with _configured(bind) as config:
        command.downgrade(config, revision)


def revision(message: str, autogenerate: bool = True) -> None:
    """Write a new migration script (for LMS developers)."""
    with _configured() as config:
        command.revision(config, message=message, autogenerate=autogenerate)


def current_revision(bind: sa.Engine | None = None) -> str | None:
    with (bind or engine()).connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def exclude_lms_tables(name: str | None, type_: str, parent_names: Any) -> bool:
    """For a host app's Alembic/Flask-Migrate: leave the LMS's tables (and its job
    engine's, `procrastinate_*`) to the LMS.

    `Migrate(app, db, include_name=lms.migrate.exclude_lms_tables)`
    """
    return not (type_ == "table" and bool(name) and name.startswith(OWN_TABLE_PREFIXES))
