"""What every LMS blueprint shares: templates, static files, error pages, CSRF, redirects."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.routing import IntegerConverter, Map
from werkzeug.wrappers import Response

from lms.access import current_profile
from lms.csrf import protect
from lms.database import MAX_ID
from lms.dates import format_local, format_short
from lms.resources import PACKAGE_DIR, templates_dir
from lms.security import add_security_headers
from lms.text import format_number, hours_number, plural, points_text


def root_blueprint(name: str) -> Blueprint:
    """The LMS's parent blueprint on one app: every LMS endpoint is nested under it
    (`lms.catalogue.index`, ...), so no LMS name meets a host's. It serves the static
    files and holds the templates (all under `lms/`, so a host app overrides any of them
    by putting a file at the same path in its own templates)."""
    root = Blueprint(
        name,
        __name__,
        static_folder=str(PACKAGE_DIR / "static"),
        static_url_path="/static/lms",
        template_folder=str(templates_dir()),
    )
    root.after_request(add_security_headers)
    return root


def lms_endpoint(endpoint: str) -> str:
    """The app-wide name of an LMS endpoint given relative to the LMS (`catalogue.index`)."""
    if endpoint.startswith("."):
        return endpoint
    return f"{current_app.extensions['lms'].name}.{endpoint}"


def lms_url_for(endpoint: str, **values: Any) -> str:
    """`url_for` for LMS endpoints named relative to the LMS: `lms_url_for("catalogue.index")`.

    Templates have the same function as `lms_url`.
    """
    return url_for(lms_endpoint(endpoint), **values)


def optional_url(endpoint: str, **values: Any) -> str | None:
    """The URL of an LMS page that this version may not have (None then): for a link that
    appears once the page it leads to exists."""
    if lms_endpoint(endpoint) not in current_app.view_functions:
        return None
    return lms_url_for(endpoint, **values)


#: Blueprints a signed-in user may use before their profile is complete.
PROFILE_NOT_REQUIRED = frozenset({"profile"})


#: The answer to a request for a host name the app does not serve (TRUSTED_HOSTS).
UNTRUSTED_HOST = "Bad request: this site does not answer to that host name.\n"


def render_error(error: HTTPException) -> tuple[Any, int] | Response:
    """Every LMS error as a page a person understands (as JSON for a script that sent or
    asked for JSON: the autosave and reading-time reports)."""
    if isinstance(error, SecurityError):
        # An untrusted Host header: no URL can be built for it, so no page either.
        return Response(UNTRUSTED_HOST, 400, mimetype="text/plain")
    retry_after = getattr(error, "retry_after", None)  # a 429 or 503 that says when
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return jsonify(status="error", error=error.description), error.code or 500, headers
    page = render_template("lms/error.html", error=error)
    return Response(page, error.code or 500, headers) if headers else (page, error.code or 500)


def safe_next(target: str | None, default: str) -> str:
    """Only follow `next` to a path on this site (no scheme, no host, no `//`).

    Use it for every redirect target taken from the request.
    """
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    # Browsers drop tabs and newlines and read `\` as `/`: "/\t/evil" would leave the site.
    if "\\" in target or any(ord(char) < 0x21 or ord(char) == 0x7F for char in target):
        return default
    return target


def has_own_accounts() -> bool:
    """True in the standalone app (the LMS's own sign-in); False when mounted in a host."""
    return bool(current_app.extensions["lms"].own_accounts)


def require_complete_profile() -> Response | None:
    """Plugin mode, first visit: ask a signed-in host user for what the LMS lacks.

    A host's users have no profession yet; before any LMS page (a GET), they are sent to
    the profile completion page, which brings them back here. Standalone accounts give
    their profession when they sign up, so this applies to host users only.
    """
    if request.method not in ("GET", "HEAD") or has_own_accounts():
        return None
    profile = current_profile()
    if profile is None or profile.profession is not None:
        return None
    here = request.script_root + request.path
    if request.query_string:
        here += "?" + request.query_string.decode("utf-8", "replace")
    return redirect(lms_url_for("profile.complete", next=here))


def refuse_nul_in_url(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A NUL in a URL part (`/courses/%00/`) names nothing: 404, before PostgreSQL, which
    refuses NUL in a query parameter, turns it into a 500."""
    if values and any(isinstance(value, str) and "\x00" in value for value in values.values()):
        abort(404)


def lms_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint for one area of the LMS, with its error pages and CSRF check."""
    blueprint = Blueprint(name, import_name)
    blueprint.url_value_preprocessor(refuse_nul_in_url)
    blueprint.register_error_handler(HTTPException, render_error)
    protect(blueprint)
    blueprint.after_request(add_security_headers)
    if name not in PROFILE_NOT_REQUIRED:
        blueprint.before_request(require_complete_profile)
    return blueprint


def local_time(moment: datetime | None, timezone: str | None = None) -> str:
    """A UTC datetime in the learner's time zone, as a person reads it."""
    if moment is None:
        return ""
    return format_local(moment, timezone or viewer_timezone())


def local_short_time(moment: datetime | None) -> str:
    """A UTC datetime in the learner's time zone, short: "Mon 3 Mar, 18:00"."""
    return format_short(moment, viewer_timezone()) if moment is not None else ""


def viewer_timezone() -> str:
    profile = current_profile()
    return profile.timezone if profile else "UTC"


class IdConverter(IntegerConverter):
    """`<lms_id:name>`: a row id, 1 to 2**31 - 1 (a 32-bit integer column on PostgreSQL).

    An id outside that range cannot exist, so the URL does not match (404) instead of
    reaching the database, where SQLite overflows and PostgreSQL raises out-of-range.
    ASCII digits only: werkzeug's `\\d` also takes other scripts' digits ("٣" is 3).
    """

    regex = r"[0-9]+"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, min=1, max=MAX_ID)


def register_url_converters(app: Flask) -> None:
    app.url_map.converters.setdefault("lms_id", IdConverter)


def register_template_filters(app: Flask) -> None:
    app.add_template_filter(local_time, "lms_local_time")
    app.add_template_filter(local_short_time, "lms_short_time")
    app.add_template_filter(plural, "lms_count")
    app.add_template_filter(hours_number, "lms_hours")
    app.add_template_filter(format_number, "lms_number")
    app.add_template_filter(points_text, "lms_points")


class HostLinks(NamedTuple):
    """Where the LMS's header leads back to in a host app (nothing in the standalone app)."""

    home_url: str | None
    home_label: str
    sign_out_url: str | None
    #: True when the host's sign-out answers POST only (Flask-Security's default since
    #: 5.0): the header then signs out with a form carrying Flask-WTF's CSRF token.
    sign_out_by_post: bool = False


#: Sign-out endpoints of common Flask stacks (Flask-Security, the Mega-Tutorial, ...).
SIGN_OUT_ENDPOINTS = ("security.logout", "auth.logout", "user.logout", "main.logout", "logout")


def host_links() -> HostLinks:
    """The host's home and sign-out links: from LMS_HOST_HOME_ENDPOINT and
    LMS_HOST_SIGN_OUT_ENDPOINT, else the host's `/` page and a sign-out endpoint of a
    common name, when it has them."""
    config = current_app.config
    label = config["LMS_HOST_HOME_LABEL"]
    if has_own_accounts():
        return HostLinks(None, label, None)
    lms_name = current_app.extensions["lms"].name + "."
    home = config["LMS_HOST_HOME_ENDPOINT"]
    if home is None:
        adapter = current_app.url_map.bind("localhost")
        try:
            endpoint, _ = adapter.match("/", method="GET")
        except HTTPException:
            endpoint = None
        home = endpoint if endpoint and not str(endpoint).startswith(lms_name) else None
    sign_out = config["LMS_HOST_SIGN_OUT_ENDPOINT"]
    if sign_out is None:
        sign_out = next((e for e in SIGN_OUT_ENDPOINTS if e in current_app.view_functions), None)
    return HostLinks(
        url_for(home) if home else None,
        label,
        url_for(sign_out) if sign_out else None,
        bool(sign_out) and not _answers_get(sign_out),
    )


def _answers_get(endpoint: str) -> bool:
    return any("GET" in (rule.methods or ()) for rule in current_app.url_map.iter_rules(endpoint))


#: Beyond any list's last page: a bigger number is a typo or a probe, and OFFSET grows with it.
MAX_PAGE = 100_000


def page_number() -> int:
    """The `page` query argument of a paged list: 1 when missing or not a number, at most
    `MAX_PAGE` (lists clamp it to their last page)."""
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
