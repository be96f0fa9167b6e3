"""`lms badges ...`: the Open Badges signing key."""

from __future__ import annotations

import click
from flask import current_app
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
    click.echo("Certificates issued before the key get their badges from `lms badges issue`.")


@badges_cli.command("issue")
def issue_command() -> None:
    """Sign the Open Badge of every valid certificate that has none (issued before the key)."""
    from lms.badges.keystore import KeyStoreError, signing_key
    from lms.badges.service import certificates_without_credential, credential_for
    from lms.config import HOW_TO_SET_THE_BASE_URL
    from lms.database import session
    from lms.links import may_run_without_base_url

    if not current_app.config.get("LMS_BASE_URL") and not may_run_without_base_url(current_app):
        raise click.ClickException(HOW_TO_SET_THE_BASE_URL)  # every URL in a badge needs it
    try:
        signing_key()
    except KeyStoreError as error:
        raise click.ClickException(str(error)) from None
    signed = 0
    for certificate in certificates_without_credential():
        credential_for(certificate)
        session.commit()
        signed += 1
    click.echo(f"Signed the Open Badge of {signed} certificate(s)." if signed else
               "Every valid certificate already has its Open Badge.")  # fmt: skip
