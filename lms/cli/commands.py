"""The `lms` command group: database, users, courses, demo.

Alembic and the course loader (pydantic) are imported inside the commands that use them:
every gunicorn worker and `lms run` import this module, and neither needs them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
import sqlalchemy as sa
from flask import current_app

from lms.cli.badges import badges_cli
from lms.cli.ce import ce_cli
from lms.cli.database import DatabaseGroup
from lms.cli.grading import grading_cli
from lms.cli.jobs import jobs_cli, worker_command
from lms.cli.lti import lti_cli
from lms.cli.settings import settings_command
from lms.database import session
from lms.models import Profile, Role
from lms.resources import bundled_courses_dir

if TYPE_CHECKING:
    from lms.content.loader import LoadResult

lms_cli = DatabaseGroup("lms", help="Manage the LMS: database, users, courses.")


@lms_cli.group("db")
def db_group() -> None:
    """Create and upgrade the LMS's tables."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the LMS tables to REVISION (default: the latest)."""
    from lms import migrate

    migrate.upgrade(revision)
    click.echo(f"LMS database at {migrate.current_revision()} (head: {migrate.head_revision()}).")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Downgrade the LMS tables to REVISION (`base` removes them all)."""
    from lms import migrate

    migrate.downgrade(revision)
    click.echo(f"LMS database at {migrate.current_revision() or 'base'}.")


@db_group.command("current")
def db_current() -> None:
    """Show the LMS tables' migration revision."""
    from lms import migrate

    click.echo(migrate.current_revision() or "base (no LMS tables)")


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
def db_revision(message: str) -> None:
    """Write a migration from the difference between the models and the database."""
    from lms import migrate

    migrate.revision(message)


@lms_cli.group("users", cls=DatabaseGroup)
def users_group() -> None:
    """Create users and set their roles."""


def _role_option() -> click.Option:
    return click.option(
        "--role",
        type=click.Choice([role.value for role in Role]),
        default=Role.LEARNER.value,
        show_default=True,
    )


@users_group.command("create")
@click.argument("email")
@click.option("--name", default="", help="Display name (default: from the email).")
@_role_option()
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Create a standalone account with EMAIL (the password is asked for)."""
    from lms.accounts.service import AccountError, create_account

    if not current_app.extensions["lms"].own_accounts:
        raise click.ClickException(
            "Accounts belong to the host app here: create the user there, then run "
            "`flask lms users set-role EMAIL ROLE` after their first visit to the LMS."
        )
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        create_account(
            email, name, password, Role(role), timezone=current_app.config["LMS_DEFAULT_TIMEZONE"]
        )
    except AccountError as error:
        session.rollback()
        raise click.ClickException(str(error)) from None
    session.commit()
    click.echo(f"Created {role} {email.strip().lower()}.")


@users_group.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([role.value for role in Role]))
def users_set_role(email: str, role: str) -> None:
    """Give the user with EMAIL the ROLE learner, instructor or admin."""
    profiles = session.scalars(
        sa.select(Profile).where(sa.func.lower(Profile.email) == email.strip().lower())
    ).all()
    if not profiles:
        raise click.ClickException(
            f"No LMS user with email {email}. (In a host app, a user appears after their "
            "first visit to the LMS.)"
        )
    for profile in profiles:
        profile.role = Role(role)
    session.commit()
    click.echo(f"{email}: role is now {role}.")


@users_group.command("forget")
@click.argument("key")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def users_forget(key: str, yes: bool) -> None:
    """Pseudonymise the profile of the user with KEY (their primary key, or your
    user_key's value), for a user deleted other than through the ORM. The CE record is
    kept, as accreditors require."""
    from lms.identity.profiles import forget_user

    if not yes:
        click.confirm(
            f"Pseudonymise the LMS profile of user {key}? This cannot be undone", abort=True
        )
    if not forget_user(key):
        raise click.ClickException(f"No LMS profile has the key {key!r}.")
    click.echo(f"The profile of user {key} is pseudonymised; its CE record is kept.")


@users_group.command("rekey")
def users_rekey() -> None:
    """Move profiles made before 0.2 (keyed by get_id()) to each user's stable key.

    Run once after `flask lms db upgrade`, in a host whose get_id() is not the primary
    key (Flask-Security); harmless elsewhere (it records each user's marker).
    """
    from lms.identity.profiles import rekey_profiles, user_model

    model = user_model()
    if model is None:
        raise click.ClickException(
            "Cannot tell which model is the user model: pass LMS(app, user_model=User)."
        )
    for line in rekey_profiles(session.scalars(sa.select(model))).lines():
        click.echo(line)


@lms_cli.group("courses", cls=DatabaseGroup)
def courses_group() -> None:
    """Check course files, load them into the database, import and export GIFT."""


def _courses_root(path: str | None) -> Path:
    if path:
        return Path(path)
    configured = current_app.config.get("LMS_COURSES_PATH")
    return Path(configured) if configured else bundled_courses_dir()


def _load_checked(path: str | None) -> LoadResult:
    """Load the course tree, or print every problem and exit non-zero."""
    from lms.content.loader import load_courses

    root = _courses_root(path)
    result = load_courses(root)
    if not result.ok:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        count = len(result.problems)
        raise click.ClickException(
            f"{count} problem{'s' if count != 1 else ''} in {root}; nothing was changed."
        )
    return result


@courses_group.command("check")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False))
def courses_check(path: str | None) -> None:
    """Validate the course files under PATH (default: the configured courses)."""
    from lms.content.loader import EvaluationSource, LessonSource, QuizSource
    from lms.content.sync import plural

    result = _load_checked(path)
    for warning in result.warnings:  # worth a look, but nothing to stop for
        click.echo(str(warning), err=True)
    courses = result.courses
    for source in courses:
        items = [item for module in source.modules for item in module.items]
        counts = [
            ("module", len(source.modules)),
            ("lesson", sum(isinstance(i, LessonSource) for i in items)),
            ("quiz", sum(isinstance(i, QuizSource) for i in items)),
            ("evaluation", sum(isinstance(i, EvaluationSource) for i in items)),
        ]
        summary = ", ".join(
            f"{n} {plural(kind, n)}" for kind, n in counts if n or kind != "evaluation"
        )
        click.echo(f"ok  {source.course.slug}: {summary}")
    warnings = len(result.warnings)
    noted = f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
    click.echo(
        f"{len(courses)} course{'s' if len(courses) != 1 else ''} checked, no problems{noted}."
    )


@courses_group.command("sync")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False))
def courses_sync(path: str | None) -> None:
    """Load the course files under PATH into the database, in one transaction."""
    from lms.content.sync import sync_courses

    courses = _load_checked(path).courses
    try:
        report = sync_courses(courses)
        session.commit()
    except Exception:
        session.rollback()
        raise
    click.echo(report.summary())


def _courses_option() -> click.Option:
    return click.option(
        "--courses",
        "courses_path",
        type=click.Path(exists=True, file_okay=False),
        help="The courses folder (default: the configured courses).",
    )


@courses_group.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--course", required=True, help="Slug of the course to import into.")
@click.option("--module", required=True, help="Slug of the module whose folder gets the drafts.")
@click.option(
    "--quiz", help="One quiz with this slug (default: one per $CATEGORY, or FILE's name)."
)
@click.option("--source", help="Source of questions without a [tag:source=...] comment.")
@click.option("--objective", help="Objective of questions without a [tag:objective=...] comment.")
@click.option(
    "--unsupported",
    type=click.Choice(["fail", "skip"]),
    default="fail",
    show_default=True,
    help="What to do if a question uses what the LMS does not support.",
)
@click.option("--force", is_flag=True, help="Replace quiz files that exist.")
@_courses_option()
def courses_import_gift(
    file: Path,
    course: str,
    module: str,
    quiz: str | None,
    source: str | None,
    objective: str | None,
    unsupported: str,
    force: bool,
    courses_path: str | None,
) -> None:
    """Import the questions of the GIFT FILE as draft quiz files of a module."""
    from lms.content.gift.importer import ImportRequest, import_gift

    request = ImportRequest(
        file,
        _courses_root(courses_path),
        course,
        module,
        quiz=quiz,
        source=source,
        objective=objective,
        unsupported="skip" if unsupported == "skip" else "fail",
        force=force,
    )
    outcome = import_gift(request)
    for line in outcome.reports:
        click.echo(line, err=True)
    if outcome.failure:
        raise click.ClickException(outcome.failure)
    for line in outcome.summary:
        click.echo(line)


@courses_group.command("export-gift")
@click.argument("course")
@click.option("--quiz", help="Export only the quiz with this slug.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output).",
)
@_courses_option()
def courses_export_gift(
    course: str, quiz: str | None, output: Path | None, courses_path: str | None
) -> None:
    """Write the quizzes of COURSE (its slug) as GIFT."""
    from lms.content.gift.exporter import ExportError, export_course
    from lms.content.gift.target import TargetError, write_files

    try:
        exported = export_course(_courses_root(courses_path), course, quiz)
    except TargetError as exc:
        raise click.ClickException(f"{exc}.") from None
    except ExportError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"{exc.message}.") from None
    for note in exported.notes:
        click.echo(f"note: {note}", err=True)
    if output is None:
        click.echo(exported.text, nl=False)
    else:
        try:
            write_files({output: exported.text})
        except OSError as exc:
            raise click.ClickException(f"Cannot write {output}: {exc.strerror}.") from None
        click.echo(f"Wrote {output}.", err=True)


lms_cli.add_command(grading_cli)
lms_cli.add_command(ce_cli)
lms_cli.add_command(settings_command)
lms_cli.add_command(badges_cli)
lms_cli.add_command(lti_cli)
lms_cli.add_command(jobs_cli)
lms_cli.add_command(worker_command)
