"""People: standalone sign-in accounts and the LMS profile every user has.

`Account` exists for standalone mode only; a host app brings its own user model. Every
other LMS record points at a `Profile`, which is keyed by a value that never changes for
the user (by default the user row's primary key; see `lms.identity.keys` for why not
`get_id()`), so the same tables serve both modes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from unicodedata import normalize

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from lms.database import Base, UTCDateTime, enum_type, utcnow
from lms.models.enums import Profession, Role


class Account(UserMixin, Base):
    """A standalone sign-in: email and password hash."""

    __tablename__ = "lms_account"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    #: Bumped on logout and password change; a session carrying an older value is refused.
    session_version: so.Mapped[int] = so.mapped_column(default=1)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(normalize("NFKC", password))

    def check_password(self, password: str) -> bool:
        """The password (NFKC-normalised, as stored since NIST 800-63B asked for it; an
        older hash of a password as typed is still accepted)."""
        normalised = normalize("NFKC", password)
        if check_password_hash(self.password_hash, normalised):
            return True
        return normalised != password and check_password_hash(self.password_hash, password)


class PendingSignUp(Base):
    """A sign-up waiting for its owner to open the link mailed to the address.

    The account is made only then, so an address nobody confirmed never has an account,
    and sign-up answers the same whether or not an account exists (the owner of a known
    address is mailed instead). `details` holds what the form said (name, password hash,
    profession, licence); the link's token is stored as its SHA-256 only.
    """

    __tablename__ = "lms_pending_sign_up"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    details: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)


class Profile(Base):
    """What the LMS knows about a person: role, profession, licence, time zone."""

    __tablename__ = "lms_profile"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: The user's key in the user model that signs people in (an Account or the host's
    #: user): its primary key, or the host's `user_key=`. None once the user is gone.
    user_id: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    #: SHA-256 of the user's creation time (or email) when linked: a new user who gets a
    #: gone user's key is told apart and never gets this profile (lms.identity.keys).
    user_marker: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    email: so.Mapped[str] = so.mapped_column(sa.String(254), index=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    role: so.Mapped[Role] = so.mapped_column(enum_type(Role), default=Role.LEARNER)
    profession: so.Mapped[Profession | None] = so.mapped_column(enum_type(Profession))
    licence_type: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    licence_number: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64), default="UTC")
    #: For accreditors' learner files (ACCME PARS), given by the learner if they wish.
    board_id: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    birth_month: so.Mapped[int | None]
    birth_day: so.Mapped[int | None]
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    #: When the user was removed and this profile pseudonymised (its CE record is kept).
    forgotten_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.INSTRUCTOR, Role.ADMIN)
