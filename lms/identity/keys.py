"""The key a profile is stored under, and the marker that detects a reused key.

Why not `user.get_id()`: it is whatever the host puts in the session cookie, and hosts
change it on purpose: Flask-Security returns `fs_uniquifier`, rotated on every password
change and reset so that old sessions die. A profile keyed on it was orphaned by each
password change. The default key is the user row's primary key, read from the SQLAlchemy
mapper: it never changes for the life of the user. A host whose users have another
permanent id passes `LMS(app, user_key=lambda user: ...)`.

A primary key may be given to someone else once its user is deleted (SQLite reuses the
highest id; hosts that delete by hand). So a profile also keeps a marker of the user it
was made for: a SHA-256 of the user's creation time when the model has one
(`created_at`, `create_datetime`, ...), else of their email. A user whose marker differs
from their key's profile is a different person and never gets that profile.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import NoInspectionAvailable

from lms.config import ConfigError

#: Attributes holding when a user was created (first found is used), so never changing.
CREATION_ATTRIBUTES = (
    "created_at",
    "create_datetime",  # Flask-Security
    "date_joined",  # Django-style
    "created_on",
    "created",
    "registered_on",
    "member_since",
)


class IdentityError(RuntimeError):
    """A user whose key cannot be read (not saved yet, or not an SQLAlchemy model)."""


def primary_key(user: Any) -> str:
    """The user row's primary key, as text (`"12"`; `"3:7"` for a composite key)."""
    try:
        mapper = sa.inspect(type(user))
    except NoInspectionAvailable:
        raise ConfigError(
            f"The LMS keys profiles on the user's primary key, but {type(user).__name__} is "
            f"not an SQLAlchemy model: pass LMS(app, user_key=lambda user: ...) returning a "
            f"value that never changes for the user."
        ) from None
    values = mapper.primary_key_from_instance(user)
    if any(value is None for value in values):
        raise IdentityError(f"{type(user).__name__} has no primary key yet (not saved).")
    return ":".join(str(value) for value in values)


def checked_key(user: Any, user_key: Callable[[Any], Any]) -> str:
    key = user_key(user)
    if key is None or str(key) == "":
        raise IdentityError(f"user_key returned {key!r} for {user!r}: it needs a value.")
    text = str(key)
    if len(text) > 64:
        raise IdentityError(f"user_key returned {len(text)} characters: at most 64 are kept.")
    return text


def marker_source(user_class: type) -> str | None:
    """The attribute the marker is read from for this user model (None: no marker)."""
    for attribute in (*CREATION_ATTRIBUTES, "email"):
        if hasattr(user_class, attribute):
            return attribute
    return None


def user_marker(user: Any) -> str | None:
    """A SHA-256 of what identifies this user besides their key (None: unknown yet, e.g.
    a creation time the database fills in and has not been read)."""
    attribute = marker_source(type(user))
    if attribute is None:
        return None
    value = getattr(user, attribute, None)
    if value is None or value == "":
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value).strip().lower()
    return hashlib.sha256(f"{attribute}:{text}".encode()).hexdigest()


def looks_like_user_model(cls: type) -> bool:
    """A mapped class Flask-Login can sign in (UserMixin or its attributes)."""
    return all(hasattr(cls, name) for name in ("get_id", "is_authenticated", "is_active"))


def find_user_model(registries: list[Any]) -> type | None:
    """The one mapped class in these registries that looks like a user model, if exactly
    one does (else None: pass `LMS(app, user_model=...)`)."""
    found = {
        mapper.class_
        for registry in registries
        for mapper in registry.mappers
        if looks_like_user_model(mapper.class_)
    }
    roots = {cls for cls in found if not any(cls is not o and issubclass(cls, o) for o in found)}
    return next(iter(roots)) if len(roots) == 1 else None
