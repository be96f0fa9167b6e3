"""Security headers on every LMS response (and only on the LMS's: a host app keeps its own),
and the standalone app's session cookie.

The standalone app's Content-Security-Policy allows no inline script at all: every script
is a file in lms/static. Stored HTML (lessons) is sanitised, and this is the second line of
defence. In a host app the policy is the host's business (LMS_CONTENT_SECURITY_POLICY is
off by default there): a host layout loads the host's own styles and scripts, which the
LMS's policy would refuse. A host that opts in (LMS_CONTENT_SECURITY_POLICY) and sends a
policy of its own gets one policy on LMS pages that allows what either allows: the LMS
merges its policy into the response once every `after_request` function, the host's
included (Flask-Talisman's, say), has run (Flask's `request_finished` signal).

Framing: every page refuses to be shown in another site's frame (`X-Frame-Options` and
`frame-ancestors 'self'`), except pages for a session an LTI platform launched (and the
launch's own pages): those may be framed by that platform's origins (`allow_framing`),
with no X-Frame-Options (it cannot name origins), and their session cookie is
`SameSite=None; Secure; Partitioned` over HTTPS, as a third-party frame needs.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, has_request_context, request
from flask import session as flask_session
from flask.sessions import SecureCookieSessionInterface

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'self'",
    ]
)

#: Where the origins allowed to frame a response are kept: for this response (`g`), or for
#: the whole session (a session an LTI platform launched).
FRAME_ANCESTORS_KEY = "lms_frame_ancestors"

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
    "Cross-Origin-Opener-Policy": "same-origin",
}


#: Directives that fall back to default-src when a policy leaves them out.
FETCH_DIRECTIVES = frozenset(
    {
        "script-src",
        "style-src",
        "img-src",
        "font-src",
        "connect-src",
        "media-src",
        "object-src",
        "frame-src",
        "child-src",
        "worker-src",
        "manifest-src",
    }
)


def allow_framing(origins: list[str], *, session_wide: bool = False) -> None:
    """Let `origins` frame this response (and with `session_wide`, every later response of
    this session too)."""
    allowed = list(dict.fromkeys([*(g.get(FRAME_ANCESTORS_KEY) or []), *origins]))
    setattr(g, FRAME_ANCESTORS_KEY, allowed)
    if session_wide:
        flask_session[FRAME_ANCESTORS_KEY] = allowed


def frame_ancestors() -> list[str]:
    """Other origins that may frame this response (none: only the site itself)."""
    if not has_request_context():
        return []
    found = g.get(FRAME_ANCESTORS_KEY) or flask_session.get(FRAME_ANCESTORS_KEY) or []
    return [str(origin) for origin in found] if isinstance(found, list) else []


def with_frame_ancestors(policy: str | None, origins: list[str]) -> str | None:
    """`policy` with its frame-ancestors set to 'self' and `origins` (a policy of that
    directive alone when there is none)."""
    if not origins:
        return policy
    directive = " ".join(["frame-ancestors", "'self'", *origins])
    if not policy:
        return directive
    kept = [
        part.strip()
        for part in policy.split(";")
        if part.strip() and part.split()[0].lower() != "frame-ancestors"
    ]
    return "; ".join([*kept, directive])


def content_security_policy() -> str | None:
    """The policy the LMS sends, from LMS_CONTENT_SECURITY_POLICY ("strict", a policy, or
    None for no header)."""
    setting = current_app.config.get("LMS_CONTENT_SECURITY_POLICY")
    if not setting:
        return None
    return CONTENT_SECURITY_POLICY if setting == "strict" else str(setting)


def _parse(policy: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives.setdefault(words[0].lower(), words[1:])
    return directives


def merge_policies(first: str, second: str) -> str:
    """One policy that allows what either allows (a union per directive).

    A directive one policy leaves out is what its default-src says (fetch directives), or
    unrestricted; an unrestricted side leaves the directive out of the result.
    """
    a, b = _parse(first), _parse(second)
    merged: dict[str, list[str]] = {}
    for name in [*a, *(n for n in b if n not in a)]:
        sides = []
        for policy in (a, b):
            if name in policy:
                sides.append(policy[name])
            elif name in FETCH_DIRECTIVES and "default-src" in policy:
                sides.append(policy["default-src"])
            else:
                sides.append(None)
        if any(side is None for side in sides):
            continue
        sources = list(dict.fromkeys(src for side in sides for src in side if side))
        if len(sources) > 1 and "'none'" in sources:
            sources.remove("'none'")
        merged[name] = sources
    return "; ".join(" ".join([name, *sources]) for name, sources in merged.items())


def is_private(response: Response) -> bool:
    """A response for one person's eyes: any page to a signed-in user, and downloads.

    Static files are the same for everyone (and cached as Flask serves them).
    """
    if request.endpoint and request.endpoint.rpartition(".")[2] == "static":
        return False
    if response.headers.get("Content-Disposition", "").startswith("attachment"):
        return True
    return signed_in()


def signed_in() -> bool:
    """Whether a signed-in user made the request, without loading the user when the
    request has not (that reads the database: the 503 page for a database that is down
    must still go out)."""
    user = g.get("_login_user")  # Flask-Login's user for this request, once loaded
    if user is not None:
        # Not `is_authenticated`: that reads the account's `active`, a query of its own
        # after the view's commit; any user at all makes the response private.
        return not user.is_anonymous
    return "_user_id" in flask_session


def strict_transport_security() -> str | None:
    """The HSTS header for an HTTPS request (never in debug, where the site may be
    served over plain HTTP on the same host name next)."""
    max_age = current_app.config.get("LMS_HSTS_MAX_AGE")
    if not max_age or current_app.debug or not request.is_secure:
        return None
    return f"max-age={int(max_age)}"


def add_security_headers(response: Response) -> Response:
    if has_request_context():
        hsts = strict_transport_security()
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        # No copy in the browser's cache or a proxy: attempts, reviews, grades, records,
        # certificates, the outbox with its reset links (a shared computer, the back
        # button after signing out).
        if is_private(response):
            response.headers["Cache-Control"] = "no-store"
    framed_by = frame_ancestors()
    for name, value in HEADERS.items():
        if name == "X-Frame-Options" and framed_by:
            continue  # it cannot name the platform: frame-ancestors says who may frame
        response.headers.setdefault(name, value)
    return response


def apply_content_security_policy(sender: Flask, response: Response, **_: object) -> None:
    """(Flask's `request_finished`, after every after_request function.) The LMS's policy
    on its responses (every response of the standalone app), merged with a policy the
    host put on the response."""
    state = sender.extensions.get("lms")
    if state is None or not has_request_context():
        return
    if not state.own_accounts and (request.blueprint or "").partition(".")[0] != state.name:
        return
    policy = with_frame_ancestors(content_security_policy(), frame_ancestors())
    if not policy:
        return
    existing = response.headers.get("Content-Security-Policy")
    if existing and existing != policy:
        policy = merge_policies(existing, policy)
    response.headers["Content-Security-Policy"] = policy


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the cookie marked Secure whenever the request
    came over HTTPS (and always with SESSION_COOKIE_SECURE = True, for a proxy that ends
    TLS and forwards plain HTTP). The standalone app only: a host keeps its own settings.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        if super().get_cookie_secure(app):
            return True
        return has_request_context() and request.is_secure

    def get_cookie_samesite(self, app: Flask) -> str | None:
        if self.framed():
            return "None"
        return super().get_cookie_samesite(app)

    def get_cookie_partitioned(self, app: Flask) -> bool:
        return self.framed() or super().get_cookie_partitioned(app)

    @staticmethod
    def framed() -> bool:
        """Whether this is the session of a launch shown in a platform's frame, over HTTPS
        (a cross-site frame gets no SameSite=Lax cookie; SameSite=None needs Secure)."""
        return (
            has_request_context()
            and request.is_secure
            and bool(flask_session.get(FRAME_ANCESTORS_KEY))
        )
