"""`lms ce ...`: the CE record past its retention period."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from lms.ce.retention import InsideRetentionPeriodError, count_before, purge_ce_record
from lms.database import session, utcnow

ce_cli = AppGroup("ce", help="CE credit: the record kept for accreditors.")


def parse_day(_ctx: click.Context, _param: click.Parameter, value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD.") from None


@ce_cli.command("purge")
@click.option(
    "--before",
    required=True,
    callback=parse_day,
    metavar="YYYY-MM-DD",
    help="Delete CE record entries from before this day (UTC).",
)
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
def purge_command(before: date, dry_run: bool) -> None:
    """Delete the CE record's entries older than the retention period (LMS_CE_RETENTION_YEARS)."""
    years = int(current_app.config["LMS_CE_RETENTION_YEARS"])
    today = utcnow().date()
    if dry_run:
        click.echo(
            f"{count_before(before)} CE record entries are from before {before.isoformat()}."
        )
        return
    try:
        result = purge_ce_record(before, today=today, retention_years=years)
        session.commit()
    except InsideRetentionPeriodError as error:
        session.rollback()
        raise click.ClickException(str(error)) from None
    except Exception:
        session.rollback()
        raise
    click.echo(f"Deleted {result.entries} CE record entries from before {before.isoformat()}.")
