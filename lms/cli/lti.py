"""`lms lti ...`: register platforms, rotate the tool's key, send waiting scores."""

from __future__ import annotations

from urllib.parse import urlsplit

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from lms.database import session

lti_cli = AppGroup("lti", help="LTI 1.3: platforms that launch the LMS, keys and scores.")


def _url(value: str, what: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise click.BadParameter(f"{what} must be an https:// address, not {value!r}.")
    return value


@lti_cli.command("register")
@click.option("--name", required=True, help="What to call the platform (shown to people).")
@click.option(
    "--issuer",
    required=True,
    help="The platform's issuer (iss), e.g. https://canvas.instructure.com.",
)
@click.option("--client-id", required=True, help="The client id the platform gave the tool.")
@click.option("--auth-login-url", required=True, help="The platform's OIDC authorisation URL.")
@click.option("--auth-token-url", required=True, help="The platform's OAuth2 access token URL.")
@click.option("--keyset-url", required=True, help="The platform's public key set (JWKS) URL.")
@click.option(
    "--deployment-id",
    "deployment_ids",
    multiple=True,
    required=True,
    help="A deployment id (repeat for several).",
)
@click.option(
    "--auth-audience", default=None, help="The token request's audience, if not the token URL."
)
def register(
    name: str,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    keyset_url: str,
    deployment_ids: tuple[str, ...],
    auth_audience: str | None,
) -> None:
    """Register a platform (or update it, adding deployment ids)."""
    from lms.lti.registry import RegistrationError, register_platform

    for value, what in [
        (issuer, "--issuer"),
        (auth_login_url, "--auth-login-url"),
        (auth_token_url, "--auth-token-url"),
        (keyset_url, "--keyset-url"),
    ]:
        _url(value, what)
    try:
        platform, created = register_platform(
            name=name,
            issuer=issuer,
            client_id=client_id,
            auth_login_url=auth_login_url,
            auth_token_url=auth_token_url,
            keyset_url=keyset_url,
            deployment_ids=list(deployment_ids),
            auth_audience=auth_audience,
        )
    except RegistrationError as error:
        session.rollback()
        raise click.ClickException(str(error)) from error
    session.commit()
    deployments = ", ".join(d.deployment_id for d in platform.deployments)
    click.echo(
        f"{'Registered' if created else 'Updated'} {platform.name} ({platform.issuer}, "
        f"client id {platform.client_id}); deployments: {deployments}."
    )


@lti_cli.command("rotate-key")
def rotate_key_command() -> None:
    """Make a new signing key; the old one stays published for LMS_LTI_RETIRED_KEY_HOURS."""
    from lms.lti.keys import rotate_key

    new, old = rotate_key()
    session.commit()
    if old is None:
        click.echo(f"New signing key {new.kid} (there was none before).")
    else:
        click.echo(f"New signing key {new.kid}; {old.kid} is retired but stays published.")


@lti_cli.command("send-scores")
@click.option("--limit", default=100, show_default=True, help="Send at most this many.")
def send_scores(limit: int) -> None:
    """Send quiz scores waiting for platforms' gradebooks (failures wait for the next run)."""
    from lms.lti.outbox import send_pending
    from lms.models import LtiScore

    sent, failed = send_pending(limit)
    waiting = session.scalar(
        sa.select(sa.func.count()).select_from(LtiScore).where(LtiScore.sent_at.is_(None))
    )
    click.echo(f"Scores sent: {sent}; failed (will be retried): {failed}; waiting: {waiting}.")
    if failed:
        raise SystemExit(1)
