"""`lms grading ...`: the instructors' daily digest (meant for cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.config import ConfigError
from lms.database import session, utcnow
from lms.notifications import send_grading_digests

grading_cli = AppGroup("grading", help="Grading: the instructors' daily digest.")


@grading_cli.command("digest")
def digest_command() -> None:
    """Mail each instructor with essays waiting a summary (once a day; safe to rerun)."""
    try:
        sent = send_grading_digests(utcnow())
        session.commit()
    except ConfigError as error:  # no LMS_BASE_URL to build the links from
        session.rollback()
        raise click.ClickException(str(error)) from None
    except Exception:
        session.rollback()
        raise
    if sent:
        click.echo(f"Grading digest sent to {len(sent)} instructor(s): {', '.join(sent)}.")
    else:
        click.echo("No grading digest to send (nothing waiting, or already sent today).")
