"""`lms demo`: a working LMS with both courses and a demo that looks lived in (a cohort in
its third week, self-paced learners, grading to do; see `lms.seeding.demo`)."""

from __future__ import annotations

import textwrap

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from lms.database import session
from lms.grading.queue import waiting_count
from lms.models import Cohort, Profile, Role


def prepare_demo() -> None:
    """Migrate, load the courses and seed the demo, once (a second run changes nothing)."""
    # Here, not at the top: every `lms` command (and `lms run`) imports this module.
    from lms import migrate
    from lms.seeding.demo import demo_exists, seed_demo

    migrate.upgrade()
    if not demo_exists():
        seed_demo(current_app.config["LMS_DEFAULT_TIMEZONE"])


def prepare_demo_badges() -> None:
    """The demo's certificates with their Open Badges: a signing key made once (at
    LMS_BADGES_KEY_FILE, by default in the instance folder) and every badge signed."""
    from lms.badges.keystore import KeyMissingError, KeyStoreError, init_key, key_path, signing_key
    from lms.badges.service import certificates_without_credential, credential_for

    try:
        try:
            signing_key()
        except KeyMissingError:
            init_key(key_path())
    except KeyStoreError as error:
        click.echo(f"Open Badges are off in this demo: {error}", err=True)
        return
    for certificate in certificates_without_credential():
        credential_for(certificate)
    session.commit()


def describe_demo() -> list[str]:
    """What `lms demo` prints: the accounts, what to try as whom, the invite code."""
    from lms.seeding.demo import ADMIN, COHORT_NAME, DEMO_PASSWORD, WHAT_TO_TRY

    database = session.get_bind().url.render_as_string(hide_password=True)
    people = {
        p.email: p
        for p in session.scalars(sa.select(Profile).where(Profile.email.in_(dict(WHAT_TO_TRY))))
    }
    lines = [f"Database: {database}", f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
    for email, what in WHAT_TO_TRY:
        role = people[email].role if email in people else Role.LEARNER
        lines.append(f"  {role.value:<11} {email}")
        lines += textwrap.wrap(what, 88, initial_indent=" " * 14, subsequent_indent=" " * 14)
    if ADMIN in people:
        lines.append(f"Written answers waiting for grading: {waiting_count(people[ADMIN])}")
    cohort = session.scalar(sa.select(Cohort).where(Cohort.name == COHORT_NAME))
    if cohort is not None:
        lines.append(f"Cohort invite code: {cohort.invite_code}")
    return lines


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Prepare the demo data, print it, do not serve.")
@with_appcontext
def demo_command(host: str, port: int, no_serve: bool) -> None:
    """Set up a demo (database, courses, people at work in a cohort and self-paced) and
    serve it."""
    # Links in the demo's mail (password resets, feedback) and badges lead to this server.
    current_app.config["LMS_BASE_URL"] = current_app.config.get("LMS_BASE_URL") or (
        f"http://{host}:{port}"
    )
    prepare_demo()
    prepare_demo_badges()
    click.echo("")
    for line in describe_demo():
        click.echo(line)
    if no_serve:
        return
    click.echo(f"\nServing on http://{host}:{port}/  (Ctrl+C to stop)\n")
    from lms.jobs.worker import start_in_process

    start_in_process(current_app._get_current_object())  # type: ignore[attr-defined]
    # app.run() is ignored inside a Flask CLI command; serve with werkzeug directly.
    run_simple(host, port, current_app._get_current_object(), threaded=True)  # type: ignore[attr-defined]
