"""`lms badges ...`: the Open Badges signing key."""

from __future__ import annotations

import click
from flask.cli import AppGroup

badges_cli = AppGroup("badges", help="Open Badges 3.0: the key that signs credentials.")


@badges_cli.command("init-key")
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing key (its public key stays listed, so its credentials verify).",
)
def init_key_command(force: bool) -> None:
    """Make the Ed25519 key that signs Open Badges (a file readable by its owner only)."""
    from lms.badges.keystore import KeyStoreError, init_key, key_path

    path = key_path()
    try:
        key, retired = init_key(path, force=force)
    except KeyStoreError as error:
        raise click.ClickException(str(error)) from None
    from lms.credentials.keys import public_key_multibase

    click.echo(f"Wrote a new signing key to {path} (mode 0600).")
    click.echo(f"Public key (Multikey): {public_key_multibase(key.public_key())}")
    if retired:
        click.echo(f"The old key {retired} is retired: still listed, so its credentials verify.")
    click.echo("Keep the key file secret and back it up: without it no new badge can be signed.")
