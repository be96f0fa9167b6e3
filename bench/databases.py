"""A fresh, empty database for one benchmark or load run, removed afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from lms.config import normalise_database_url


@contextmanager
def fresh_database(kind: str, folder: Path, postgres_url: str, name: str) -> Iterator[str]:
    """An SQLite file `name`.sqlite3 in `folder`, or a new PostgreSQL database `name`_<random>
    on the server of `postgres_url` (dropped afterwards, even with connections left open)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'{name}.sqlite3'}"
        return
    server = normalise_database_url(postgres_url).rsplit("/", 1)[0]
    database = f"{name}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
    try:
        yield f"{server}/{database}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
