"""The `lms` console script: the standalone app's commands, plus Flask's `run`.

Management commands work without LMS_SECRET_KEY; serving does not, outside debug mode.
"""

from __future__ import annotations

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

    try:
        return create_app(allow_missing_secret=True)
    except ConfigError as error:  # one line saying what to do, not a traceback
        raise click.ClickException(str(error)) from None


def _run(**options: Any) -> None:
    context = click.get_current_context()
    app = context.ensure_object(ScriptInfo).load_app()
    if app.extensions["lms"].ephemeral_secret and not app.debug:
        raise click.UsageError(HOW_TO_SET_THE_KEY)
    if not app.config.get("LMS_BASE_URL") and not app.debug:
        raise click.UsageError(HOW_TO_SET_THE_BASE_URL)
    context.invoke(flask_run, **options)


run_command = click.Command(
    "run", params=flask_run.params, callback=_run, help="Serve the LMS (development server)."
)


class LMSGroup(FlaskGroup):
    """`flask`, but for the standalone LMS, with the `lms` group's commands at top level."""

    def list_commands(self, ctx: click.Context) -> list[str]:
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
    cli.main(prog_name="lms")
