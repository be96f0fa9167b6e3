"""The SQLAlchemy event that notices a host user deleted or changed through the ORM.

Registered once on every session (like the CE record's hook); it acts only in an app
with the LMS, on rows of that app's user model, inside the same flush, so the profile
is pseudonymised in the same transaction as the user's deletion (or not at all).
Bulk `DELETE` statements and raw SQL do not go through it: call `lms.forget_user(key)`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_app_context

from lms.identity.profiles import follow_changed_users, forget_deleted_users, user_model


@sa.event.listens_for(so.Session, "before_flush")
def _watch_host_users(session: so.Session, _context: Any, _instances: Any) -> None:
    if not has_app_context() or "lms" not in current_app.extensions:
        return
    model = user_model()
    if model is None:
        return
    deleted = [row for row in session.deleted if isinstance(row, model)]
    changed = [
        row
        for row in session.dirty
        if isinstance(row, model) and row not in session.deleted and session.is_modified(row)
    ]
    if not (deleted or changed):
        return
    with session.no_autoflush:
        forget_deleted_users(session, deleted)
        follow_changed_users(session, changed)
