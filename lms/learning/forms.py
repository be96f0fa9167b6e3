"""Learner forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from lms.profile.forms import no_control_characters


class InviteCodeForm(FlaskForm):
    code = StringField(
        "Invite code",
        validators=[
            DataRequired("Enter the invite code you were given."),
            Length(max=32),
            no_control_characters,  # a NUL in the lookup was a 500 on PostgreSQL
        ],
    )
