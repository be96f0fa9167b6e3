"""Learner forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class InviteCodeForm(FlaskForm):
    code = StringField(
        "Invite code",
        validators=[DataRequired("Enter the invite code you were given."), Length(max=32)],
    )
