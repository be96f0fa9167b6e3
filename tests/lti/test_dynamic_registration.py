"""LTI Dynamic Registration: the platform registers the tool, an LMS admin confirms; then
the platform's launches work."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from lms.database import session
from lms.models import LtiDeployment, LtiPlatform
from tests.lti.conftest import Browser, LiveLMS
from tests.lti.platform import LEARNER, Link, Person, RunningPlatform, run_platform
from tests.lti.test_scores import sign_in_admin


@pytest.fixture
def unregistered(lms_server: LiveLMS) -> Iterator[RunningPlatform]:
    with run_platform(lms_server.url) as running:
        yield running


def registration_url(platform: RunningPlatform, token: str = "registration-token-1") -> str:
    return (
        f"/lti/dynamic-registration?openid_configuration={platform.url}"
        f"/.well-known/openid-configuration&registration_token={token}"
    )


def test_platform_registers_the_tool(lms_server: LiveLMS, unregistered: RunningPlatform) -> None:
    platform = unregistered
    url = registration_url(platform)
    anonymous = Browser(lms_server).get(url, allow_redirects=False)
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]

    admin = sign_in_admin(lms_server)
    page = admin.get(url)
    assert page.status_code == 200
    assert (
        f"The platform at <strong>localhost:{platform.url.rsplit(':', 1)[1]}</strong>" in page.text
    )
    done = admin.post(url, {})
    assert done.status_code == 200, done.text[:1000]
    assert "can now launch the courses" in done.text

    sent = platform.state.registration_request
    assert sent is not None
    assert sent["initiate_login_uri"] == lms_server.url + "/lti/login"
    assert sent["redirect_uris"] == [lms_server.url + "/lti/launch"]
    assert sent["jwks_uri"] == lms_server.url + "/.well-known/jwks.json"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in sent["scope"]
    with lms_server.app.app_context():
        registered = session.scalars(sa.select(LtiPlatform)).one()
        assert (registered.issuer, registered.client_id) == (platform.url, "dyn-client-1")
        assert registered.auth_token_url == platform.url + "/token"
        deployments = session.scalars(sa.select(LtiDeployment.deployment_id)).all()
        assert deployments == ["dyn-deployment-1"]
        session.remove()

    # The platform's launches now work.
    platform.state.people["ana"] = Person("ana-sub", LEARNER, "Ana", "ana@school.example")
    platform.state.links["c"] = Link("link-1", "course-1", lms_server.url + "/courses/sp/")
    assert Browser(lms_server).launch(platform, "ana", "c").status_code == 200


def test_bad_dynamic_registrations(lms_server: LiveLMS, unregistered: RunningPlatform) -> None:
    admin = sign_in_admin(lms_server)
    page = admin.get("/lti/dynamic-registration")
    assert page.status_code == 400 and "openid_configuration address is missing" in page.text
    refused = admin.post(registration_url(unregistered, token="wrong"), {})
    assert refused.status_code == 400
    assert "did not work" in refused.text
    elsewhere = admin.post(
        "/lti/dynamic-registration?openid_configuration="
        + unregistered.url.replace("localhost", "127.0.0.1")
        + "/.well-known/openid-configuration",
        {},
    )
    assert elsewhere.status_code == 400
    assert "names an issuer its address is not under" in elsewhere.text
    with lms_server.app.app_context():
        assert session.scalar(sa.select(sa.func.count()).select_from(LtiPlatform)) == 0
        session.remove()
