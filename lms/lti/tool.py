"""The LTI library's view of the LMS: registrations from `lms_lti_platform`, protocol state
in `lms_lti_stored_value`, nonces used once.

`pylti1p3` asks a "tool config" for a platform's registration and deployments, and a
"launch data storage" for nonces, state and launch data. Both read the LMS's tables here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.deployment import Deployment
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.registration import Registration
from pylti1p3.session import SessionService
from pylti1p3.tool_config.abstract import ToolConfAbstract

from lms.database import session, utcnow
from lms.lti.keys import public_pem, signing_key
from lms.models import LtiDeployment, LtiPlatform, LtiStoredValue

#: Seconds protocol state lasts when the library gives no expiry (a login to its launch).
DEFAULT_LIFETIME = 3600


def find_platform(issuer: str, client_id: str | None) -> LtiPlatform | None:
    """The registration for `issuer` (and `client_id`; without one, the issuer's only one)."""
    query = sa.select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        return session.scalar(query.where(LtiPlatform.client_id == client_id))
    found = session.scalars(query.limit(2)).all()
    return found[0] if len(found) == 1 else None


def registration_for(platform: LtiPlatform) -> Registration:
    key = signing_key()
    registration = (
        Registration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_auth_login_url(platform.auth_login_url)
        .set_auth_token_url(platform.auth_token_url)
        .set_key_set_url(platform.keyset_url)
        .set_tool_private_key(key.private_key_pem)
        .set_tool_public_key(public_pem(key.private_key_pem))
    )
    if platform.auth_audience:
        registration.set_auth_audience(platform.auth_audience)
    return registration


class ToolConf(ToolConfAbstract[FlaskRequest]):
    """Registrations from the database; an issuer may have several client ids."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Any:
        return self.find_registration_by_params(iss, None, *args, **kwargs)

    def find_registration_by_params(
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Any:
        platform = find_platform(iss, client_id)
        return registration_for(platform) if platform else None

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        platform = find_platform(iss, client_id)
        if platform is None or not isinstance(deployment_id, str):
            return None
        found = session.scalar(
            sa.select(LtiDeployment.id).where(
                LtiDeployment.platform_id == platform.id,
                LtiDeployment.deployment_id == deployment_id,
            )
        )
        return Deployment().set_deployment_id(deployment_id) if found else None


class DatabaseStorage(LaunchDataStorage[Any]):
    """Protocol state in `lms_lti_stored_value`, committed at once (the request that
    reads it is another browser request, possibly on another worker)."""

    def get_session_cookie_name(self) -> None:
        return None  # keys are random (nonces, launch ids); the state cookie binds the browser

    def can_set_keys_expiration(self) -> bool:
        return True

    def _row(self, key: str) -> LtiStoredValue | None:
        row = session.get(LtiStoredValue, self._prepare_key(key)[:255])
        if row is None or row.expires_at <= utcnow():
            return None
        return row

    def get_value(self, key: str) -> Any:
        row = self._row(key)
        return row.value if row else None

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        now = utcnow()
        session.execute(sa.delete(LtiStoredValue).where(LtiStoredValue.expires_at <= now))
        key = self._prepare_key(key)[:255]
        row = session.get(LtiStoredValue, key) or LtiStoredValue(key=key)
        row.value = value
        row.expires_at = now + timedelta(seconds=exp or DEFAULT_LIFETIME)
        session.add(row)
        session.commit()

    def check_value(self, key: str) -> bool:
        return self._row(key) is not None

    def take(self, key: str) -> bool:
        """Whether `key` was there (unexpired), removing it: for values used once."""
        result = session.execute(
            sa.delete(LtiStoredValue).where(
                LtiStoredValue.key == self._prepare_key(key)[:255],
                LtiStoredValue.expires_at > utcnow(),
            )
        )
        session.commit()
        return bool(result.rowcount)  # type: ignore[attr-defined]


class OnceSessionService(SessionService):
    """The library's session service, with each nonce accepted once only (it only checks
    that a nonce was issued, so a replayed id_token would pass)."""

    def check_nonce(self, nonce: str) -> bool:
        storage = self.data_storage
        assert isinstance(storage, DatabaseStorage)
        return storage.take(self._get_key("nonce", nonce))


def oidc_login(request: FlaskRequest) -> FlaskOIDCLogin:
    storage = DatabaseStorage()
    return FlaskOIDCLogin(
        request,
        ToolConf(),
        session_service=OnceSessionService(request),
        launch_data_storage=storage,
    )


def message_launch(request: FlaskRequest) -> FlaskMessageLaunch:
    storage = DatabaseStorage()
    launch = FlaskMessageLaunch(request, ToolConf(), session_service=OnceSessionService(request))
    launch.set_launch_data_storage(storage)
    return launch


def restore_launch(request: FlaskRequest, launch_id: str) -> FlaskMessageLaunch:
    """A validated launch kept by the library (deep linking's second step)."""
    return FlaskMessageLaunch.from_cache(
        launch_id,
        request,
        ToolConf(),
        session_service=OnceSessionService(request),
        launch_data_storage=DatabaseStorage(),
    )
