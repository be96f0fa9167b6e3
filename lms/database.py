"""The LMS's declarative base, column types and access to the session.

The LMS keeps its own `MetaData` (every table prefixed `lms_`) but no engine or session
of its own: it uses whichever Flask-SQLAlchemy instance the app has, its own in standalone
mode or the host's when mounted as a plugin. So the host's `db.Model` never sees LMS
tables, and the LMS never registers a second `SQLAlchemy` on an app.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from werkzeug.local import LocalProxy

if TYPE_CHECKING:
    from flask_sqlalchemy import SQLAlchemy

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TABLE_PREFIX = "lms_"


class Base(so.DeclarativeBase):
    """Base class of every LMS model."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

    def __repr__(self) -> str:
        pk = ", ".join(f"{c.key}={getattr(self, c.key)!r}" for c in self.__mapper__.primary_key)
        label = getattr(self, "slug", None) or getattr(self, "email", None)
        return f"<{type(self).__name__} {pk}{f' {label!r}' if label else ''}>"


#: The largest row id (the id columns are 32-bit integers on PostgreSQL).
MAX_ID = 2**31 - 1


def valid_id(value: int) -> bool:
    """An id that can exist: keeps absurd numbers from URLs and forms away from the
    database, where SQLite overflows and PostgreSQL raises out-of-range (a 500)."""
    return 0 < value <= MAX_ID


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database.

    PostgreSQL keeps the zone; SQLite does not, so values are stored as naive UTC there and
    made aware again on the way out. Naive values are refused rather than guessed.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum_class: type[enum.Enum]) -> sa.Enum:
    """Store an enum by its value as a short string (no native database enum types)."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def _sqlalchemy() -> SQLAlchemy:
    try:
        return current_app.extensions["sqlalchemy"]
    except KeyError:
        raise RuntimeError("The LMS needs Flask-SQLAlchemy initialised on the app.") from None


#: The current app's Flask-SQLAlchemy session (the host's in plugin mode).
session: so.scoped_session[so.Session] = LocalProxy(lambda: _sqlalchemy().session)  # type: ignore[assignment]


def engine() -> sa.Engine:
    return _sqlalchemy().engine


def configure_sqlite(engine: sa.Engine, busy_timeout_ms: int = 5000) -> None:
    """Set the pragmas a concurrent web app needs on every new SQLite connection.

    WAL lets readers run beside a writer, the busy timeout makes writers wait for the lock
    instead of failing with `database is locked`, and foreign keys are off by default.
    A timeout given to the driver (`connect_args={"timeout": seconds}` in
    SQLALCHEMY_ENGINE_OPTIONS, or `?timeout=` in the URL) is kept instead of the default.
    """
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "do_connect")
    def _note_configured_timeout(_dialect: Any, record: Any, _cargs: Any, cparams: Any) -> None:
        if "timeout" in cparams:
            record.info["lms_busy_timeout_ms"] = int(float(cparams["timeout"]) * 1000)

    @sa.event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection: Any, record: Any) -> None:
        timeout_ms = record.info.get("lms_busy_timeout_ms", busy_timeout_ms)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def lock_row(model: type[Base], row_id: int) -> None:
    """Take the write lock on one row for the rest of the transaction.

    PostgreSQL: `SELECT ... FOR UPDATE`. SQLite has no row locks, so a no-op UPDATE takes
    the database's write lock (waiting up to the busy timeout) before anything is read,
    which serialises read-then-write rules such as seat limits.
    """
    table = model.__table__  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.update(table).where(table.c.id == row_id).values(id=table.c.id))
    else:
        session.execute(sa.select(table.c.id).where(table.c.id == row_id).with_for_update())


def lock_rows(model: type[Base], *criteria: Any) -> set[int]:
    """Take the write lock on every row matching `criteria`; return their ids as read
    once the lock is held (so another transaction's committed change is seen).

    PostgreSQL: `SELECT ... FOR UPDATE`, which waits for rows another transaction holds
    and re-checks `criteria` on rows it changed. SQLite: a no-op UPDATE takes the
    database's write lock first, as in `lock_row`. Rows that start matching only after
    the read (an insert, say) are not locked: use this to count what may only shrink.
    """
    table = model.__table__  # type: ignore[attr-defined]
    select = sa.select(table.c.id).where(*criteria)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.update(table).where(*criteria).values(id=table.c.id))
        return set(session.scalars(select))
    return set(session.scalars(select.with_for_update()))
