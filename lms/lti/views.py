"""LTI 1.3 endpoints: the tool's key set, OIDC login initiation and the launch.

The platform posts (or links) to `login` with its issuer and a login hint; the LMS sends
the browser to the platform's authorisation URL with a fresh state (a cookie) and nonce
(stored); the platform posts the signed id_token to `launch`, where the library checks
it (signature, iss, aud, exp, nonce used once, state, deployment, message) and the LMS
maps it (`lms.lti.provision`), signs the person in and opens the target.

No CSRF token here: these requests come from the platform by design; the state (in a
cookie, or in the platform's storage when it offers it: `lms.lti.frames`), the nonce and
the signature are what protect them (and the storage check is accepted from the LMS's own
page only). A launch in a frame that kept no state cookie gets a page offering a new
window, where the login begins again. Every refusal is a 4xx page that says what is
wrong, is logged, and signs no one in.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn
from urllib.parse import parse_qs, urlsplit

import requests
import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
)
from flask import session as flask_session
from pylti1p3.contrib.flask import FlaskCookieService, FlaskRequest
from pylti1p3.exception import LtiException, OIDCException
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from lms.access import login_required, role_required
from lms.accounts.sessions import start_session
from lms.cohorts.scope import cohort_or_404, staff_profile, staff_required
from lms.csrf import require_csrf_token
from lms.database import session
from lms.links import external_url
from lms.lti import keys
from lms.lti.dynamic import DynamicRegistrationError
from lms.lti.dynamic import Registration as DynamicRegistration
from lms.lti.forms import PlatformForm
from lms.lti.frames import (
    frame_origins,
    frame_session,
    let_platform_frame,
    new_check,
    new_window_page,
    posted_from_this_site,
    storage_origin,
    take_check,
)
from lms.lti.picker import choices, content_items
from lms.lti.provision import LaunchRefusedError, provision, provision_deep_link
from lms.lti.registry import RegistrationError, register_platform
from lms.lti.roster import RosterError, sync_roster
from lms.lti.tool import (
    NoStateCookieError,
    find_platform,
    login_record,
    message_launch,
    oidc_login,
    restore_launch,
)
from lms.models import LtiContext, LtiPlatform, Role
from lms.security import add_security_headers, allow_framing, content_security_policy
from lms.web import lms_url_for, refuse_nul_in_url, render_error

log = logging.getLogger(__name__)

DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"

bp = Blueprint("lti", __name__)
bp.url_value_preprocessor(refuse_nul_in_url)
bp.register_error_handler(HTTPException, render_error)
bp.after_request(add_security_headers)


#: The library's terse messages, said so a person (or the platform's admin) can act on them.
EXPLAIN = {
    "Missing state param": "it has no state (it did not come through this site's login step).",
    "State not found": "its state is not one this site gave at the login step (it was "
    "changed on the way).",
    "Invalid Nonce.": "its nonce was already used or was never issued (a replayed launch).",
    "Registration not found.": "its issuer and client id (aud) are not a platform registered "
    "with this LMS.",
    "Client id not registered for this issuer": "its aud is not this tool's client id.",
    "Unable to find public key": "it is signed with a key the platform does not publish.",
    'The LTI launch message "id_token" field is empty.': "it has no id_token.",
}


def explain(error: BaseException) -> str:
    text = str(error)
    return EXPLAIN.get(text, text if text.endswith(".") else text + ".")


def refuse(status: int, message: str, *, error: BaseException | None = None) -> NoReturn:
    """Log the refusal and answer `status` with the message (the LMS's error page)."""
    session.rollback()
    log.warning("LTI request refused (%s): %s", status, message, exc_info=error)
    abort(status, description=message)


@bp.get("/.well-known/jwks.json")
def jwks() -> Response:
    """The tool's public keys (the signing key and recently retired ones)."""
    return jsonify(keys.jwks())


@bp.route("/lti/login", methods=["GET", "POST"])
def login() -> Any:
    """OIDC third-party login initiation: off to the platform's authorisation URL (by way
    of the platform's storage when the platform offers it: `lti_storage_target`)."""
    lti_request = FlaskRequest()
    platform = find_platform(
        str(lti_request.get_param("iss") or ""), lti_request.get_param("client_id") or None
    )
    if platform is not None:
        allow_framing(frame_origins(platform))
    target = lti_request.get_param("lti_storage_target")
    origin = storage_origin(platform) if platform else None
    storage = {"target": target, "origin": origin} if target and origin else None
    oidc = oidc_login(lti_request)
    try:
        url = oidc.authorisation_url(
            external_url("lti.launch"),
            {"platform": platform.id if platform else None, "storage_target": storage},
        )
    except (OIDCException, LtiException) as error:
        refuse(400, f"This LTI login cannot go on: {explain(error)}", error=error)
    if storage is None:
        return oidc.set_cookies(redirect(url))
    query = parse_qs(urlsplit(url).query)
    page = render_template(
        "lms/lti/storage_login.html",
        url=url,
        storage=storage,
        state=query["state"][0],
        nonce=query["nonce"][0],
    )
    return oidc.set_cookies(make_response(page))


@bp.post("/lti/launch")
def launch() -> Response:
    """The authentication response: check the id_token, map it, sign in, open the target."""
    record = login_record(request.form.get("state"))
    platform_name = let_platform_frame(record)
    if not current_app.extensions["lms"].own_accounts:
        refuse(403, "LTI launches need the LMS's own accounts (the standalone app).")
    launch_ = message_launch(FlaskRequest())
    try:
        launch_.validate()
    except NoStateCookieError as missing:
        log.info("LTI launch without its state cookie: offered a new window")
        return new_window_page(missing.login, platform_name)
    except (LtiException, OIDCException) as error:
        refuse(400, f"This LTI launch was refused: {explain(error)}", error=error)
    except Exception as error:
        refuse(400, "This LTI launch was refused: its id_token could not be read.", error=error)
    if launch_.needs_storage_check:
        return storage_check(launch_, record)
    return finish_launch(launch_)


def storage_check(launch_: Any, record: dict[str, Any]) -> Response:
    """A valid id_token whose state is in the platform's storage: the page that reads it
    back there and posts it to `finish_check`."""
    body = launch_.get_launch_data()
    state = str(request.form.get("state"))
    token = new_check(launch_.get_launch_id(), state, str(body.get("nonce")), launch_.login or {})
    page = render_template(
        "lms/lti/storage_check.html",
        token=token,
        state=state,
        nonce=body.get("nonce"),
        storage=record["storage_target"],
    )
    return make_response(page)


@bp.post("/lti/launch/check")
def finish_check() -> Response:
    """The platform storage check of a launch, posted by the page `storage_check` sent."""
    token = request.form.get("check", "")
    if not token:
        refuse(400, "This LTI launch check is empty: open the link in your platform again.")
    if not posted_from_this_site():
        refuse(403, "This LTI launch check did not come from this site's launch page.")
    check = take_check(token)
    if check is None:
        refuse(
            400,
            "This LTI launch was refused: its check was already used or has expired. "
            "Open the link in your platform again.",
        )
    record = login_record(check["state"])
    platform_name = let_platform_frame(record)
    if request.form.get("storage") == "unavailable":
        # The platform's page did not answer: the state cookie, if the browser kept it.
        state = check["state"]
        if FlaskCookieService(FlaskRequest()).get_cookie(state) != state:
            log.info("LTI launch: no platform storage, no state cookie: offered a new window")
            return new_window_page(check.get("login") or {}, platform_name)
    elif (request.form.get("state"), request.form.get("nonce")) != (check["state"], check["nonce"]):
        refuse(
            400,
            "This LTI launch was refused: the state kept in your platform's page "
            "does not match this launch (it was changed, or the launch began in another browser). "
            "Open the link in your platform again.",
        )
    try:
        launch_ = restore_launch(FlaskRequest(), check["launch_id"])
    except (LtiException, OIDCException) as error:
        refuse(400, "This LTI launch has expired: open the link again.", error=error)
    return finish_launch(launch_)


def finish_launch(launch_: Any) -> Response:
    """A checked launch: map it, sign the person in, open the target."""
    body = launch_.get_launch_data()
    if launch_.is_deep_link_launch():
        return deep_link_start(launch_.get_launch_id(), body)
    if not launch_.is_resource_launch():
        refuse(
            400,
            "This LTI launch was refused: only resource-link and deep-linking launches "
            "are supported.",
        )
    try:
        launched = provision(body)
        session.commit()
    except LaunchRefusedError as error:
        refuse(error.status, f"This LTI launch was refused: {error.message}", error=None)
    except sa.exc.IntegrityError as error:  # two first launches of one person at once
        refuse(
            409,
            "Another launch of yours was being handled at the same moment: open the link again.",
            error=error,
        )
    start_session(launched.account)
    flask_session["lms_lti"] = True  # this session began with a platform launch
    frame_session(body)
    log.info(
        "LTI launch: %s (%s) opened %s",
        body.get("sub"),
        "teaching" if launched.teaching else "learning",
        launched.target.path,
    )
    return redirect(launched.target.path)


# -- Deep Linking 2.0 -----------------------------------------------------------------------------

DEEP_LINK_KEY = "lms_lti_deep_link"


def deep_link_start(launch_id: str, body: dict[str, Any]) -> Response:
    """An instructor's deep-linking launch: signed in, on to the picker."""
    try:
        account, _ = provision_deep_link(body)
    except LaunchRefusedError as error:
        refuse(error.status, f"This LTI launch was refused: {error.message}")
    session.commit()
    start_session(account)
    flask_session[DEEP_LINK_KEY] = launch_id
    frame_session(body)
    return redirect(lms_url_for("lti.picker"))


def restored_launch() -> Any:
    launch_id = flask_session.get(DEEP_LINK_KEY)
    if not isinstance(launch_id, str):
        abort(
            400,
            description="There is nothing to add here now: open this page from your "
            "platform's “add content” button.",
        )
    try:
        return restore_launch(FlaskRequest(), launch_id)
    except (LtiException, OIDCException) as error:
        refuse(
            403,
            "This deep-linking session has expired: start again from your platform.",
            error=error,
        )


def allow_form_action(policy: str, origin: str) -> str:
    """`policy` with `origin` added to its form-action (a policy without one allows all)."""
    directives = [part.strip() for part in policy.split(";") if part.strip()]
    return "; ".join(
        f"{part} {origin}" if part.split()[0].lower() == "form-action" else part
        for part in directives
    )


@bp.route("/lti/deep-link", methods=["GET", "POST"])
@login_required
def picker() -> Any:
    """Choose what to add; the content items go back to the platform in a signed form."""
    require_csrf_token()
    launch_ = restored_launch()
    platform = find_platform(launch_.get_iss(), launch_.get_client_id())
    platform_name = platform.name if platform else "your platform"
    if request.method == "POST":
        items = content_items(request.form.getlist("item"))
        if not items:
            page = render_template(
                "lms/lti/picker.html",
                choices=choices(),
                platform_name=platform_name,
                error="Choose at least one item to add.",
            )
            return page, 400
        deep_link = launch_.get_deep_link()
        return_url = launch_.get_launch_data()[DL_SETTINGS]["deep_link_return_url"]
        flask_session.pop(DEEP_LINK_KEY, None)
        response = make_response(
            render_template(
                "lms/lti/return.html",
                jwt=deep_link.get_response_jwt(items),
                return_url=return_url,
                count=len(items),
                platform_name=platform_name,
            )
        )
        policy = content_security_policy()
        if policy:  # the form goes to the platform: allow that one origin too
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(return_url))
            response.headers["Content-Security-Policy"] = allow_form_action(policy, origin)
        return response
    return render_template("lms/lti/picker.html", choices=choices(), platform_name=platform_name)


# -- Names and Role Provisioning -------------------------------------------------------------------


@bp.route("/teach/cohorts/<lms_id:cohort_id>/platform-roster", methods=["GET", "POST"])
@staff_required
def roster(cohort_id: int) -> Any:
    """The cohort's platform courses, and syncing their rosters (instructors of the cohort)."""
    require_csrf_token()
    cohort = cohort_or_404(staff_profile(), cohort_id)
    contexts = list(
        session.scalars(
            sa.select(LtiContext).where(LtiContext.cohort_id == cohort.id).order_by(LtiContext.id)
        )
    )
    if request.method == "POST":
        if not contexts:
            abort(409, description="This cohort is not linked to a platform course.")
        messages = []
        for context in contexts:
            try:
                result = sync_roster(context)
            except RosterError as error:
                session.rollback()
                log.warning("LTI roster sync refused: %s", error)
                abort(409, description=str(error))
            messages.append(
                f"{context.title}: {len(result.added)} added, {len(result.departed)} withdrawn, "
                f"{result.unchanged} unchanged"
                + (f", {len(result.refused)} could not join" if result.refused else "")
                + "."
            )
        session.commit()
        flash(" ".join(messages))
        return redirect(lms_url_for("lti.roster", cohort_id=cohort.id))
    return render_template("lms/lti/roster.html", cohort=cohort, contexts=contexts)


# -- admin: registrations ------------------------------------------------------------------------


@bp.route("/admin/lti", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def platforms() -> Any:
    """Registered platforms, what to give a platform, and registering one."""
    require_csrf_token()
    form = PlatformForm()
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            platform, created = register_platform(
                name=form.name.data or "",
                issuer=form.issuer.data or "",
                client_id=form.client_id.data or "",
                auth_login_url=form.auth_login_url.data or "",
                auth_token_url=form.auth_token_url.data or "",
                keyset_url=form.keyset_url.data or "",
                deployment_ids=form.deployment_list(),
                auth_audience=form.auth_audience.data or None,
            )
        except RegistrationError as problem:
            session.rollback()
            error, status = str(problem), 400
        else:
            session.commit()
            flash(f"{'Registered' if created else 'Updated'} {platform.name}.")
            return redirect(lms_url_for("lti.platforms"))
    elif request.method == "POST":
        status = 400
    listed = session.scalars(sa.select(LtiPlatform).order_by(LtiPlatform.name, LtiPlatform.id))
    urls = {
        "login": external_url("lti.login"),
        "launch": external_url("lti.launch"),
        "jwks": external_url("lti.jwks"),
    }
    page = render_template(
        "lms/lti/platforms.html", form=form, platforms=listed.all(), urls=urls, error=error
    )
    return page, status


# -- Dynamic Registration --------------------------------------------------------------------------


@bp.route("/lti/dynamic-registration", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def dynamic_registration() -> Any:
    """A platform's dynamic registration, confirmed by a signed-in admin."""
    require_csrf_token()
    configuration_url = request.args.get("openid_configuration", "")
    try:
        registration = DynamicRegistration(
            configuration_url, request.args.get("registration_token")
        )
    except DynamicRegistrationError as error:
        abort(400, description=str(error))
    host = urlsplit(configuration_url).netloc
    if request.method == "GET":
        return render_template("lms/lti/dynamic.html", host=host, platform=None)
    try:
        platform = registration.register()
    except (DynamicRegistrationError, RegistrationError) as error:
        message = str(error)
    except (LtiException, AssertionError, requests.RequestException, ValueError) as error:
        message = f"The platform's registration did not work: {error}"
    else:
        session.commit()
        log.info("LTI: %s registered by dynamic registration", platform.issuer)
        return render_template("lms/lti/dynamic.html", platform=platform)
    session.rollback()
    log.warning("LTI dynamic registration refused: %s", message)
    page = render_template("lms/lti/dynamic.html", host=host, platform=None, error=message)
    return page, 400
