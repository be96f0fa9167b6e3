"""Forms of certificate management: filtering the list, and a reason to revoke or reissue."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from lms.profile.forms import no_control_characters, strip
from lms.validators import NumberRange

STATUSES = [
    SelectChoice("", "Any status"),
    SelectChoice("valid", "Valid"),
    SelectChoice("revoked", "Revoked"),
    SelectChoice("superseded", "Superseded"),
]


class CertificateFilterForm(FlaskForm):
    """The list's filters, from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    course = StringField("Course", filters=[strip], validators=[Optional(), Length(max=100)])
    cohort = IntegerField("Cohort", validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    status = SelectField("Status", choices=STATUSES, default="")
    issued_from = DateField("Issued from", validators=[Optional()])
    issued_to = DateField("Issued until", validators=[Optional()])


class ReasonForm(FlaskForm):
    """A reason; two of these share a page (prefixed), so the blueprint's own CSRF check
    guards the post (lms.csrf), not the form."""

    class Meta:
        csrf = False

    reason = TextAreaField(
        "Reason",
        filters=[strip],
        validators=[
            DataRequired("Say why (admins see it; learners do not)."),
            Length(max=2000, message="Keep the reason under 2,000 characters."),
            no_control_characters,
        ],
    )
