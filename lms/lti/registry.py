"""Platform registrations: add or update one with its deployment ids."""

from __future__ import annotations

import sqlalchemy as sa

from lms.database import session
from lms.lti.keys import signing_key
from lms.models import LtiDeployment, LtiPlatform


class RegistrationError(ValueError):
    """A registration that cannot be saved; the message says why."""


LIMITS = {"name": 120, "issuer": 255, "client_id": 255, "deployment id": 255}


def register_platform(
    *,
    name: str,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    keyset_url: str,
    deployment_ids: list[str],
    auth_audience: str | None = None,
    allow_no_deployment: bool = False,
) -> tuple[LtiPlatform, bool]:
    """The platform for (issuer, client id), made or updated; deployment ids are added
    (never removed: launches from them keep working). Flushes. (platform, created).
    `allow_no_deployment`: dynamic registration, where the platform may tell the deployment
    id only later (launches are refused until an admin adds it)."""
    values = {"name": name, "issuer": issuer, "client_id": client_id}
    for field, value in values.items():
        if not value.strip():
            raise RegistrationError(f"The {field.replace('_', ' ')} is empty.")
        if len(value) > LIMITS[field]:
            raise RegistrationError(f"The {field.replace('_', ' ')} is too long.")
    for url in (auth_login_url, auth_token_url, keyset_url, auth_audience or ""):
        if len(url) > 1000:
            raise RegistrationError("A URL is longer than 1000 characters.")
    deployment_ids = [d.strip() for d in deployment_ids if d.strip()]
    if not deployment_ids and not allow_no_deployment:
        raise RegistrationError("Give at least one deployment id.")
    if any(len(d) > LIMITS["deployment id"] for d in deployment_ids):
        raise RegistrationError("A deployment id is longer than 255 characters.")
    platform = session.scalar(
        sa.select(LtiPlatform).where(
            LtiPlatform.issuer == issuer.strip(), LtiPlatform.client_id == client_id.strip()
        )
    )
    created = platform is None
    if platform is None:
        platform = LtiPlatform(issuer=issuer.strip(), client_id=client_id.strip())
        session.add(platform)
    platform.name = name.strip()
    platform.auth_login_url = auth_login_url
    platform.auth_token_url = auth_token_url
    platform.keyset_url = keyset_url
    platform.auth_audience = auth_audience or None
    session.flush()
    known = {d.deployment_id for d in platform.deployments}
    for deployment_id in deployment_ids:
        if deployment_id not in known:
            platform.deployments.append(LtiDeployment(deployment_id=deployment_id))
            known.add(deployment_id)
    session.flush()
    signing_key()  # the key set the platform is about to fetch has a key
    return platform, created
