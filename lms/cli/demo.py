"""`lms demo`: a working LMS with both courses, demo accounts and a running cohort."""

from __future__ import annotations

from datetime import timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from lms.accounts.service import create_account, find_account
from lms.cohorts.service import create_cohort
from lms.database import session, utcnow
from lms.models import Cohort, Course, Profile, Role, Track
from lms.resources import bundled_courses_dir

DEMO_PASSWORD = "ketamine demo ward"  # noqa: S105 (printed for the demo on purpose)
DEMO_ACCOUNTS = [
    ("admin@example.com", "Avery Admin", Role.ADMIN),
    ("instructor@example.com", "Iris Instructor", Role.INSTRUCTOR),
    ("nurse@example.com", "Nadia Nurse", Role.LEARNER),
    ("therapist@example.com", "Theo Therapist", Role.LEARNER),
]


def prepare_demo() -> list[tuple[str, str, Role]]:
    """Migrate, load the courses, create the demo accounts and a cohort (idempotent)."""
    # Here, not at the top: every `lms` command (and `lms run`) imports this module.
    from lms import migrate
    from lms.content.loader import load_courses
    from lms.content.sync import sync_courses

    migrate.upgrade()
    result = load_courses(bundled_courses_dir())
    if not result.ok:
        raise click.ClickException("\n".join(str(p) for p in result.problems))
    sync_courses(result.courses)
    for email, name, role in DEMO_ACCOUNTS:
        if find_account(email) is None:
            create_account(email, name, DEMO_PASSWORD, role)
    session.flush()
    instructor = session.scalar(sa.select(Profile).where(Profile.email == "instructor@example.com"))
    for course in session.scalars(sa.select(Course).where(Course.track == Track.COHORT)):
        if session.scalar(sa.select(Cohort).where(Cohort.course_id == course.id)) is None:
            starts_on = (utcnow() - timedelta(days=8)).date()  # week 2 is open
            create_cohort(
                course,
                "Demo cohort",
                starts_on,
                capacity=20,
                instructors=[instructor] if instructor else [],
            )
    session.commit()
    return DEMO_ACCOUNTS


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Prepare the demo data, print it, do not serve.")
@with_appcontext
def demo_command(host: str, port: int, no_serve: bool) -> None:
    """Set up a demo (database, courses, accounts, a cohort) and serve it."""
    accounts = prepare_demo()
    cohort = session.scalar(sa.select(Cohort))
    database = session.get_bind().url.render_as_string(hide_password=True)
    click.echo(f"\nDatabase: {database}")
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for email, _name, role in accounts:
        click.echo(f"  {role.value:<11} {email}")
    if cohort is not None:
        click.echo(f"Cohort invite code: {cohort.invite_code}")
    if no_serve:
        return
    # Links in the demo's mail (password resets, feedback) lead to this server.
    current_app.config["LMS_BASE_URL"] = current_app.config.get("LMS_BASE_URL") or (
        f"http://{host}:{port}"
    )
    click.echo(f"\nServing on http://{host}:{port}/  (Ctrl+C to stop)\n")
    # app.run() is ignored inside a Flask CLI command; serve with werkzeug directly.
    run_simple(host, port, current_app._get_current_object(), threaded=True)  # type: ignore[attr-defined]
