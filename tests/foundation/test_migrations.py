"""The LMS's Alembic history: it builds exactly the models' schema and removes it again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lms import migrate
from lms.database import Base


@pytest.fixture
def empty_engine(empty_database_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(empty_database_url)
    yield engine
    engine.dispose()


#: The job engine's own tables, made by the LMS's migrations on PostgreSQL only.
PROCRASTINATE_TABLES = {
    "procrastinate_jobs",
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_workers",
}


def table_names(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def engine_tables(engine: sa.Engine) -> set[str]:
    return PROCRASTINATE_TABLES if engine.dialect.name == "postgresql" else set()


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(
    empty_engine: sa.Engine,
) -> None:
    migrate.upgrade("head", bind=empty_engine)

    assert migrate.current_revision(bind=empty_engine) == migrate.head_revision()
    assert table_names(empty_engine) == set(Base.metadata.tables) | {
        migrate.VERSION_TABLE
    } | engine_tables(empty_engine)
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": migrate.include_name, "compare_type": True}
        )
        assert compare_metadata(context, Base.metadata) == []

    migrate.downgrade("base", bind=empty_engine)
    assert table_names(empty_engine) <= {migrate.VERSION_TABLE}
    assert migrate.current_revision(bind=empty_engine) is None


def test_upgrade_twice_changes_nothing(empty_engine: sa.Engine) -> None:
    migrate.upgrade("head", bind=empty_engine)
    migrate.upgrade("head", bind=empty_engine)
    assert migrate.current_revision(bind=empty_engine) == migrate.head_revision()
