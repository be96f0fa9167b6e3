"""Commands that need the LMS's tables say so in one line when they are missing or out of
date, instead of a page of traceback: "run `flask lms db upgrade` first"."""

from __future__ import annotations

from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup, ScriptInfo
from sqlalchemy.exc import OperationalError, ProgrammingError

#: PostgreSQL's "undefined table" and "undefined column" (psycopg's sqlstate).
MISSING_SCHEMA_STATES = frozenset({"42P01", "42703"})
#: SQLite's messages for the same.
MISSING_SCHEMA_MESSAGES = ("no such table", "no such column", "has no column named")


def is_missing_schema(error: Exception) -> bool:
    if not isinstance(error, (OperationalError, ProgrammingError)):
        return False
    state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    if state in MISSING_SCHEMA_STATES:
        return True
    return any(message in str(error.orig) for message in MISSING_SCHEMA_MESSAGES)


def upgrade_command() -> str:
    """How this app runs the LMS's migrations: `lms db upgrade` standalone, else
    `flask lms db upgrade`."""
    state = current_app.extensions.get("lms")
    return "lms db upgrade" if state is not None and state.own_accounts else "flask lms db upgrade"


def missing_schema_message() -> str:
    from lms import migrate
    from lms.database import session

    session.rollback()
    try:
        current = migrate.current_revision()
    except (OperationalError, ProgrammingError):
        current = None
    head = migrate.head_revision()
    where = "has no LMS tables" if current is None else f"is at {current}, the code needs {head}"
    return f"The database {where}: run `{upgrade_command()}` first."


class DatabaseGroup(AppGroup):
    """A command group whose commands report missing LMS tables in one line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as error:
            if not is_missing_schema(error):
                raise
            # The command's app context has ended by now: the same app, a new context.
            with ctx.ensure_object(ScriptInfo).load_app().app_context():
                message = missing_schema_message()
            raise click.ClickException(message) from None
