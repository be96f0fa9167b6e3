"""`UserInfo`: the email and name the LMS shows for a user, read from the user object."""

from __future__ import annotations

from typing import Any, NamedTuple


class UserInfo(NamedTuple):
    """What `LMS(app, user_info=...)` returns for a user: `UserInfo(email=..., name=...)`."""

    email: str
    name: str


#: Attributes that hold a whole name, in the order they are tried.
NAME_ATTRIBUTES = ("name", "display_name", "full_name", "fullname")


def default_user_info(user: Any) -> UserInfo:
    """Read email and name from a user object, whatever its model calls them: `name`,
    `display_name`, `full_name`, `first_name` and `last_name` (Flask-Security's
    examples), `username`; else the email's local part."""
    email = str(getattr(user, "email", "") or "")
    for attribute in NAME_ATTRIBUTES:
        name = getattr(user, attribute, None)
        if name and isinstance(name, str) and name.strip():
            return UserInfo(email, name.strip())
    parts = [getattr(user, attribute, None) for attribute in ("first_name", "last_name")]
    joined = " ".join(str(part).strip() for part in parts if part and str(part).strip())
    if joined:
        return UserInfo(email, joined)
    username = getattr(user, "username", None)
    if username and str(username).strip():
        return UserInfo(email, str(username).strip())
    return UserInfo(email, email.split("@")[0] or "Learner")


def checked_user_info(value: Any, source: Any) -> UserInfo:
    """`value` as returned by a host's `user_info=` callable, or a TypeError that says
    what it should return."""
    if isinstance(value, UserInfo):
        return value
    raise TypeError(
        f"LMS(user_info={getattr(source, '__qualname__', source)!r}) returned "
        f"{type(value).__name__} {value!r}: it must return lms.UserInfo(email=..., name=...) "
        f"(from lms import UserInfo)."
    )
