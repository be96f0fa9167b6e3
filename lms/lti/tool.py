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
from pylti1p3.exception import LtiMessageValidationException
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


class NoStateCookieError(Exception):
    """A launch whose state was issued here, posted without the state cookie (a frame whose
    browser keeps no third-party cookies, or another browser): `login` says how the login
    began, to begin it again in a new window."""

    def __init__(self, login: dict[str, Any]) -> None:
        super().__init__("No state cookie")
        self.login = login


class FrameLogin(FlaskOIDCLogin):
    """The library's login, with what began it kept under the state (`login_record`)."""

    def authorisation_url(self, launch_url: str, record: dict[str, Any]) -> str:
        """The platform's authorisation URL with a fresh state and nonce (and the state
        cookie to set, `set_cookies`)."""
        _, login = self.get_cookies_allowed_js_check_params()  # the login's own parameters
        self.pass_params_to_launch(dict(record, login=dict(login)))
        return self._prepare_redirect_url(launch_url)

    def set_cookies(self, response: Any) -> Any:
        self._cookie_service.update_response(response)
        return response


class FrameLaunch(FlaskMessageLaunch):
    """The library's launch, with the state checked as the login asked: by the platform's
    storage (`needs_storage_check`: checked once the id_token is valid, `lms.lti.frames`),
    or by the state cookie, whose absence for a state issued here is `NoStateCookieError`
    rather than a refusal."""

    needs_storage_check = False
    login: dict[str, Any] | None = None

    def validate_state(self) -> FrameLaunch:
        state = self._get_request_param("state")
        if not state:
            raise LtiMessageValidationException("Missing state param")
        if self._session_service.check_state_is_valid(state, self._get_id_token_hash()):
            return self
        record = self._session_service.get_state_params(state)
        record = record if isinstance(record, dict) else {}
        self.login = record.get("login")
        if record.get("storage_target"):
            self.needs_storage_check = True
        elif self._cookie_service.get_cookie(state) != state:
            if isinstance(self.login, dict):
                raise NoStateCookieError(self.login)
            raise LtiMessageValidationException("State not found")
        return self


def login_record(state: Any) -> dict[str, Any]:
    """What the login that issued `state` kept (its parameters, platform, storage target)."""
    if not isinstance(state, str) or not state:
        return {}
    service = OnceSessionService(FlaskRequest())
    service.set_data_storage(DatabaseStorage())
    found = service.get_state_params(state)
    return found if isinstance(found, dict) else {}


def oidc_login(request: FlaskRequest) -> FrameLogin:
    storage = DatabaseStorage()
    return FrameLogin(
        request,
        ToolConf(),
        session_service=OnceSessionService(request),
        launch_data_storage=storage,
    )


def message_launch(request: FlaskRequest) -> FrameLaunch:
    storage = DatabaseStorage()
    launch = FrameLaunch(request, ToolConf(), session_service=OnceSessionService(request))
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
