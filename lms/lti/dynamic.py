"""LTI Dynamic Registration 1.0: a platform registers the tool itself.

The platform's admin gives the platform the LMS's registration URL; the platform opens it
with `openid_configuration` (its configuration's URL) and `registration_token`. An LMS
admin, signed in, confirms; the LMS reads the configuration, posts the tool's
configuration to the platform's registration endpoint (the `pylti1p3` flow), and stores
the registration it gets back: issuer, client id, endpoints, deployment id.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from pylti1p3.dynamic_registration import DynamicRegistration

from lms.links import base_url, external_url
from lms.lti.registry import register_platform
from lms.models import LtiPlatform

PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]


class DynamicRegistrationError(ValueError):
    """The platform's configuration or answer cannot be used; the message says why."""


def check_configuration_url(url: str) -> str:
    parts = urlsplit(url or "")
    if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > 1000:
        raise DynamicRegistrationError(
            "This page is opened by a platform's dynamic registration: its "
            "openid_configuration address is missing or not a web address."
        )
    return url


class Registration(DynamicRegistration):
    """The LMS's tool configuration, and what it keeps of the platform's answer."""

    def __init__(self, configuration_url: str, token: str | None) -> None:
        self.configuration_url = check_configuration_url(configuration_url)
        self.token = token or None
        self.platform: LtiPlatform | None = None

    def get_client_name(self) -> str:
        return str(current_app.config["LMS_SITE_NAME"])

    def get_description(self) -> str:
        return "Courses, lessons and graded quizzes, with scores sent to your gradebook."

    def get_initiate_login_uri(self) -> str:
        return external_url("lti.login")

    def get_jwks_uri(self) -> str:
        return external_url("lti.jwks")

    def get_redirect_uris(self) -> list[str]:
        return [external_url("lti.launch")]

    def get_scopes(self) -> list[str]:
        return SCOPES

    def get_domain(self) -> str:
        return urlsplit(base_url()).netloc

    def get_target_link_uri(self) -> str:
        return external_url("catalogue.index")

    def get_claims(self) -> list[str]:
        return ["iss", "sub", "name", "given_name", "family_name", "email"]

    def get_messages(self) -> list[dict[str, str]]:
        return [
            {
                "type": "LtiDeepLinkingRequest",
                "target_link_uri": external_url("lti.launch"),
                "label": "Add courses and quizzes",
            }
        ]

    def get_logo_uri(self) -> str:
        return external_url("static", filename="favicon.svg")

    def get_openid_configuration_endpoint(self) -> str:
        return self.configuration_url

    def get_registration_token(self) -> Any:
        return self.token

    def get_openid_configuration(self) -> dict[str, Any]:
        configuration = super().get_openid_configuration()
        if not isinstance(configuration, dict):
            raise DynamicRegistrationError("The platform's configuration is not a JSON object.")
        issuer = configuration.get("issuer")
        if not isinstance(issuer, str) or not self.configuration_url.startswith(issuer):
            # The spec: the configuration's address must be under its issuer.
            raise DynamicRegistrationError(
                "The platform's configuration names an issuer its address is not under."
            )
        return configuration

    def complete_registration(
        self, openid_configuration: dict[str, Any], openid_registration: dict[str, Any]
    ) -> LtiPlatform:
        config = openid_configuration
        tool = openid_registration.get(TOOL_CONFIGURATION) or {}
        needed = ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"]
        missing = [name for name in needed if not isinstance(config.get(name), str)]
        if missing or not isinstance(openid_registration.get("client_id"), str):
            raise DynamicRegistrationError(
                "The platform's answer lacks " + ", ".join(missing or ["a client id"]) + "."
            )
        deployment = tool.get("deployment_id") if isinstance(tool, dict) else None
        family = (config.get(PLATFORM_CONFIGURATION) or {}).get("product_family_code")
        platform, _ = register_platform(
            name=str(family or urlsplit(config["issuer"]).netloc)[:120],
            issuer=config["issuer"],
            client_id=openid_registration["client_id"],
            auth_login_url=config["authorization_endpoint"],
            auth_token_url=config["token_endpoint"],
            keyset_url=config["jwks_uri"],
            deployment_ids=[deployment] if isinstance(deployment, str) else [],
            allow_no_deployment=True,
        )
        self.platform = platform
        return platform
