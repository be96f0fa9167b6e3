"""`lms worker` and `lms jobs ...`: run background jobs, and see or mend the stuck ones."""

from __future__ import annotations

import threading

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from lms.database import session, valid_id

jobs_cli = AppGroup("jobs", help="Background jobs: list them, retry or discard dead ones.")


@click.command("worker")
@click.option("--once", is_flag=True, help="Run the jobs due now, then stop (for cron or tests).")
@click.option(
    "--concurrency", default=4, show_default=True, type=click.IntRange(1, 64),
    help="Jobs run at once (PostgreSQL's procrastinate worker).",
)  # fmt: skip
@with_appcontext
def worker_command(once: bool, concurrency: int) -> None:
    """Run background jobs (mail, learning records, the daily digest) until stopped.

    On PostgreSQL this is procrastinate's worker (and its scheduler); on SQLite, a loop
    over the jobs table. Run one or more beside the web processes (gunicorn); `lms run`
    and `lms demo` run one in-process already.
    """
    from lms.jobs import engine, load_handlers
    from lms.jobs.worker import run_once, work

    load_handlers()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if once:
        ran = run_once(app)
        click.echo(f"Ran {ran} job(s).")
        return
    if engine.uses_procrastinate():
        click.echo("Running background jobs with procrastinate (Ctrl+C to stop).")
        engine.run_worker(app, concurrency=concurrency)
        return
    click.echo("Running background jobs from the jobs table (Ctrl+C to stop).")
    try:
        work(app, threading.Event())
    except KeyboardInterrupt:
        click.echo("Stopped.")


@jobs_cli.command("list")
@click.option(
    "--state", type=click.Choice(["pending", "running", "done", "dead"]), default="dead",
    show_default=True, help="Which jobs to list.",
)  # fmt: skip
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
def jobs_list(state: str, limit: int) -> None:
    """Counts by state, then the jobs in one state (dead ones by default), with errors."""
    from lms.jobs import counts, jobs_in
    from lms.models import JobState

    totals = counts()
    click.echo("  ".join(f"{name.value}: {count}" for name, count in totals.items()))
    for job in jobs_in(JobState(state), limit):
        click.echo(
            f"{job.id}\t{job.kind}\t{job.key}\tattempts {job.attempts}\t"
            f"{job.updated_at:%Y-%m-%d %H:%M} UTC"
        )
        if job.last_error:
            click.echo(f"\t{job.last_error.splitlines()[-1][:300]}")


@jobs_cli.command("retry")
@click.argument("job_ids", nargs=-1, type=int, required=True)
def jobs_retry(job_ids: tuple[int, ...]) -> None:
    """Give dead jobs another round of attempts, now."""
    from lms.jobs import retry

    _each(job_ids, retry, "will be retried")


@jobs_cli.command("discard")
@click.argument("job_ids", nargs=-1, type=int, required=True)
def jobs_discard(job_ids: tuple[int, ...]) -> None:
    """Delete dead jobs: their effect (a mail, a statement) will never happen."""
    from lms.jobs import discard

    _each(job_ids, discard, "discarded")


def _each(job_ids: tuple[int, ...], action: object, done: str) -> None:
    missing = []
    for job_id in job_ids:
        if not (valid_id(job_id) and action(job_id)):  # type: ignore[operator]
            missing.append(job_id)
    session.commit()
    changed = [job_id for job_id in job_ids if job_id not in missing]
    if changed:
        click.echo(f"Job(s) {', '.join(map(str, changed))} {done}.")
    if missing:
        raise click.ClickException(
            f"No dead job {', '.join(map(str, missing))} (see `lms jobs list`)."
        )
