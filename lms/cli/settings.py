"""`lms settings`: the LMS settings in effect, and where each came from, secrets hidden.

$ LMS_SMTP_PORT=2525 lms settings
LMS_SECRET_KEY = (set, hidden)                     environment
...
LMS_SITE_NAME = "Psychedelic Care Learning"        default
...
LMS_SMTP_PORT = 2525                               environment
"""

from __future__ import annotations

import json
import os
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.config import DEFAULTS, STANDALONE_DEFAULTS
from lms.config_sources import URL_PASSWORD, is_secret, read_environment, read_file


def as_written(key: str, value: Any) -> str:
    """A value as it would be written in the TOML file; secrets and URL passwords hidden."""
    if value is None:
        return "none"
    if is_secret(key):
        return "(set, hidden)"
    return URL_PASSWORD.sub(r"\1***@", json.dumps(value, default=str))


def sources() -> dict[str, str]:
    """Where each setting given outside the code came from (the environment winning)."""
    found: dict[str, str] = {}
    path = os.environ.get("LMS_CONFIG_FILE", "").strip()
    if path:
        found |= dict.fromkeys(read_file(path, []), path)
    found |= dict.fromkeys(read_environment(os.environ, []), "environment")
    return found


@click.command("settings")
@with_appcontext
def settings_command() -> None:
    """Show the LMS settings in effect and where each came from (secrets hidden)."""
    config = current_app.config
    given = sources()
    defaults = DEFAULTS | (
        STANDALONE_DEFAULTS if current_app.extensions["lms"].own_accounts else {}
    )
    lines = []
    for key in DEFAULTS:
        value = config.get(key)
        source = given.get(key) or ("default" if value == defaults[key] else "code")
        lines.append((f"{key} = {as_written(key, value)}", source))
    width = max(len(line) for line, _ in lines) + 2
    for line, source in lines:
        click.echo(f"{line.ljust(width)}{source}")
