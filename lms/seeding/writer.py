"""Rows buffered per table and written with Core bulk inserts, their ids allocated here."""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa

import lms.models as m

#: Rows buffered (all tables together) before they are written.
CHUNK = 5_000

#: Parents before children, so foreign keys hold at every flush.
TABLE_ORDER = [
    m.Account.__table__,
    m.Profile.__table__,
    m.Cohort.__table__,
    m.cohort_instructor,
    m.course_instructor,
    m.CohortModule.__table__,
    m.LiveSession.__table__,
    m.Enrolment.__table__,
    m.LessonProgress.__table__,
    m.Attempt.__table__,
    m.Answer.__table__,
    m.Grade.__table__,
    m.Attendance.__table__,
    m.Notification.__table__,
    m.Certificate.__table__,
]


class Writer:
    """Buffers rows per table, allocates ids, and writes them with Core bulk inserts."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TABLE_ORDER}
        self.next_id: dict[str, int] = {}
        self.counts: Counter[str] = Counter()
        for table in TABLE_ORDER:
            if "id" in table.c:
                top = connection.scalar(sa.select(sa.func.max(table.c.id)))
                self.next_id[table.name] = (top or 0) + 1

    def add(self, table: sa.Table, **row: Any) -> int:
        """Buffer one row (its id allocated here when the table has one); returns the id."""
        if table.name in self.next_id:
            row["id"] = self.next_id[table.name]
            self.next_id[table.name] += 1
        self.rows[table.name].append(row)
        if sum(len(rows) for rows in self.rows.values()) >= CHUNK:
            self.flush()
        return row.get("id", 0)

    def flush(self) -> None:
        for table in TABLE_ORDER:
            rows = self.rows[table.name]
            if rows:
                self.connection.execute(table.insert(), rows)
                self.counts[table.name] += len(rows)
                self.rows[table.name] = []

    def finish(self) -> None:
        self.flush()
        if self.connection.dialect.name == "postgresql":
            for table in TABLE_ORDER:  # ids were given explicitly: move the sequences on
                if "id" in table.c:
                    top = sa.select(sa.func.coalesce(sa.func.max(table.c.id), 1))
                    sequence = sa.func.pg_get_serial_sequence(table.name, "id")
                    self.connection.execute(
                        sa.select(sa.func.setval(sequence, top.scalar_subquery()))
                    )
