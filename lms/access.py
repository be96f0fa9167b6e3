"""Who is asking: the current user's LMS profile, and the checks views use.

The signed-in user comes from Flask-Login, whichever user model signs people in (the
standalone `Account` or a host app's user). The LMS keeps its own `Profile` per user,
created on first visit and keyed by a value that never changes for the user
(`lms.identity`: the user row's primary key by default, not `get_id()`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, g
from flask_login import current_user

from lms.identity.info import UserInfo, default_user_info
from lms.identity.profiles import profile_for
from lms.models import Profile, Role

__all__ = ["UserInfo", "current_profile", "default_user_info", "login_required", "role_required"]

F = TypeVar("F", bound=Callable[..., Any])


def current_profile() -> Profile | None:
    """The signed-in user's profile (created on first visit), or None when anonymous."""
    if "lms_profile" in g:
        return g.lms_profile
    profile = None
    if current_user.is_authenticated:
        profile = profile_for(current_user._get_current_object())  # type: ignore[attr-defined]
    g.lms_profile = profile
    return profile


def login_required(view: F) -> F:
    """Send anonymous users to the app's sign-in page (the host's in plugin mode)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_profile() is None:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def role_required(*roles: Role) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            profile = current_profile()
            if profile is None or profile.role not in roles:
                abort(
                    403,
                    description="This page is for "
                    + " and ".join(r.value + "s" for r in roles)
                    + ".",
                )
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
