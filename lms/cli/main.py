"""The `lms` console script: the standalone app's commands, plus Flask's `run`.

Management commands work without LMS_SECRET_KEY; serving does not, outside debug mode.
Settings that cannot work (an unknown LMS_* variable, a value of the wrong type) end any
command with one "Error: ..." message and exit status 2, not a traceback.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo
from flask.cli import run_command as flask_run

from lms.cli.commands import lms_cli
from lms.cli.demo import demo_command
from lms.config import HOW_TO_SET_THE_BASE_URL, HOW_TO_SET_THE_KEY, ConfigError


def create_cli_app() -> Flask:
    from lms.app import create_app

    # A ConfigError (a setting that cannot work, an extra not installed) ends the command
    # in `main` with one line and exit status 2.
    return create_app(allow_missing_secret=True)


def _run(**options: Any) -> None:
    context = click.get_current_context()
    app = context.ensure_object(ScriptInfo).load_app()
    if app.extensions["lms"].ephemeral_secret and not app.debug:
        raise click.UsageError(HOW_TO_SET_THE_KEY)
    if not app.config.get("LMS_BASE_URL") and not app.debug:
        raise click.UsageError(HOW_TO_SET_THE_BASE_URL)
    reload = options.get("reload")
    if not (app.debug if reload is None else reload) or os.environ.get("WERKZEUG_RUN_MAIN"):
        # Background jobs (mail, learning records) in this process; not in the reloader's
        # watching parent, only where the app is served.
        from lms.jobs.worker import start_in_process

        start_in_process(app)
    context.invoke(flask_run, **options)


run_command = click.Command(
    "run", params=flask_run.params, callback=_run, help="Serve the LMS (development server)."
)


class LMSGroup(FlaskGroup):
    """`flask`, but for the standalone LMS, with the `lms` group's commands at top level."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        try:
            ctx.ensure_object(ScriptInfo).load_app()  # kept for super()'s listing
        except ConfigError as error:  # --help still lists the commands
            click.secho(f"Error: {error}\n", err=True, fg="red")
            return sorted(self.commands)
        return [name for name in super().list_commands(ctx) if name != "lms"]


cli = LMSGroup(
    name="lms",
    create_app=create_cli_app,
    add_default_commands=False,
    help="The LMS: a Flask learning platform for psychedelic-care training.",
)
cli.add_command(run_command)
cli.add_command(demo_command)
for name, command in lms_cli.commands.items():
    cli.add_command(command, name)


def main() -> None:
    try:
        cli.main(prog_name="lms")
    except ConfigError as error:
        click.secho(f"Error: {error}", err=True, fg="red")
        sys.exit(2)
