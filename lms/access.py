"""Who is asking: the current user's LMS profile, and the checks views use.

The signed-in user comes from Flask-Login, whichever user model signs people in (the
standalone `Account` or a host app's user). The LMS keeps its own `Profile` per user,
created on first visit and keyed by `user.get_id()`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NamedTuple, TypeVar

import sqlalchemy as sa
from flask import abort, current_app, g
from flask_login import current_user

from lms.database import session
from lms.models import Profile, Role

F = TypeVar("F", bound=Callable[..., Any])


class UserInfo(NamedTuple):
    email: str
    name: str


def default_user_info(user: Any) -> UserInfo:
    """Read email and name from a user object, whatever its model calls them."""
    email = str(getattr(user, "email", "") or "")
    for attribute in ("name", "display_name", "full_name", "username"):
        name = getattr(user, attribute, None)
        if name:
            return UserInfo(email, str(name))
    return UserInfo(email, email.split("@")[0] or "Learner")


def current_profile() -> Profile | None:
    """The signed-in user's profile (created on first visit), or None when anonymous."""
    if "lms_profile" in g:
        return g.lms_profile
    profile = None
    if current_user.is_authenticated:
        user_id = str(current_user.get_id())
        info = current_app.extensions["lms"].user_info(current_user)
        profile = session.scalar(sa.select(Profile).where(Profile.user_id == user_id))
        if profile is None:
            profile = Profile(
                user_id=user_id,
                email=info.email,
                display_name=info.name,
                timezone=current_app.config["LMS_DEFAULT_TIMEZONE"],
            )
            session.add(profile)
            session.commit()
        elif (profile.email, profile.display_name) != (info.email, info.name):
            profile.email, profile.display_name = info.email, info.name
            session.commit()
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
