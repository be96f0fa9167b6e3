"""Launches inside a platform's frame: who may frame them, and the LTI Platform Storage
check that stands in for the state cookie a third-party frame does not keep.

- Framing: the pages of a session a platform launched (and the launch's own pages) may be
  framed by that platform: the origins of its issuer and authorisation URL, and those of
  LMS_LTI_FRAME_ANCESTORS (`lms.security.allow_framing`).
- Platform Storage (1EdTech "LTI Client Side postMessages"): when the login initiation
  names an `lti_storage_target`, the login page puts the state and nonce in the platform's
  storage by postMessage (`lti.put_data`, keys `lti_state_<state>` and `lti_nonce_<nonce>`,
  sent to the origin of the platform's authorisation URL only), and the launch, once the
  id_token is valid, reads them back (`lti.get_data`) and posts them to `finish_check`:
  the launch goes on only if both are this launch's. The check is kept in the database,
  used once, for a few minutes.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, make_response, render_template, request
from werkzeug.wrappers import Response

from lms.database import session
from lms.lti.tool import DatabaseStorage, find_platform
from lms.models import LtiPlatform
from lms.security import allow_framing
from lms.web import lms_url_for

log = logging.getLogger(__name__)

#: Seconds between a launch and its platform storage check.
CHECK_LIFETIME = 300

#: A CSP host source: scheme, host (a leading `*.` allowed) and port.
HOST_SOURCE = re.compile(r"(https?://)?(\*\.)?[a-z0-9.-]+(:(\d{1,5}|\*))?", re.IGNORECASE)


def origin_of(url: str | None) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, else None."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}".lower()


def configured_origins() -> list[str]:
    """LMS_LTI_FRAME_ANCESTORS (a list, or one comma- or space-separated text); entries that
    are no CSP host source are left out, with a warning."""
    setting = current_app.config.get("LMS_LTI_FRAME_ANCESTORS") or []
    entries = setting.replace(",", " ").split() if isinstance(setting, str) else setting
    origins = []
    for entry in entries:
        text = str(entry).strip().rstrip("/")
        if HOST_SOURCE.fullmatch(text):
            origins.append(text)
        elif text:
            log.warning("LMS_LTI_FRAME_ANCESTORS: %r is not an origin; left out", text)
    return origins


def frame_origins(platform: LtiPlatform) -> list[str]:
    """The origins that may frame the pages of a session `platform` launched (none in a
    host app, which takes no launches: its own policy stays as it is)."""
    if not current_app.extensions["lms"].own_accounts:
        return []
    found = [origin_of(platform.issuer), origin_of(platform.auth_login_url)]
    return list(dict.fromkeys([o for o in found if o] + configured_origins()))


def storage_origin(platform: LtiPlatform) -> str | None:
    """Where platform storage messages go (the spec: the authorisation URL's origin)."""
    return origin_of(platform.auth_login_url)


def new_check(launch_id: str, state: str, nonce: str, login: dict[str, Any]) -> str:
    """Keep a launch waiting for its platform storage check; the token names it."""
    token = secrets.token_urlsafe(32)
    DatabaseStorage().set_value(
        f"frame-check-{token}",
        {"launch_id": launch_id, "state": state, "nonce": nonce, "login": login},
        exp=CHECK_LIFETIME,
    )
    return token


def take_check(token: str) -> dict[str, Any] | None:
    """The launch waiting under `token`, removed (each check is used once)."""
    if not token or len(token) > 100:
        return None
    storage = DatabaseStorage()
    key = f"frame-check-{token}"
    value = storage.get_value(key)
    if not isinstance(value, dict) or not storage.take(key):
        return None
    return value


def posted_from_this_site() -> bool:
    """Whether this POST came from one of the LMS's own pages (its Origin, and
    Sec-Fetch-Site when the browser sends it): another site cannot finish a check."""
    origin = request.headers.get("Origin")
    own = origin_of(request.host_url)
    if not origin or origin.lower() != own:
        return False
    return request.headers.get("Sec-Fetch-Site", "same-origin") == "same-origin"


def let_platform_frame(record: dict[str, Any]) -> str:
    """Let the platform named in a login record frame this response; its name."""
    platform_id = record.get("platform")
    platform = session.get(LtiPlatform, platform_id) if isinstance(platform_id, int) else None
    if platform is None:
        return "your platform"
    allow_framing(frame_origins(platform))
    return platform.name


def new_window_page(login_params: dict[str, Any], platform_name: str) -> Response:
    """The page for a frame that keeps no cookie: open the course in a new window, where
    the login begins again (a top-level window keeps the state cookie)."""
    params = {k: v for k, v in login_params.items() if isinstance(v, str)}
    params["lti1p3_new_window"] = "1"
    page = render_template(
        "lms/lti/new_window.html",
        url=lms_url_for("lti.login", **params),
        platform_name=platform_name,
    )
    return make_response(page)


def frame_session(body: dict[str, Any]) -> None:
    """The launched session's pages may be framed by the platform that launched it."""
    platform = find_platform(str(body.get("iss")), launch_audience(body))
    if platform is not None:
        allow_framing(frame_origins(platform), session_wide=True)


def launch_audience(body: dict[str, Any]) -> str | None:
    aud = body.get("aud")
    if isinstance(aud, list):
        return str(body.get("azp") or (aud[0] if aud else "")) or None
    return str(aud) if aud else None
