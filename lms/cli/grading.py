"""`lms grading ...`: the instructors' daily digest, now (the worker also sends it daily)."""

from __future__ import annotations

import click
from flask import current_app

from lms.cli.database import DatabaseGroup
from lms.config import HOW_TO_SET_THE_BASE_URL
from lms.database import session, utcnow
from lms.links import may_run_without_base_url
from lms.notifications import send_grading_digests

grading_cli = DatabaseGroup("grading", help="Grading: the instructors' daily digest.")


@grading_cli.command("digest")
def digest_command() -> None:
    """Mail each instructor with essays waiting a summary (once a day; safe to rerun)."""
    if not current_app.config.get("LMS_BASE_URL") and not may_run_without_base_url(current_app):
        raise click.ClickException(HOW_TO_SET_THE_BASE_URL)  # the mail's links need it
    try:
        sent = send_grading_digests(utcnow())
        session.commit()
    except Exception:
        session.rollback()
        raise
    from lms.jobs import drain

    drain()  # send now, rather than when a worker next looks
    if sent:
        click.echo(f"Grading digest sent to {len(sent)} instructor(s): {', '.join(sent)}.")
    else:
        click.echo("No grading digest to send (nothing waiting, or already sent today).")
