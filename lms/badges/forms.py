"""The form that checks a badge someone was given: the JSON, pasted or as a file."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, TextAreaField
from wtforms.validators import Email, Length, Optional

from lms.profile.forms import strip

#: A badge is about 4 KB; anything much larger is not one (and costs time to read).
MAX_BADGE_BYTES = 64 * 1024


class BadgeCheckForm(FlaskForm):
    badge_file = FileField("The badge file")
    badge = TextAreaField(
        "Or paste the badge (JSON)",
        filters=[strip],
        validators=[Length(max=MAX_BADGE_BYTES, message="A badge is at most 64 KB.")],
    )
    email = EmailField(
        "The holder's email address (optional)",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=254),
            Email(message="Enter an email address like name@example.com."),
        ],
    )

    def badge_text(self) -> str | None:
        """The badge as text, from the file or the box; None (and an error) otherwise."""
        upload: Any = self.badge_file.data
        if upload:
            data = upload.read(MAX_BADGE_BYTES + 1)
            if len(data) > MAX_BADGE_BYTES:
                self.badge_file.errors = ["A badge is at most 64 KB: this file is larger."]
                return None
            try:
                return str(data.decode("utf-8-sig"))
            except UnicodeDecodeError:
                self.badge_file.errors = ["This file is not text (a badge is UTF-8 JSON)."]
                return None
        if not self.badge.data:
            self.badge.errors = ["Choose the badge file, or paste the badge."]
            return None
        return str(self.badge.data)
